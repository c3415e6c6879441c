/* SPDX-License-Identifier: MIT */
/* Size strings: parse "65536", "64K", "64k", "64KiB", "0x10000", "2M"; format "128 KiB". */
#ifndef FWSLOT_SIZE_H
#define FWSLOT_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* The forms size_parse accepts, for messages. */
#define SIZE_FORMS "a byte count (65536, 0x10000) or K/KiB, M/MiB, G/GiB multiples (64K, 2M)"

enum size_result {
	SIZE_OK,
	SIZE_NO_DIGITS,  /* empty, a sign, or no digit before the unit */
	SIZE_BAD_UNIT,   /* trailing text that is no unit ("64Q", "64 K") */
	SIZE_HEX_UNIT,   /* a unit after hex digits: "0x1B" would be ambiguous */
	SIZE_ZERO,       /* no slot or margin is 0 bytes */
	SIZE_TOO_LARGE,  /* above 2^48 */
};

/*
 * Parses s (NUL-terminated) into *out, which it leaves alone unless SIZE_OK.
 * Accepted: decimal or 0x-hex digits, then optional K/k/KiB/KB, M/m/MiB/MB,
 * G/g/GiB/GB (binary multiples).
 */
enum size_result size_parse(const char *s, uint64_t *out);

/* What was wrong, for a message: "unknown unit" and so on ("" for SIZE_OK). */
const char *size_result_text(enum size_result r);

/* Writes "128 KiB" for exact multiples of 1 KiB/1 MiB, else "131584 bytes". */
void size_format(uint64_t v, char *buf, size_t bufsz);

/* Writes the shortest form size_parse accepts back: "64K", "2M", "131584". */
void size_format_arg(uint64_t v, char *buf, size_t bufsz);

#endif
