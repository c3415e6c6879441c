/* SPDX-License-Identifier: MIT */
/*
 * Malformed-input sweep over real option ROMs: truncations and field
 * corruptions must fail, naming the field. With --state, over real saved VMs
 * (states.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "diag.h"
#include "image.h"
#include "optrom.h"
#include "sweep.h"
#include "t.h"

static const char *wdir; /* --write DIR: keep one corrupted copy per field */

uint8_t *sweep_load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(2);
	}
	b = malloc((size_t)n);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* the bytes must not analyse cleanly, and a message must name the field */
static void must_fail(const char *file, const char *what, const uint8_t *p, size_t len, const char *field)
{
	struct image_report r;
	struct diag d;
	int rc;

	diag_init(&d);
	rc = image_analyse(p, len, &r, &d);
	CHECK(rc < 0, "%s: %s: accepted as a clean %s", file, what, image_kind_name(r.kind));
	if (field)
		CHECK(DIAG_HAS(&d, field), "%s: %s: wanted '%s', got '%s'", file, what, field, diag_first(&d));
}

static void keep(const char *file, const char *tag, const uint8_t *p, size_t len)
{
	char path[4096];
	const char *base = strrchr(file, '/');
	FILE *f;

	if (!wdir)
		return;
	snprintf(path, sizeof(path), "%s/%s.%s", wdir, base ? base + 1 : file, tag);
	f = fopen(path, "wb");
	if (f) {
		fwrite(p, 1, len, f);
		fclose(f);
	}
}

struct corruption {
	const char *tag;     /* file suffix with --write */
	const char *field;   /* expected in the message */
};

static void sweep_rom(const char *file)
{
	size_t len;
	uint8_t *orig = sweep_load(file, &len), *b = malloc(len);
	struct image_report r;
	struct diag d;

	diag_init(&d);
	CHECK(image_analyse(orig, len, &r, &d) == 0, "%s: the pristine image fails: %s", file, diag_first(&d));
	if (r.kind != KIND_OPTROM && r.kind != KIND_VGA) {
		free(orig);
		free(b);
		return;
	}

	/* every 512-byte truncation point (the chain ends exactly at len) */
	for (size_t k = 0; k < len; k += 512) {
		char what[64];

		snprintf(what, sizeof(what), "truncated at 0x%zx", k);
		must_fail(file, what, orig, k, k == 0 ? "empty" : NULL);
	}

	for (size_t i = 0; i < r.rom.n; i++) {
		const struct optrom_image *im = &r.rom.img[i];
		const uint64_t o = im->offset, pc = o + im->pcir_off;
		const size_t hdr[] = { 1, 2, 3, 0x18, 0x19 };
		const size_t pcf[] = { 0, 4, PCIR_STRUCT_LEN, PCIR_IMAGE_LEN, PCIR_CODE_TYPE, PCIR_INDICATOR };
		char what[96];

		/* truncated inside each header field */
		for (size_t k = 0; k < sizeof(hdr) / sizeof(hdr[0]); k++) {
			snprintf(what, sizeof(what), "image %zu truncated at header byte 0x%zx", i, hdr[k]);
			must_fail(file, what, orig, o + hdr[k], "truncated");
		}
		if (im->has_pcir)
			for (size_t k = 0; k < sizeof(pcf) / sizeof(pcf[0]); k++) {
				snprintf(what, sizeof(what), "image %zu truncated at PCIR+0x%zx", i, pcf[k]);
				must_fail(file, what, orig, pc + pcf[k], "PCIR pointer");
			}

#define CORRUPT(tag_, field_, stmt) do { \
		memcpy(b, orig, len); stmt; \
		snprintf(what, sizeof(what), "image %zu: %s", i, tag_); \
		must_fail(file, what, b, len, field_); \
		if (i == r.rom.n - 1) keep(file, tag_, b, len); } while (0)

		CORRUPT("signature", "signature 0x", b[o] ^= 0xFF);
		if (im->is_efi) {
			CORRUPT("efi-signature", "EFI signature", b[o + ROM_EFI_SIG_OFF] ^= 1);
			CORRUPT("efi-init-size", "EFI initialization size", wr_le16(b + o + ROM_EFI_INIT_SIZE, 0));
		} else {
			CORRUPT("size-byte", "size byte 0", b[o + ROM_LEGACY_SIZE] = 0);
			CORRUPT("checksum", "legacy checksum", b[o + im->init_size - 1] ^= 0x01);
		}
		if (!im->has_pcir) {
			CORRUPT("size-byte-big", "size byte says", b[o + ROM_LEGACY_SIZE] = 0xFF);
			continue;
		}
		CORRUPT("pcir-pointer", "PCIR pointer", wr_le16(b + o + ROM_PCIR_PTR, (uint16_t)(im->pcir_off + 1)));
		CORRUPT("pcir-pointer-ffff", "PCIR pointer 0xffff", wr_le16(b + o + ROM_PCIR_PTR, 0xFFFF));
		CORRUPT("pcir-signature", "\"PCIR\" signature", b[pc + 3] = 'X');
		CORRUPT("pcir-length", "PCIR structure length", wr_le16(b + pc + PCIR_STRUCT_LEN, 0x10));
		CORRUPT("image-length-0", "PCIR image length 0", wr_le16(b + pc + PCIR_IMAGE_LEN, 0));
		CORRUPT("image-length-big", "PCIR image length", wr_le16(b + pc + PCIR_IMAGE_LEN, 0xFFFF));
		if (im->last)
			CORRUPT("last-flag", "last-image flag missing", b[pc + PCIR_INDICATOR] &= (uint8_t)~PCIR_LAST_IMAGE);
#undef CORRUPT
	}
	free(orig);
	free(b);
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 1 && strcmp(argv[1], "--state") == 0) {
		sweep_states(argc - 2, argv + 2, &t_pass, &t_fail);
		return T_END("sweep (saved VMs)");
	}
	if (argc > 2 && strcmp(argv[1], "--write") == 0) {
		wdir = argv[2];
		i = 3;
	}
	for (; i < argc; i++)
		sweep_rom(argv[i]);
	return T_END("sweep");
}
