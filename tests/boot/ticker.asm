; SPDX-License-Identifier: MIT
; The boot sector of the live-migration tests: a guest that keeps running.
; It prints "fwslot tick XXXX" (a 16-bit hex counter kept in guest memory) on
; COM1 about four times a second, woken by the BIOS timer (IRQ0, 18.2 Hz),
; forever. A VM migrated while it runs must go on counting from where the
; source left off: the counter travels in the guest's RAM.
; Built with: nasm -f bin -o ticker.bin ticker.asm
bits 16
org 0x7c00
COM1 equ 0x3f8
start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	; COM1: 115200 8N1, as SeaBIOS leaves it unset
	mov dx, COM1 + 3
	mov al, 0x80
	out dx, al
	mov dx, COM1
	mov al, 1
	out dx, al
	inc dx
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 3
	out dx, al
	sti
.tick:
	mov cx, 4			; 4 timer interrupts: ~220 ms
.wait:
	hlt
	loop .wait
	inc word [count]
	mov si, text
	call puts
	mov ax, [count]
	mov cx, 4
.digit:
	rol ax, 4
	mov bx, ax
	and bx, 0xf
	mov bl, [hex + bx]
	push ax
	mov al, bl
	call putc
	pop ax
	loop .digit
	mov al, 10
	call putc
	jmp .tick

puts:
	lodsb
	test al, al
	jz .done
	call putc
	jmp puts
.done:
	ret

putc:					; al -> COM1, once the transmitter is empty
	push ax
	mov dx, COM1 + 5
.busy:
	in al, dx
	test al, 0x20
	jz .busy
	pop ax
	mov dx, COM1
	out dx, al
	ret

count:	dw 0
text:	db "fwslot tick ", 0
hex:	db "0123456789abcdef"
	times 510 - ($ - $$) db 0
	dw 0xaa55
