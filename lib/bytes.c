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

/* Appends code point cp as UTF-8 if it fits before the NUL; returns the new length. */
static size_t put_utf8(char *out, size_t outn, size_t n, uint32_t cp)
{
	uint8_t b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xC0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xE0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (uint8_t)(0x80 | (cp & 0x3F));
		k = 4;
	}
	if (n + k >= outn)
		return n;
	memcpy(out + n, b, k);
	return n + k;
}

void ucs2_to_utf8(const uint8_t *p, size_t nsize, char *out, size_t outn)
{
	size_t n = 0;

	if (outn == 0)
		return;
	for (size_t i = 0; i + 1 < nsize && n + 1 < outn; i += 2) {
		uint32_t c = (uint32_t)(p[i] | p[i + 1] << 8);
		size_t before = n;

		if (c == 0)
			break;
		if (c >= 0xD800 && c < 0xDC00 && i + 3 < nsize) {
			uint32_t lo = (uint32_t)(p[i + 2] | p[i + 3] << 8);

			if (lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (c >= 0xD800 && c < 0xE000)
			c = 0xFFFD; /* a lone surrogate */
		else if (c < 0x20 || c == 0x7F)
			c = '?';
		n = put_utf8(out, outn, n, c);
		if (n == before)
			break; /* the next character does not fit */
	}
	out[n] = '\0';
}

void hex_encode(const uint8_t *p, size_t n, char *out, size_t outn)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;

	if (outn == 0)
		return;
	for (size_t i = 0; i < n && k + 2 < outn; i++) {
		out[k++] = hex[p[i] >> 4];
		out[k++] = hex[p[i] & 15];
	}
	out[k] = '\0';
}
