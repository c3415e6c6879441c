; SPDX-License-Identifier: MIT
; The boot sector of the QEMU boot tests: prints a marker on the debug port
; (0x402, where SeaBIOS logs) and ends QEMU through isa-debug-exit at 0xf4
; (QEMU exits with (0x10 << 1) | 1 = 33). Without that device it halts.
; Built with: nasm -f bin -o bootsect.bin bootsect.asm
bits 16
org 0x7c00
start:
	cli
	xor ax, ax
	mov ds, ax
	mov si, marker
	mov dx, 0x402
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	mov al, 0x10
	out 0xf4, al
.halt:
	hlt
	jmp .halt
marker:
	db "fwslot: boot sector reached", 10, 0
	times 510 - ($ - $$) db 0
	dw 0xaa55
