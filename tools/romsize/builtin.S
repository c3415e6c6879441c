/* SPDX-License-Identifier: MIT */
/* The built-in slot manifest: pkg/slots.conf embedded verbatim (path relative to the top). */
	.section .rodata
	.global slots_builtin
	.global slots_builtin_len
	.type slots_builtin, @object
slots_builtin:
	.incbin "pkg/slots.conf"
slots_builtin_end:
	.byte 0
	.balign 8
	.type slots_builtin_len, @object
slots_builtin_len:
	.quad slots_builtin_end - slots_builtin
	.section .note.GNU-stack,"",@progbits
