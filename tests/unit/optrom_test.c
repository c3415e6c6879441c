/* SPDX-License-Identifier: MIT */
/* Option ROM chain walker: valid chains, and each defect at its limit, naming the field. */
#include <stdlib.h>

#include "bytes.h"
#include "diag.h"
#include "optrom.h"
#include "romgen.h"
#include "t.h"

static uint8_t buf[(OPTROM_MAX_IMAGES + 2) * 1024];

static const struct gen_image NIC = { 4096, ROM_CODE_X86, 0x8086, 0x100e, 0x02, 1, 1 };

/* parse buf[0..len): expect ok, or an error containing `field` */
static void expect(const char *name, size_t len, const char *field, size_t nimg)
{
	struct optrom r;
	struct diag d;
	enum lib_result rc;

	diag_init(&d);
	rc = optrom_parse(buf, len, &r, &d);
	if (!field) {
		CHECK(rc == LIB_OK && diag_count(&d, DIAG_ERROR) == 0, "%s: %s", name, diag_first(&d));
		CHECK(r.n == nimg, "%s: %zu images", name, r.n);
	} else {
		CHECK(rc == LIB_REFUSED, "%s: result %d, expected LIB_REFUSED", name, (int)rc);
		CHECK(DIAG_HAS(&d, field), "%s: wanted '%s', got '%s'", name, field, diag_first(&d));
	}
}

static void fresh(const struct gen_image *g)
{
	memset(buf, 0, sizeof(buf));
	gen_image(buf, g);
}

/* One legacy image, and the same cut short. */
static void test_one_image_and_truncations(void)
{
	fresh(&NIC);
	expect("one legacy image", 4096, NULL, 1);
	expect("truncated by one block", 4096 - 512, "runs past the end of the file", 0);
	expect("truncated inside the header", 0x19, "header truncated", 0);
	expect("one byte", 1, "signature truncated", 0);
	expect("empty", 0, "empty file", 0);
}

/* PCIR structure length: 0x17 (limit-1) fails, 0x18 ok */
static void test_pcir_length(void)
{
	fresh(&NIC);
	wr_le16(buf + GEN_PCIR_OFF + PCIR_STRUCT_LEN, 0x17);
	gen_fix_checksum(buf, NIC.length);
	expect("PCIR length 0x17", 4096, "PCIR structure length", 0);
	wr_le16(buf + GEN_PCIR_OFF + PCIR_STRUCT_LEN, 0x18);
	gen_fix_checksum(buf, NIC.length);
	expect("PCIR length 0x18", 4096, NULL, 1);
}

/* PCIR pointer: last place a 0x18 structure fits, one past it, and garbage */
static void test_pcir_pointer(void)
{
	fresh(&NIC);
	memmove(buf + 4096 - 0x18, buf + GEN_PCIR_OFF, 0x18);
	memset(buf + GEN_PCIR_OFF, 0, 0x18);
	wr_le16(buf + ROM_PCIR_PTR, 4096 - 0x18);
	wr_le16(buf + 4096 - 0x18 + PCIR_STRUCT_LEN, 0x18);
	gen_fix_checksum(buf, NIC.length);
	expect("PCIR at the last fitting offset", 4096, NULL, 1);
	wr_le16(buf + ROM_PCIR_PTR, 4096 - 0x17);
	gen_fix_checksum(buf, NIC.length);
	expect("PCIR one byte later", 4096, "PCIR pointer", 0);
	wr_le16(buf + ROM_PCIR_PTR, 0xFFFF);
	expect("PCIR pointer 0xffff", 4096, "PCIR pointer 0xffff", 0);
	fresh(&NIC);
	buf[GEN_PCIR_OFF] = 'X';
	gen_fix_checksum(buf, NIC.length);
	expect("PCIR signature", 4096, "no \"PCIR\" signature", 0);
}

/* image length 0, size byte 0, size byte larger than the image */
static void test_lengths_and_size_byte(void)
{
	fresh(&NIC);
	wr_le16(buf + GEN_PCIR_OFF + PCIR_IMAGE_LEN, 0);
	expect("image length 0", 4096, "PCIR image length 0", 0);
	fresh(&NIC);
	buf[ROM_LEGACY_SIZE] = 0;
	gen_fix_checksum(buf, NIC.length);
	expect("size byte 0", 4096, "size byte 0", 0);
	fresh(&NIC);
	buf[ROM_LEGACY_SIZE] = 9;
	expect("size byte > image", 4096, "more than the PCIR image length", 0);
}

/* checksum, signature, last flag */
static void test_checksum_signature_last_flag(void)
{
	fresh(&NIC);
	buf[200]++;
	expect("checksum", 4096, "legacy checksum 0x01", 0);
	fresh(&NIC);
	buf[1] = 0xAB;
	expect("signature", 4096, "signature 0xab55", 0);
	fresh(&NIC);
	buf[GEN_PCIR_OFF + PCIR_INDICATOR] = 0;
	gen_fix_checksum(buf, NIC.length);
	expect("no last flag", 4096, "last-image flag missing", 0);
}

/* legacy + EFI chain; EFI field defects */
static void test_legacy_and_efi_chain(void)
{
	struct gen_image l = NIC, e = { 4096, ROM_CODE_EFI, 0x8086, 0x100e, 0x02, 1, 1 };

	l.last = 0;
	memset(buf, 0, sizeof(buf));
	gen_image(buf, &l);
	gen_image(buf + 4096, &e);
	expect("legacy + EFI", 8192, NULL, 2);
	expect("EFI image cut", 4096, "last-image flag missing", 0);
	wr_le32(buf + 4096 + ROM_EFI_SIG_OFF, 0x0EF2);
	expect("EFI signature", 8192, "EFI signature 0xef2", 0);
	wr_le32(buf + 4096 + ROM_EFI_SIG_OFF, ROM_EFI_SIG);
	wr_le16(buf + 4096 + ROM_EFI_INIT_SIZE, 9);
	expect("EFI init size > image", 8192, "EFI initialization size 4608", 0);
	wr_le16(buf + 4096 + ROM_EFI_INIT_SIZE, 8);
	wr_le16(buf + 4096 + ROM_EFI_PE_OFF, 4095);
	expect("EFI PE offset at len-1", 8192, "does not point at a PE image", 0);
}

/* ISA-style image (no PCIR), alone and inside a chain */
static void test_isa_style_image(void)
{
	struct gen_image isa = { 2048, ROM_CODE_X86, 0, 0, 0x03, 1, 0 };
	struct gen_image l = NIC;

	fresh(&isa);
	expect("ISA image", 2048, NULL, 1);
	expect("ISA image short", 1536, "size byte says 2048 bytes", 0);
	l.last = 0;
	memset(buf, 0, sizeof(buf));
	gen_image(buf, &l);
	gen_image(buf + 4096, &isa);
	expect("ISA image second in a chain", 4096 + 2048, "PCIR pointer 0", 0);
}

/* chain length: OPTROM_MAX_IMAGES images ok, one more refused */
static void test_chain_length(void)
{
	struct gen_image s = { 1024, ROM_CODE_X86, 0x8086, 0x100e, 0x02, 0, 1 };

	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < OPTROM_MAX_IMAGES; i++) {
		s.last = i == OPTROM_MAX_IMAGES - 1;
		gen_image(buf + i * 1024, &s);
	}
	expect("16 images", OPTROM_MAX_IMAGES * 1024, NULL, OPTROM_MAX_IMAGES);
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i <= OPTROM_MAX_IMAGES; i++) {
		s.last = i == OPTROM_MAX_IMAGES;
		gen_image(buf + i * 1024, &s);
	}
	expect("17 images", (OPTROM_MAX_IMAGES + 1) * 1024, "more than 16 images", 0);
}

/* trailing bytes after the last image: padding is fine, data is a warning */
static void test_trailing_bytes(void)
{
	struct optrom r;
	struct diag d;

	fresh(&NIC);
	diag_init(&d);
	CHECK(optrom_parse(buf, 8192, &r, &d) == 0 && r.trailing == 4096 && r.trailing_pad,
	      "zero padding: %s", diag_first(&d));
	memset(buf + 4096, 0xFF, 4096);
	diag_init(&d);
	CHECK(optrom_parse(buf, 8192, &r, &d) == 0 && r.trailing_pad, "0xff padding");
	buf[5000] = 1;
	diag_init(&d);
	CHECK(optrom_parse(buf, 8192, &r, &d) == 0 && !r.trailing_pad &&
	      diag_count(&d, DIAG_WARN) == 1, "data after the chain");
}

int main(void)
{
	T_RUN(test_one_image_and_truncations);
	T_RUN(test_pcir_length);
	T_RUN(test_pcir_pointer);
	T_RUN(test_lengths_and_size_byte);
	T_RUN(test_checksum_signature_last_flag);
	T_RUN(test_legacy_and_efi_chain);
	T_RUN(test_isa_style_image);
	T_RUN(test_chain_length);
	T_RUN(test_trailing_bytes);
	return T_END("optrom");
}
