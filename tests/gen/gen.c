/* SPDX-License-Identifier: MIT */
/*
 * Writes the CLI tests' fixture images into a directory (all made at test
 * time); with --regress, the fuzzers' regression inputs into DIR/HARNESS/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytes.h"
#include "efidecomp.h"
#include "optrom.h"
#include "romgen.h"

static const char *dir;

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

/*
 * Inputs that once broke a parser, replayed by every fuzz run (tests/fuzz/run.sh):
 * a TDX descriptor at offset 0 or 8 of the CODE left no room for the GUID
 * before it, and parse_tdx read 16 bytes before the image (fixed in 4ed50d8).
 */
static int regress(const char *top)
{
	static uint8_t img[GEN_CODE_SIZE];
	static char sub[4096];

	snprintf(sub, sizeof(sub), "%s/ovmfcode", top);
	if ((mkdir(top, 0777) != 0 && errno != EEXIST) || (mkdir(sub, 0777) != 0 && errno != EEXIST)) {
		perror(sub);
		return 2;
	}
	dir = sub;
	gen_code_good(img);
	gen_code_table(img, 0, GEN_CODE_SIZE, 2, 16 + 2 * 32);
	put("tdx-descriptor-at-0", img, sizeof(img));
	gen_code_good(img);
	gen_code_table(img, 0, GEN_CODE_SIZE - 8, 2, 16 + 2 * 32);
	put("tdx-descriptor-at-8", img, sizeof(img));
	return 0;
}

/* A store of MIB MiB full of transition records (gen_vars_transitions), for bench/. */
static int transitions(const char *path, const char *mib)
{
	char *end;
	unsigned long m = strtoul(mib, &end, 10);
	size_t len;
	uint8_t *b;
	FILE *f;

	if (*end || m < 1 || m > 1024) {
		fprintf(stderr, "gen: --transitions: MIB from 1 to 1024, not '%s'\n", mib);
		return 2;
	}
	len = (size_t)m << 20;
	if (!(b = malloc(len)))
		return 2;
	gen_vars_transitions(b, len);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		free(b);
		return 2;
	}
	free(b);
	return 0;
}

/*
 * gen --efi-image ROM OUT: the PE image of ROM's first EFI image, decompressed
 * when it is EFI-compressed (iPXE 2.0's efi-*.rom), for tests that look inside
 * it (iPXE's product version). Exit 1 when ROM holds no such image.
 */
static int efi_image(const char *rom, const char *outpath)
{
	static uint8_t in[1 << 20];
	struct optrom r;
	struct diag d;
	uint8_t *pe = NULL;
	size_t len, i;
	FILE *f = fopen(rom, "rb");
	int rc = 1;

	if (!f) {
		perror(rom);
		return 2;
	}
	len = fread(in, 1, sizeof(in), f);
	fclose(f);
	diag_init(&d);
	if (optrom_parse(in, len, &r, &d) != LIB_OK) {
		fprintf(stderr, "gen: %s: not a well-formed option ROM chain\n", rom);
		goto out;
	}
	for (i = 0; i < r.n && !r.img[i].is_efi; i++)
		;
	if (i == r.n || !r.img[i].efi_pe_ok) {
		fprintf(stderr, "gen: %s: no EFI image with a PE inside\n", rom);
		goto out;
	}
	{
		const struct optrom_image *m = &r.img[i];
		const uint8_t *src = in + m->offset + m->efi_pe_off;
		size_t avail = (size_t)m->length - m->efi_pe_off;

		if (!(pe = malloc(m->efi_size)))
			goto out;
		if (m->efi_compression == 0)
			memcpy(pe, src, m->efi_size);
		else if (efi_decompress(src, avail, EFICOMP_PBIT_EFI, pe, m->efi_size, &d) != LIB_OK) {
			fprintf(stderr, "gen: %s: the EFI image does not decompress\n", rom);
			goto out;
		}
		f = fopen(outpath, "wb");
		if (!f || fwrite(pe, 1, m->efi_size, f) != m->efi_size || fclose(f) != 0) {
			perror(outpath);
			rc = 2;
			goto out;
		}
		rc = 0;
	}
out:
	free(pe);
	return rc;
}

int main(int argc, char **argv)
{
	static uint8_t b[1 << 20];
	struct gen_image nic = { 36864, ROM_CODE_X86, 0x8086, 0x100e, 0x02, 1, 1 };
	struct gen_image leg = { 36864, ROM_CODE_X86, 0x8086, 0x100e, 0x02, 0, 1 };
	struct gen_image efi = { 65536, ROM_CODE_EFI, 0x8086, 0x100e, 0x02, 1, 1 };
	struct gen_image vga = { 32768, ROM_CODE_X86, 0x1234, 0x1111, 0x03, 1, 1 };
	struct gen_image isa = { 30720, ROM_CODE_X86, 0, 0, 0x03, 1, 0 };

	if (argc == 3 && !strcmp(argv[1], "--regress"))
		return regress(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "--transitions"))
		return transitions(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "--efi-image"))
		return efi_image(argv[2], argv[3]);
	if (argc != 2) {
		fprintf(stderr, "usage: gen DIR | gen --regress DIR | gen --transitions FILE MIB | gen --efi-image ROM OUT\n");
		return 2;
	}
	dir = argv[1];

	memset(b, 0, sizeof(b));
	gen_image(b, &nic);
	put("nic.rom", b, nic.length);                    /* one legacy image, 36 KiB */
	/* a ROM one 512-byte block past 64 KiB: its BAR doubles to 128 KiB */
	nic.length = 66048;
	memset(b, 0, sizeof(b));
	gen_image(b, &nic);
	put("nic-66048.rom", b, nic.length);
	nic.length = 36864;

	memset(b, 0, sizeof(b));
	gen_image(b, &leg);
	gen_image(b + leg.length, &efi);
	put("chain.rom", b, leg.length + efi.length);     /* legacy + EFI, 100 KiB */
	put("chain-cut.rom", b, leg.length);              /* EFI image cut off */

	/* the same chain with its EFI image EFI-compressed, as Debian 13's efi-*.rom */
	{
		static uint8_t pe[4096], stream[8192];
		size_t c;

		memset(b, 0, sizeof(b));
		gen_image(b, &leg);
		gen_image(b + leg.length, &efi);
		memset(pe, 0, sizeof(pe));
		gen_pe(pe, 0x8664, 11);
		c = gen_efi_compress(stream, sizeof(stream), pe, sizeof(pe), 1);
		memcpy(b + leg.length + GEN_EFI_PE, stream, c);
		wr_le16(b + leg.length + ROM_EFI_COMPRESS, ROM_EFI_COMPRESSED);
		put("chain-compressed.rom", b, leg.length + efi.length);
		put("efi-stream.bin", stream, c);
	}

	/* varstores caught in the middle of a write (romgen.h, gen_vars_torn) */
	{
		static const struct { enum gen_torn kind; const char *name; } torn[] = {
			{ GEN_TORN_RESTART, "torn-restart.fd" }, { GEN_TORN_DISCARD, "torn-discard.fd" },
			{ GEN_TORN_REFORMAT, "torn-reformat.fd" }, { GEN_TORN_WORKSPACE, "torn-workspace.fd" },
			{ GEN_TORN_UNKNOWN, "torn-unknown.fd" },
		};

		for (size_t i = 0; i < sizeof(torn) / sizeof(torn[0]); i++) {
			gen_vars_torn(b, torn[i].kind);
			put(torn[i].name, b, GEN_TORN_LEN);
		}
		/* the same reclaim cut in the 4M layout (the QEMU test's torn store is a 2M one) */
		gen_vars_torn_len(b, GEN_TORN_LEN_4M, GEN_TORN_RESTART);
		put("torn-restart-4m.fd", b, GEN_TORN_LEN_4M);
	}

	memset(b, 0, sizeof(b));
	gen_image(b, &vga);
	put("vga.rom", b, vga.length);
	memset(b, 0, sizeof(b));
	gen_image(b, &isa);
	put("isa-vga.rom", b, isa.length);

	memset(b, 0, sizeof(b));
	gen_image(b, &nic);
	b[100] ^= 0x5A;                                   /* checksum now off */
	put("bad-checksum.rom", b, nic.length);

	memset(b, 0, sizeof(b));
	gen_image(b, &nic);
	b[GEN_PCIR_OFF + PCIR_INDICATOR] = 0;             /* last flag missing */
	gen_fix_checksum(b, nic.length);
	put("no-last.rom", b, nic.length);

	memset(b, 0, sizeof(b));
	gen_image(b, &nic);
	wr_le16(b + ROM_PCIR_PTR, 0x8FF0);               /* PCIR pointer outside */
	gen_fix_checksum(b, nic.length);
	put("pcir-outside.rom", b, nic.length);

	gen_bios(b, 65536, 1000);
	put("bios-64k.bin", b, 65536);
	gen_bios(b, 65536 + 512, 1000);
	put("bios-odd.bin", b, 65536 + 512);
	gen_bios(b, 131072, 65536 + 1000);
	put("bios-128k-padded.bin", b, 131072);

	memset(b, 0x11, 4096);
	put("junk.bin", b, 4096);
	put("empty.bin", b, 0);
	return 0;
}
