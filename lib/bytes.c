/* SPDX-License-Identifier: MIT */
/* Byte-range helpers shared by the format parsers. */
#include "bytes.h"

#include <string.h>

int bytes_all(const uint8_t *p, size_t len, uint64_t off, uint64_t n, uint8_t b)
{
	if (!in_bounds(len, off, n))
		return 0;
	if (n == 0)
		return 1;
	/* every byte equals the first iff the range equals itself shifted by one:
	 * memcmp's vector loop instead of a byte loop (varstores are mostly 0xFF) */
	return p[off] == b && memcmp(p + off, p + off + 1, (size_t)n - 1) == 0;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

uint64_t pow2ceil(uint64_t v)
{
	uint64_t r = 1;

	if (v == 0 || v > (UINT64_C(1) << 63))
		return 0;
	while (r < v)
		r <<= 1;
	return r;
}
