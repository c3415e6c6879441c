/* SPDX-License-Identifier: MIT */
/* Bounded little-endian readers over (ptr, len) buffers, and small helpers. */
#ifndef FWSLOT_BYTES_H
#define FWSLOT_BYTES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Each reader returns 0 and stores the value when the n bytes at off lie inside
 * [0, len); otherwise it returns -1 and leaves *v untouched. The bound is written
 * as `off > len || n > len - off`, which cannot wrap for any off.
 */
static inline int in_bounds(size_t len, uint64_t off, uint64_t n)
{
	return !(off > len || n > len - off);
}

static inline int rd_u8(const uint8_t *p, size_t len, uint64_t off, uint8_t *v)
{
	if (!in_bounds(len, off, 1))
		return -1;
	*v = p[off];
	return 0;
}

static inline int rd_le16(const uint8_t *p, size_t len, uint64_t off, uint16_t *v)
{
	if (!in_bounds(len, off, 2))
		return -1;
	*v = (uint16_t)(p[off] | (uint16_t)p[off + 1] << 8);
	return 0;
}

static inline int rd_le32(const uint8_t *p, size_t len, uint64_t off, uint32_t *v)
{
	if (!in_bounds(len, off, 4))
		return -1;
	*v = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
	     (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
	return 0;
}

static inline int rd_le64(const uint8_t *p, size_t len, uint64_t off, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;

	if (!in_bounds(len, off, 8))
		return -1;
	rd_le32(p, len, off, &lo);
	rd_le32(p, len, off + 4, &hi);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Big-endian (QEMU's migration stream, qcow2), same contract as the le readers. */
static inline int rd_be16(const uint8_t *p, size_t len, uint64_t off, uint16_t *v)
{
	if (!in_bounds(len, off, 2))
		return -1;
	*v = (uint16_t)(p[off] << 8 | p[off + 1]);
	return 0;
}

static inline int rd_be32(const uint8_t *p, size_t len, uint64_t off, uint32_t *v)
{
	if (!in_bounds(len, off, 4))
		return -1;
	*v = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
	return 0;
}

static inline int rd_be64(const uint8_t *p, size_t len, uint64_t off, uint64_t *v)
{
	uint32_t hi = 0, lo = 0;

	if (!in_bounds(len, off, 8))
		return -1;
	rd_be32(p, len, off, &hi);
	rd_be32(p, len, off + 4, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static inline void wr_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void wr_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void wr_le64(uint8_t *p, uint64_t v)
{
	wr_le32(p, (uint32_t)v);
	wr_le32(p + 4, (uint32_t)(v >> 32));
}

/* 1 if all n bytes at off (inside len) equal b; 0 otherwise or out of bounds. */
int bytes_all(const uint8_t *p, size_t len, uint64_t off, uint64_t n, uint8_t b);

/* The value of one hex digit (0-9, a-f, A-F), or -1: the one hex parser the
 * size strings, GUIDs and PCI ids share. */
int hex_digit(char c);

/* p[0..n) as lower-case hex into out (outn bytes, NUL-terminated when outn > 0),
 * cut at a whole byte when it does not fit. */
void hex_encode(const uint8_t *p, size_t n, char *out, size_t outn);
/* Smallest power of two >= v, for v in [1, 2^63]; 0 for v == 0 or larger. */
uint64_t pow2ceil(uint64_t v);

/*
 * UCS-2 (UTF-16LE) at p[0..nsize) as UTF-8 into out (outn bytes, always
 * NUL-terminated when outn > 0), up to the first NUL; surrogate pairs joined,
 * a lone surrogate as U+FFFD, controls as '?'; cut at a whole character.
 */
void ucs2_to_utf8(const uint8_t *p, size_t nsize, char *out, size_t outn);

#endif
