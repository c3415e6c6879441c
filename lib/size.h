/* SPDX-License-Identifier: MIT */
/* Size strings: parse "65536", "64K", "64k", "64KiB", "0x10000", "2M"; format "128 KiB". */
#ifndef FWSLOT_SIZE_H
#define FWSLOT_SIZE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses s (NUL-terminated) into *out. Accepted: decimal or 0x-hex digits, then
 * optional K/k/KiB, M/m/MiB, G/g/GiB (binary multiples). Rejects empty strings,
 * signs, zero, trailing junk and values above 2^48. Returns 0 or -1.
 */
int size_parse(const char *s, uint64_t *out);

/* Writes "128 KiB" for exact multiples of 1 KiB/1 MiB, else "131584 bytes". */
void size_format(uint64_t v, char *buf, size_t bufsz);

/* Writes the shortest form size_parse accepts back: "64K", "2M", "131584". */
void size_format_arg(uint64_t v, char *buf, size_t bufsz);

#endif
