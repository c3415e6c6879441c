/* SPDX-License-Identifier: MIT */
/* Classification and slot checks: the messages users see, with their numbers. */
#include <stdlib.h>

#include "diag.h"
#include "image.h"
#include "optrom.h"
#include "romgen.h"
#include "t.h"

static uint8_t buf[1 << 18];

static int check_opts(size_t len, uint64_t slot, int kind, const struct check_opts *o, struct diag *d,
		      struct image_report *r)
{
	struct slot_spec s = { .slot = slot, .kind = kind };

	diag_init(d);
	image_analyse(buf, len, r, d);
	return image_check(r, &s, o, d);
}

static int check(size_t len, uint64_t slot, int kind, uint64_t min_free, int strict, struct diag *d,
		 struct image_report *r)
{
	struct check_opts o = { .min_free = min_free, .strict = strict };

	return check_opts(len, slot, kind, &o, d, r);
}

static struct gen_image nic = { 66048, ROM_CODE_X86, 0x8086, 0x100e, 0x02, 1, 1 };

/* The Size mismatch story: one 512-byte block past a 128 KiB slot doubles the BAR. */
static void test_one_block_past_the_slot(void)
{
	struct image_report r;
	struct diag d;

	memset(buf, 0, sizeof(buf));
	nic.length = 131584;
	gen_image(buf, &nic);
	buf[ROM_LEGACY_SIZE] = 255; /* the size byte tops out at 127.5 KiB */
	gen_fix_checksum(buf, 255 * 512);
	CHECK(check(131584, 131072, KIND_OPTROM, 0, 0, &d, &r) < 0 &&
	      DIAG_HAS(&d, "131584 bytes exceeds the 128 KiB slot by 512 bytes"), "%s", diag_first(&d));
	CHECK(r.kind == KIND_OPTROM && r.region == 262144, "region doubles: %llu",
	      (unsigned long long)r.region);
}

/* slot - 512, slot, slot + 512 for a 64 KiB ROM slot, as QEMU sees it and padded. */
static void test_rom_slot_limits(void)
{
	struct image_report r;
	struct diag d;

	for (int delta = -1; delta <= 1; delta++) {
		size_t len = (size_t)(65536 + delta * 512);
		struct check_opts padded = { .padded = 1 };

		memset(buf, 0, sizeof(buf));
		nic.length = 32768;
		gen_image(buf, &nic);
		int rc = check(len, 65536, KIND_OPTROM, 0, 0, &d, &r);
		int rcp = check_opts(len, 65536, KIND_OPTROM, &padded, &d, &r);

		if (delta == 0)
			CHECK(rc == 0 && rcp == 0 && r.used == 32768 && image_free(&r, 65536) == 32768,
			      "exact: %s", diag_first(&d));
		else if (delta < 0)
			CHECK(rc == 0 && rcp < 0 && DIAG_HAS(&d, "65024 bytes is 512 bytes short of the 64 KiB slot"),
			      "%s", diag_first(&d));
		else
			CHECK(rc < 0 && rcp < 0 && DIAG_HAS(&d, "66048 bytes exceeds the 64 KiB slot by 512 bytes"),
			      "%s", diag_first(&d));
	}
	/* a slot that is not a power of two would still map pow2ceil */
	CHECK(check(98304, 98304, -1, 0, 0, &d, &r) < 0 && DIAG_HAS(&d, "not a power of two"), "pow2");
	/* unpadded: the region is the slot, so QEMU maps the same block; said as a note */
	CHECK(check(65024, 65536, KIND_OPTROM, 0, 0, &d, &r) == 0 && diag_count(&d, DIAG_NOTE) == 1 &&
	      DIAG_HAS(&d, "unpadded, 65024 bytes: region 64 KiB = slot"), "note: %s", diag_first(&d));
}

/* Half the slot or less maps a smaller region: vgabios-bochs-display.bin at 28672 bytes is 32 KiB. */
static void test_half_the_slot_maps_less(void)
{
	struct image_report r;
	struct diag d;

	for (size_t len = 32768 - 512; len <= 32768 + 512; len += 512) {
		int rc;

		memset(buf, 0, sizeof(buf));
		nic.length = 16384;
		gen_image(buf, &nic);
		rc = check(len, 65536, KIND_OPTROM, 0, 0, &d, &r);
		if (len <= 32768)
			CHECK(rc < 0 && DIAG_HAS(&d, "maps a 32 KiB region, not the 64 KiB slot"), "%zu: %s", len,
			      diag_first(&d));
		else
			CHECK(rc == 0, "%zu: region 64 KiB: %s", len, diag_first(&d));
	}
}

/* The PCI id and the kind must be the manifest's. */
static void test_manifest_id_and_kind(void)
{
	struct image_report r;
	struct diag d;
	struct slot_spec s = { .slot = 65536, .kind = KIND_OPTROM, .has_id = 1, .vendor = 0x10ec, .device = 0x8139 };
	const struct check_opts none = { 0 };

	memset(buf, 0, sizeof(buf));
	nic.length = 16384;
	gen_image(buf, &nic);
	diag_init(&d);
	image_analyse(buf, 65536, &r, &d);
	CHECK(image_check(&r, &s, &none, &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "PCI id 8086:100e, the manifest expects 10ec:8139"), "%s", diag_first(&d));
	s.vendor = 0x8086;
	s.device = 0x100e;
	diag_init(&d);
	CHECK(image_check(&r, &s, &none, &d) == LIB_OK, "id ok: %s", diag_first(&d));
	s.kind = KIND_BIOS;
	diag_init(&d);
	CHECK(image_check(&r, &s, &none, &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "kind optionrom, the manifest expects bios"), "kind");
}

/* A BIOS: sized exactly, front padding, the 64 KiB rule, min-free at limit-1/limit/limit+1. */
static void test_bios(void)
{
	struct image_report r;
	struct diag d;

	gen_bios(buf, 65536, 100);
	CHECK(check(65536, 131072, KIND_BIOS, 0, 0, &d, &r) < 0 &&
	      DIAG_HAS(&d, "65536 bytes is 65536 bytes short of the 128 KiB slot"), "bios short: %s", diag_first(&d));
	gen_bios(buf, 131072, 2048);
	CHECK(check(131072, 131072, KIND_BIOS, 2048, 1, &d, &r) == 0, "free == min-free: %s", diag_first(&d));
	CHECK(r.kind == KIND_BIOS && r.bios.lead_zero == 2048 && r.bios.reset_ok &&
	      r.bios.reset_seg == 0xF000 && r.bios.reset_off == 0xE05B, "bios fields");
	CHECK(check(131072, 131072, KIND_BIOS, 2049, 0, &d, &r) == 0 && diag_count(&d, DIAG_WARN) == 1 &&
	      DIAG_HAS(&d, "only 2048 bytes free in the 128 KiB slot"), "warn: %s", diag_first(&d));
	CHECK(check(131072, 131072, KIND_BIOS, 2049, 1, &d, &r) < 0, "strict turns it into a failure");
	CHECK(check(131072, 131072, KIND_BIOS, 2047, 1, &d, &r) == 0, "free > min-free");
	gen_bios(buf, 65536 + 512, 100);
	CHECK(check(65536 + 512, 65536 + 512, KIND_BIOS, 0, 0, &d, &r) < 0 &&
	      DIAG_HAS(&d, "not a multiple of 64 KiB"), "bios 64K rule: %s", diag_first(&d));
}

/* The slot rule romsize check and pad share: BIOS slots in 64 KiB steps, ROM slots powers of two. */
static void test_slot_rule(void)
{
	static const struct { int kind; uint64_t slot; enum lib_result want; const char *msg; } rules[] = {
		{ KIND_BIOS, 0, LIB_REFUSED, "slot 0 bytes is not a multiple of 64 KiB" },
		{ KIND_BIOS, 65536 - 512, LIB_REFUSED, "slot 65024 bytes is not a multiple of 64 KiB" },
		{ KIND_BIOS, 65536, LIB_OK, "" },
		{ KIND_BIOS, 98304, LIB_REFUSED, "slot 96 KiB is not a multiple of 64 KiB" },
		{ KIND_BIOS, 131072, LIB_OK, "" },
		{ KIND_OPTROM, 65536, LIB_OK, "" },
		{ KIND_VGA, 32768, LIB_OK, "" },
		{ KIND_OPTROM, 98304, LIB_REFUSED, "slot 96 KiB is not a power of two; QEMU's ROM BAR would be 131072 bytes" },
		{ KIND_VGA, 65536 + 512, LIB_REFUSED, "slot 66048 bytes is not a power of two" },
		{ KIND_FLASH, 0x84000, LIB_OK, "" },
	};
	struct diag d;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		diag_init(&d);
		CHECK(image_slot_rule((enum image_kind)rules[i].kind, rules[i].slot, &d) == rules[i].want &&
		      (rules[i].want == LIB_OK ? d.n == 0 : DIAG_HAS(&d, rules[i].msg)),
		      "rule %zu: %s", i, diag_first(&d));
	}
}

/* Unknown bytes, no slot, and too few bytes for a reset vector. */
static void test_unknown_and_no_slot(void)
{
	struct image_report r;
	struct diag d;

	memset(buf, 0x11, 4096);
	CHECK(check(4096, 4096, -1, 0, 0, &d, &r) < 0 && r.kind == KIND_UNKNOWN &&
	      DIAG_HAS(&d, "not a BIOS image, option ROM or flash image"), "unknown");
	gen_bios(buf, 65536, 100);
	CHECK(check(65536, 0, -1, 0, 0, &d, &r) < 0 && DIAG_HAS(&d, "no slot known"), "no slot");
	/* 15 bytes cannot hold a reset vector: unknown, never read before the buffer */
	CHECK(check(15, 65536, -1, 0, 0, &d, &r) < 0 && r.kind == KIND_UNKNOWN, "15 bytes");
}

int main(void)
{
	T_RUN(test_one_block_past_the_slot);
	T_RUN(test_rom_slot_limits);
	T_RUN(test_half_the_slot_maps_less);
	T_RUN(test_manifest_id_and_kind);
	T_RUN(test_bios);
	T_RUN(test_slot_rule);
	T_RUN(test_unknown_and_no_slot);
	return T_END("image");
}
