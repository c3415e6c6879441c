/* SPDX-License-Identifier: MIT */
/* Bounded decoding of compressed prefixes (lib/unpack.c): data made by the real compressors. */
#include <bzlib.h>
#include <lzma.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "diag.h"
#include "romgen.h"
#include "t.h"
#include "unpack.h"

#define PLAIN 200000 /* more than a chunk (16 KiB) in and out */
static uint8_t plain[PLAIN], packed[2 * PLAIN], out[2 * PLAIN];
static size_t packed_len;
static struct gen_mem file = { packed, 0 }; /* file.n: where the "file" ends for gen_mem_read */

/* plain[0..n) compressed in format f into to; its length */
static size_t pack(enum unpack_format f, size_t n, uint8_t *to, size_t cap)
{
	switch (f) {
	case UNPACK_GZIP:
		return gen_deflate(16 + MAX_WBITS, plain, n, to, cap);
	case UNPACK_DEFLATE:
		return gen_deflate(-12, plain, n, to, cap);
	case UNPACK_BZIP2: {
		unsigned int m = (unsigned int)cap;

		return BZ2_bzBuffToBuffCompress((char *)to, &m, (char *)plain, (unsigned int)n, 9, 0, 0) == BZ_OK ? m : 0;
	}
	case UNPACK_XZ: {
		size_t m = 0;

		return lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, plain, n, to, &m, cap) == LZMA_OK ? m : 0;
	}
	case UNPACK_ZSTD: {
		size_t m = ZSTD_compress(to, cap, plain, n, 3);

		return ZSTD_isError(m) ? 0 : m;
	}
	}
	return 0;
}

static const enum unpack_format all[] = { UNPACK_GZIP, UNPACK_BZIP2, UNPACK_XZ, UNPACK_ZSTD, UNPACK_DEFLATE };

static void setup(enum unpack_format f)
{
	for (size_t i = 0; i < PLAIN; i++) /* compressible, not trivially: no run is longer than 251 */
		plain[i] = (uint8_t)(i % 251 ^ i / 4096);
	packed_len = pack(f, PLAIN, packed, sizeof(packed));
	file.n = packed_len;
}

static void test_each_format_decodes_whole(void)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct diag d;
		size_t got = 0;
		int ended = 0;

		setup(all[i]);
		diag_init(&d);
		CHECK(packed_len > 0 && unpack_prefix(all[i], gen_mem_read, &file, 0, packed_len, out, sizeof(out), &got, &ended, &d) == LIB_OK &&
		      got == PLAIN && ended && !memcmp(out, plain, PLAIN), "%s: %zu packed, %zu out, ended %d: %s",
		      unpack_format_name(all[i]), packed_len, got, ended, diag_first(&d));
	}
}

static void test_prefix_stops_at_cap_and_reads_little(void)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct diag d;
		size_t got = 0;
		int ended = 0;

		setup(all[i]);
		diag_init(&d);
		CHECK(unpack_prefix(all[i], gen_mem_read, &file, 0, packed_len, out, 1000, &got, &ended, &d) == LIB_OK && got == 1000 &&
		      !ended && !memcmp(out, plain, 1000), "%s: 1000 of %d: %zu out, ended %d: %s", unpack_format_name(all[i]),
		      PLAIN, got, ended, diag_first(&d));
	}
}

static void test_cut_data_is_a_short_prefix(void)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct diag d;
		size_t got = 0;
		int ended = 1;

		setup(all[i]);
		diag_init(&d);
		/* what is there decodes; not ended, fewer bytes than asked: the caller says the file is cut */
		CHECK(unpack_prefix(all[i], gen_mem_read, &file, 0, packed_len / 2, out, sizeof(out), &got, &ended, &d) == LIB_OK &&
		      !ended && got < PLAIN && !memcmp(out, plain, got), "%s: half of it: %zu out, ended %d: %s",
		      unpack_format_name(all[i]), got, ended, diag_first(&d));
		/* asked for more than the file has: refused, saying so */
		diag_init(&d);
		CHECK(unpack_prefix(all[i], gen_mem_read, &file, 0, packed_len + 1, out, sizeof(out), &got, &ended, &d) == LIB_REFUSED &&
		      DIAG_HAS(&d, "are not all in the file"), "%s: one byte past the file: %s", unpack_format_name(all[i]),
		      diag_first(&d));
	}
}

static void test_corrupt_data_is_refused_by_name(void)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct diag d;
		size_t got = 0;
		int ended = 0;
		char says[32];
		enum lib_result r;

		setup(all[i]);
		memset(packed + 2, 0xff, 8); /* the gzip, bzip2, xz and zstd headers; deflate's first block */
		diag_init(&d);
		r = unpack_prefix(all[i], gen_mem_read, &file, 0, packed_len, out, sizeof(out), &got, &ended, &d);
		snprintf(says, sizeof(says), "%s data at 0x0: not valid", unpack_format_name(all[i]));
		CHECK(r == LIB_REFUSED && DIAG_HAS(&d, says), "%s: %s", unpack_format_name(all[i]), diag_first(&d));
	}
}

static void test_concatenated_members_and_frames(void)
{
	static const enum unpack_format cat[] = { UNPACK_GZIP, UNPACK_BZIP2, UNPACK_XZ, UNPACK_ZSTD };

	for (size_t i = 0; i < sizeof(cat) / sizeof(cat[0]); i++) {
		struct diag d;
		size_t a, b, got = 0;
		int ended = 0;

		setup(cat[i]);
		a = pack(cat[i], 1000, packed, sizeof(packed));
		b = pack(cat[i], 1000, packed + a, sizeof(packed) - a);
		file.n = a + b;
		diag_init(&d);
		CHECK(unpack_prefix(cat[i], gen_mem_read, &file, 0, a + b, out, sizeof(out), &got, &ended, &d) == LIB_OK && got == 2000 &&
		      ended && !memcmp(out + 1000, plain, 1000), "%s: two of them: %zu out: %s", unpack_format_name(cat[i]),
		      got, diag_first(&d));
	}
	/* a qcow2 cluster's deflate ends where its sector's padding starts */
	setup(UNPACK_DEFLATE);
	{
		struct diag d;
		size_t n = pack(UNPACK_DEFLATE, 4096, packed, sizeof(packed)), got = 0;
		int ended = 0;

		memset(packed + n, 0x5a, 300);
		file.n = n + 300;
		diag_init(&d);
		CHECK(unpack_prefix(UNPACK_DEFLATE, gen_mem_read, &file, 0, n + 300, out, sizeof(out), &got, &ended, &d) == LIB_OK &&
		      got == 4096 && ended, "deflate and padding: %zu out: %s", got, diag_first(&d));
	}
}

/* A header asking for more memory than UNPACK_MEMORY is refused before anything is allocated for it. */
static void test_memory_a_header_asks_for_is_capped(void)
{
	/* zstd: a frame whose window descriptor says 128 MiB (exponent 17: libzstd alone would take it), then an empty last raw block */
	static const uint8_t zs[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x88, 0x01, 0x00, 0x00 };
	struct diag d;
	size_t got = 0, n, hs;
	int ended = 0;

	memcpy(packed, zs, sizeof(zs));
	file.n = sizeof(zs);
	diag_init(&d);
	CHECK(unpack_prefix(UNPACK_ZSTD, gen_mem_read, &file, 0, sizeof(zs), out, sizeof(out), &got, &ended, &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "needs more than 64 MiB"), "zstd, 128 MiB window: %s", diag_first(&d));
	/* the same frame with a 64 MiB window (exponent 16) decodes: nothing out, ended */
	packed[5] = 0x80;
	diag_init(&d);
	CHECK(unpack_prefix(UNPACK_ZSTD, gen_mem_read, &file, 0, sizeof(zs), out, sizeof(out), &got, &ended, &d) == LIB_OK && got == 0 &&
	      ended, "zstd, 64 MiB window: %s", diag_first(&d));
	/* xz: the LZMA2 dictionary of the first block set to 1 GiB (props 36), its header CRC32 made right */
	setup(UNPACK_XZ);
	n = packed_len;
	hs = ((size_t)packed[12] + 1) * 4;  /* block header size, after the 12-byte stream header */
	{
		size_t at = 12 + 2; /* size, flags, then the sizes when present (varints), then the filter */

		for (int bit = 0x40; bit <= 0x80; bit <<= 1)
			if (packed[13] & bit)
				while (packed[at++] & 0x80)
					;
		CHECK(packed[at] == 0x21 && packed[at + 1] == 1, "an LZMA2 filter with a 1-byte props at 0x%zx", at);
		packed[at + 2] = 36;
	}
	{
		uint32_t c = (uint32_t)crc32(0, packed + 12, (uInt)(hs - 4));

		for (int k = 0; k < 4; k++)
			packed[12 + hs - 4 + k] = (uint8_t)(c >> (8 * k));
	}
	diag_init(&d);
	CHECK(unpack_prefix(UNPACK_XZ, gen_mem_read, &file, 0, n, out, sizeof(out), &got, &ended, &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "needs more than 64 MiB"), "xz, 1 GiB dictionary: %s", diag_first(&d));
}

int main(void)
{
	T_RUN(test_each_format_decodes_whole);
	T_RUN(test_prefix_stops_at_cap_and_reads_little);
	T_RUN(test_cut_data_is_a_short_prefix);
	T_RUN(test_corrupt_data_is_refused_by_name);
	T_RUN(test_concatenated_members_and_frames);
	T_RUN(test_memory_a_header_asks_for_is_capped);
	return T_END("unpack");
}
