/* SPDX-License-Identifier: MIT */
/* Size string parsing and formatting (see size.h). */
#include "size.h"

#include "bytes.h"

#include <stdio.h>
#include <string.h>

#define SIZE_LIMIT (UINT64_C(1) << 48)

static int digit_val(char c, unsigned base)
{
	int v = hex_digit(c);

	return v >= 0 && (unsigned)v < base ? v : -1;
}

enum size_result size_parse(const char *s, uint64_t *out)
{
	static const struct { const char *sfx; unsigned shift; } units[] = {
		{ "", 0 },
		{ "K", 10 }, { "k", 10 }, { "KiB", 10 }, { "KB", 10 },
		{ "M", 20 }, { "m", 20 }, { "MiB", 20 }, { "MB", 20 },
		{ "G", 30 }, { "g", 30 }, { "GiB", 30 }, { "GB", 30 },
	};
	unsigned base = 10;
	uint64_t v = 0;
	size_t ndig = 0;
	int d;

	if (!s)
		return SIZE_NO_DIGITS;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; (d = digit_val(*s, base)) >= 0; s++, ndig++) {
		v = v * base + (unsigned)d;
		if (v > SIZE_LIMIT)
			return SIZE_TOO_LARGE;
	}
	if (ndig == 0)
		return SIZE_NO_DIGITS;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].sfx) != 0)
			continue;
		if (base == 16 && units[i].shift)
			return SIZE_HEX_UNIT;
		if (v > (SIZE_LIMIT >> units[i].shift))
			return SIZE_TOO_LARGE;
		if (v == 0)
			return SIZE_ZERO;
		*out = v << units[i].shift;
		return SIZE_OK;
	}
	return SIZE_BAD_UNIT;
}

const char *size_result_text(enum size_result r)
{
	switch (r) {
	case SIZE_OK: return "";
	case SIZE_NO_DIGITS: return "no digits";
	case SIZE_BAD_UNIT: return "unknown unit";
	case SIZE_HEX_UNIT: return "a unit after hex digits is ambiguous";
	case SIZE_ZERO: return "zero";
	case SIZE_TOO_LARGE: return "above 2^48";
	}
	return "?";
}

void size_format(uint64_t v, char *buf, size_t bufsz)
{
	if (v && v % (UINT64_C(1) << 20) == 0)
		snprintf(buf, bufsz, "%llu MiB", (unsigned long long)(v >> 20));
	else if (v && v % 1024 == 0)
		snprintf(buf, bufsz, "%llu KiB", (unsigned long long)(v >> 10));
	else
		snprintf(buf, bufsz, "%llu bytes", (unsigned long long)v);
}

void size_format_arg(uint64_t v, char *buf, size_t bufsz)
{
	if (v && v % (UINT64_C(1) << 20) == 0)
		snprintf(buf, bufsz, "%lluM", (unsigned long long)(v >> 20));
	else if (v && v % 1024 == 0)
		snprintf(buf, bufsz, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(buf, bufsz, "%llu", (unsigned long long)v);
}
