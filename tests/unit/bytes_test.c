/* SPDX-License-Identifier: MIT */
/* Bounded readers at len-1 / len / len+1 and offsets near SIZE_MAX; pow2ceil. */
#include <stdint.h>

#include <string.h>

#include "bytes.h"
#include "diag.h"
#include "t.h"

/* Each reader at its last fitting offset, one past it, and at offsets that wrap. */
static void test_readers_at_the_end(void)
{
	const uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint16_t v16 = 0;
	uint32_t v32 = 0;
	uint64_t v64 = 0;
	uint8_t v8 = 0;

	CHECK(rd_le16(b, 8, 6, &v16) == 0 && v16 == 0x0807, "last u16 %x", v16);
	CHECK(rd_le16(b, 8, 7, &v16) < 0, "u16 at len-1 must fail");
	CHECK(rd_le16(b, 8, 8, &v16) < 0, "u16 at len must fail");
	CHECK(rd_u8(b, 8, 7, &v8) == 0 && v8 == 8, "u8 at len-1");
	CHECK(rd_u8(b, 8, 8, &v8) < 0, "u8 at len");
	CHECK(rd_le32(b, 8, 4, &v32) == 0 && v32 == 0x08070605, "u32 %x", v32);
	CHECK(rd_le32(b, 8, 5, &v32) < 0, "u32 at len-3");
	CHECK(rd_le64(b, 8, 0, &v64) == 0 && v64 == 0x0807060504030201ULL, "u64");
	CHECK(rd_le64(b, 8, 1, &v64) < 0, "u64 past end");
	CHECK(rd_le32(b, 8, UINT64_MAX, &v32) < 0, "offset UINT64_MAX");
	CHECK(rd_le32(b, 8, UINT64_MAX - 2, &v32) < 0, "offset wrapping to 1");
}

static void test_in_bounds(void)
{
	CHECK(!in_bounds(SIZE_MAX, SIZE_MAX, 1), "off == len, n 1");
	CHECK(in_bounds(8, 8, 0), "empty range at the end is in bounds");
	CHECK(!in_bounds(8, 1, UINT64_MAX), "huge n");
}

/* The one hex digit parser: each range at its ends and just outside them. */
static void test_hex_digit(void)
{
	static const struct { char c; int v; } hx[] = {
		{ '0', 0 }, { '9', 9 }, { 'a', 10 }, { 'f', 15 }, { 'A', 10 }, { 'F', 15 },
		{ '/', -1 }, { ':', -1 }, { '`', -1 }, { 'g', -1 }, { '@', -1 }, { 'G', -1 }, { '\0', -1 },
	};

	for (size_t i = 0; i < sizeof(hx) / sizeof(hx[0]); i++)
		CHECK(hex_digit(hx[i].c) == hx[i].v, "hex_digit('%c') = %d", hx[i].c, hex_digit(hx[i].c));
}

/* A run of 0xFF with one other byte at its first, middle and last place, and none. */
static void test_bytes_all(void)
{
	const uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static uint8_t ff[4099];
	const size_t places[] = { 0, sizeof(ff) / 2, sizeof(ff) - 1, sizeof(ff) /* none */ };

	CHECK(bytes_all(b, 8, 0, 0, 0xFF), "empty run");
	CHECK(!bytes_all(b, 8, 7, 2, 8), "run past the end");
	for (size_t k = 0; k < sizeof(places) / sizeof(places[0]); k++) {
		const size_t at = places[k];

		memset(ff, 0xFF, sizeof(ff));
		if (at < sizeof(ff))
			ff[at] = 0xFE;
		CHECK(bytes_all(ff, sizeof(ff), 0, sizeof(ff), 0xFF) == (at == sizeof(ff)), "0xfe at %zu", at);
	}
	memset(ff, 0xFF, sizeof(ff));
	ff[sizeof(ff) - 1] = 0xFE;
	CHECK(!bytes_all(ff, sizeof(ff), 1, sizeof(ff) - 1, 0xFF), "0xfe last, run from 1");
	CHECK(bytes_all(ff, sizeof(ff), 1, sizeof(ff) - 2, 0xFF), "the same run one short of it");
	CHECK(!bytes_all(ff, sizeof(ff), 0, 1, 0x00), "one byte of another value");
	CHECK(bytes_all(ff, sizeof(ff), 5, 1, 0xFF), "a run of one");
}

/* A PCI BAR is pow2ceil(file size); past 2^63 there is no power of two (0). */
static void test_pow2ceil(void)
{
	static const struct { uint64_t in, out; } p2[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 4 }, { 65535, 65536 }, { 65536, 65536 },
		{ 65537, 131072 }, { 66048, 131072 }, { 249856, 262144 },
		{ (1ULL << 63) - 1, 1ULL << 63 }, { 1ULL << 63, 1ULL << 63 }, { (1ULL << 63) + 1, 0 },
	};

	for (size_t i = 0; i < sizeof(p2) / sizeof(p2[0]); i++)
		CHECK(pow2ceil(p2[i].in) == p2[i].out, "pow2ceil(%llu) = %llu",
		      (unsigned long long)p2[i].in, (unsigned long long)pow2ceil(p2[i].in));
}

static void test_hex_encode(void)
{
	static const uint8_t b[3] = { 0x00, 0xAB, 0x7f };
	char s[7];

	hex_encode(b, 3, s, 7);
	CHECK(!strcmp(s, "00ab7f"), "three bytes in seven: %s", s);
	hex_encode(b, 3, s, 6);
	CHECK(!strcmp(s, "00ab"), "one byte short of room: cut at a whole byte: %s", s);
	hex_encode(b, 0, s, 7);
	CHECK(s[0] == '\0', "nothing: empty");
	s[0] = 'x';
	hex_encode(b, 3, s, 0);
	CHECK(s[0] == 'x', "no room: nothing written");
}

int main(void)
{
	T_RUN(test_readers_at_the_end);
	T_RUN(test_in_bounds);
	T_RUN(test_hex_digit);
	T_RUN(test_bytes_all);
	T_RUN(test_pow2ceil);
	T_RUN(test_hex_encode);
	return T_END("bytes");
}
