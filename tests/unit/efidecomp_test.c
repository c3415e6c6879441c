/* SPDX-License-Identifier: MIT */
/* UEFI decompression and compressed EFI option ROM images: what decodes, and what is refused with its numbers. */
#include <stdlib.h>

#include "bytes.h"
#include "diag.h"
#include "efidecomp.h"
#include "optrom.h"
#include "romgen.h"
#include "t.h"

static uint8_t src[1 << 18], packed[1 << 19], out[1 << 18];

static int roundtrip(size_t n, int rle, size_t *packed_len)
{
	struct diag d;
	size_t c = gen_efi_compress(packed, sizeof(packed), src, n, rle);

	*packed_len = c;
	diag_init(&d);
	return c && efi_decompress(packed, c, EFICOMP_PBIT_EFI, out, n, &d) == 0 && memcmp(out, src, n) == 0;
}

static int decodes(size_t len, size_t out_len, struct diag *d)
{
	diag_init(d);
	return efi_decompress(packed, len, EFICOMP_PBIT_EFI, out, out_len, d);
}

static void literals_and_runs(void)
{
	size_t c;

	srand(7);
	for (size_t i = 0; i < 4096; i++)
		src[i] = (uint8_t)rand();
	src[0] = 255; /* the 9-bit literal */
	CHECK(roundtrip(4096, 0, &c), "4096 random bytes, literals only (%zu packed)", c);
	CHECK(roundtrip(1, 0, &c), "one byte");
	memset(src, 0, 30000);
	CHECK(roundtrip(30000, 1, &c) && c < 30000 / 2, "30000 zeros as runs: %zu packed", c);
	/* more symbols than one block holds (65535): the tables come again */
	for (size_t i = 0; i < 70000; i++)
		src[i] = (uint8_t)(i * 7);
	CHECK(roundtrip(70000, 0, &c), "70000 bytes in two blocks");
}

static void refusals(void)
{
	struct diag d;
	size_t c;
	uint32_t comp;

	for (size_t i = 0; i < 512; i++)
		src[i] = (uint8_t)(i * 13);
	c = gen_efi_compress(packed, sizeof(packed), src, 512, 0);
	comp = (uint32_t)(c - EFICOMP_HDR_SIZE);
	CHECK(decodes(c, 512, &d) == 0, "baseline: %s", diag_first(&d));
	CHECK(decodes(7, 512, &d) < 0 && DIAG_HAS(&d, "header needs 8 bytes, 7 there"), "%s", diag_first(&d));
	/* the file ends before the CompSize bytes the header announces: limit-1, limit */
	CHECK(decodes(c - 1, 512, &d) < 0 && DIAG_HAS(&d, "runs past the"), "cut by 1: %s", diag_first(&d));
	CHECK(decodes(c, 511, &d) < 0 && DIAG_HAS(&d, "OrigSize 512, output buffer 511"), "%s", diag_first(&d));
	/* a header that admits the cut: the stream runs dry before OrigSize bytes */
	wr_le32(packed + EFICOMP_COMP_OFF, comp / 2);
	CHECK(decodes(c, 512, &d) < 0 && DIAG_HAS(&d, "ended at output offset"), "short stream: %s", diag_first(&d));
	wr_le32(packed + EFICOMP_COMP_OFF, comp);
	/* a copy before the first byte: the first symbol a match */
	memset(src, 9, 8);
	c = gen_efi_compress(packed, sizeof(packed), src, 8, 1);
	CHECK(decodes(c, 8, &d) == 0 && out[7] == 9, "runs decode: %s", diag_first(&d));
	{
		/* symbol 511 (a 3-byte match) right after the tables, at output 0 */
		size_t tables_bits = 16 + 5 + 12 * 3 + 2 + 9 + 257 + 4 + 4, at = EFICOMP_HDR_SIZE + tables_bits / 8;
		unsigned sh = tables_bits % 8;

		/* the first code is the literal 9 (00001001): turn it into 511 (111111111) */
		packed[at] |= (uint8_t)(0xFF >> sh);
		packed[at + 1] |= (uint8_t)(0xFF << (7 - sh));
		CHECK(decodes(c, 8, &d) < 0 && DIAG_HAS(&d, "copy from 1 bytes back at output offset 0"),
		      "%s", diag_first(&d));
	}
	/* extra-set lengths that are no prefix code: three 1-bit codes */
	c = gen_efi_compress(packed, sizeof(packed), src, 8, 0);
	/* T lengths start at bit 21 of the stream: 000 000 000 00 000... set the first to 1 */
	packed[EFICOMP_HDR_SIZE + 2] |= 0x01 << 2; /* bits 21-23: 001 */
	CHECK(decodes(c, 8, &d) < 0 && DIAG_HAS(&d, "bad extra-set code lengths"), "%s", diag_first(&d));
	/* every byte corrupted in turn: refused or decoded, never out of bounds (ASan judges) */
	for (size_t i = 0; i < 40; i++) {
		c = gen_efi_compress(packed, sizeof(packed), src, 8, 0);
		packed[EFICOMP_HDR_SIZE + i] ^= 0xA5;
		decodes(c, 8, &d);
	}
	CHECK(1, "corruption sweep ran");
}

/* a ROM: legacy image + EFI image holding a compressed PE */
static size_t compressed_rom(uint8_t *rom, uint16_t pe_machine, int corrupt)
{
	struct gen_image leg = { 2048, ROM_CODE_X86, 0x8086, 0x100e, 0x02, 0, 1 };
	struct gen_image efi = { 8192, ROM_CODE_EFI, 0x8086, 0x100e, 0x02, 1, 1 };
	uint8_t *e = rom + leg.length;
	size_t c;

	memset(rom, 0, leg.length + efi.length);
	gen_image(rom, &leg);
	gen_image(e, &efi);
	memset(src, 0, 3000);
	gen_pe(src, pe_machine, 11);
	c = gen_efi_compress(e + GEN_EFI_PE, efi.length - GEN_EFI_PE, src, 3000, 1);
	wr_le16(e + ROM_EFI_COMPRESS, ROM_EFI_COMPRESSED);
	if (corrupt)
		wr_le32(e + GEN_EFI_PE + EFICOMP_ORIG_OFF, 3000 + 64); /* promises more than the stream has */
	return c ? leg.length + efi.length : 0;
}

static void option_roms(void)
{
	static uint8_t rom[16384];
	struct optrom r;
	struct diag d;
	size_t n = compressed_rom(rom, 0x8664, 0);

	diag_init(&d);
	CHECK(n && optrom_parse(rom, n, &r, &d) == 0 && r.n == 2 && r.img[1].efi_compression == 1 &&
	      r.img[1].efi_size == 3000 && r.img[1].efi_pe_ok && r.img[1].pe_machine == 0x8664 &&
	      r.img[1].efi_stored < 3000, "compressed EFI image: %s", diag_first(&d));
	n = compressed_rom(rom, 0x014C, 0);
	diag_init(&d);
	CHECK(optrom_parse(rom, n, &r, &d) < 0 &&
	      DIAG_HAS(&d, "image 1 at 0x800: PE machine 0x014c (decompressed), the ROM header says 0x8664"),
	      "%s", diag_first(&d));
	n = compressed_rom(rom, 0x8664, 1);
	diag_init(&d);
	CHECK(optrom_parse(rom, n, &r, &d) < 0 && DIAG_HAS(&d, "image 1 at 0x800: EFI image does not decompress"),
	      "%s", diag_first(&d));
	/* OrigSize past the limit is refused before anything is allocated */
	compressed_rom(rom, 0x8664, 0);
	wr_le32(rom + 2048 + GEN_EFI_PE + EFICOMP_ORIG_OFF, ROM_EFI_MAX_IMAGE + 1);
	diag_init(&d);
	CHECK(optrom_parse(rom, n, &r, &d) < 0 && DIAG_HAS(&d, "decompresses to 16777217 bytes (1 to 16777216 allowed)"),
	      "%s", diag_first(&d));
}

int main(void)
{
	T_RUN(literals_and_runs);
	T_RUN(refusals);
	T_RUN(option_roms);
	return T_END("efidecomp");
}
