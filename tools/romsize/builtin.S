/* SPDX-License-Identifier: MIT */
/* The built-in tables: pkg/slots.conf and pkg/romdevs.conf embedded verbatim (paths relative to the top). */
	.section .rodata
	.global slots_builtin
	.global slots_builtin_len
	.global romdevs_builtin
	.global romdevs_builtin_len
	.type slots_builtin, @object
slots_builtin:
	.incbin "pkg/slots.conf"
slots_builtin_end:
	.byte 0
	.type romdevs_builtin, @object
romdevs_builtin:
	.incbin "pkg/romdevs.conf"
romdevs_builtin_end:
	.byte 0
	.balign 8
	.type slots_builtin_len, @object
slots_builtin_len:
	.quad slots_builtin_end - slots_builtin
	.type romdevs_builtin_len, @object
romdevs_builtin_len:
	.quad romdevs_builtin_end - romdevs_builtin
	.section .note.GNU-stack,"",@progbits
