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

int size_parse(const char *s, uint64_t *out)
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
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; (d = digit_val(*s, base)) >= 0; s++, ndig++) {
		v = v * base + (unsigned)d;
		if (v > SIZE_LIMIT)
			return -1;
	}
	if (ndig == 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].sfx) != 0)
			continue;
		/* a unit after hex digits would be ambiguous ("0x1B") */
		if (base == 16 && units[i].shift)
			return -1;
		if (v > (SIZE_LIMIT >> units[i].shift))
			return -1;
		v <<= units[i].shift;
		if (v == 0)
			return -1;
		*out = v;
		return 0;
	}
	return -1;
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
