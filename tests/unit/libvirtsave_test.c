/* SPDX-License-Identifier: MIT */
/* libvirt's save image header and the domain XML's machine type and loader (lib/libvirtsave.c). */
#include <string.h>

#include "bytes.h"
#include "diag.h"
#include "libvirtsave.h"
#include "t.h"

static uint8_t img[512];

static size_t build(const char *magic, uint32_t version, uint32_t format, const char *xml)
{
	size_t n = strlen(xml) + 1;

	memset(img, 0, sizeof(img));
	memcpy(img, magic, 16);
	wr_le32(img + 16, version);
	wr_le32(img + 20, (uint32_t)n + 64);
	wr_le32(img + 28, format);
	memcpy(img + LIBVIRT_SAVE_HDR, xml, n);
	return LIBVIRT_SAVE_HDR + n + 64;
}

static const char XML[] = "<domain type='kvm'><os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type>"
			  "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader></os></domain>";

static void test_header_and_xml(void)
{
	struct libvirt_save h;
	struct diag d;
	size_t n = build("LibvirtQemudSave", 2, LV_GZIP, XML);

	diag_init(&d);
	CHECK(libvirt_save_parse(img, n, &h, &d) == LIB_OK && h.format == LV_GZIP && h.stream_off == n,
	      "%s; stream at 0x%llx", diag_first(&d), (unsigned long long)h.stream_off);
	CHECK(!strcmp(h.machine, "pc-q35-7.2") && !strcmp(h.loader, "OVMF_CODE_4M.ms.fd"), "machine '%s', loader '%s'",
	      h.machine, h.loader);
	/* the header alone: the stream's offset, nothing of the XML yet */
	diag_init(&d);
	CHECK(libvirt_save_parse(img, LIBVIRT_SAVE_HDR, &h, &d) == LIB_OK && h.stream_off == n && !h.machine[0],
	      "header only: %s", diag_first(&d));
	/* every format libvirt writes is read: the stream's place does not depend on it */
	for (uint32_t f = LV_RAW; f < LV_FORMATS; f++) {
		build("LibvirtQemudSave", 2, f, XML);
		diag_init(&d);
		CHECK(libvirt_save_parse(img, n, &h, &d) == LIB_OK && h.format == f && h.stream_off == n,
		      "format %u (%s): %s", f, libvirt_format_name(f), diag_first(&d));
	}
	/* written on a big-endian host */
	build("LibvirtQemudSave", 0, 0, XML);
	img[16 + 3] = 2;
	wr_le32(img + 20, __builtin_bswap32((uint32_t)sizeof(XML) + 64));
	diag_init(&d);
	CHECK(libvirt_save_parse(img, n, &h, &d) == LIB_OK && h.version == 2 && h.stream_off == n, "swapped: %s",
	      diag_first(&d));
}

static const struct { const char *name, *magic; uint32_t version, format; const char *says; } bad[] = {
	{ "still being written", "LibvirtQemudPart", 2, 0, "still being written (LibvirtQemudPart)" },
	{ "not one", "LibvirtQemudXXXX", 2, 0, "not a libvirt save image" },
	{ "version 3", "LibvirtQemudSave", 0x03000000, 0, "version 3" },
	{ "format 7", "LibvirtQemudSave", 2, LV_FORMATS, "in unknown format 7 (0 raw to 6 sparse)" },
	{ "format 9", "LibvirtQemudSave", 2, 9, "in unknown format 9" },
};

static void test_refusals(void)
{
	struct libvirt_save h;
	struct diag d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = build(bad[i].magic, bad[i].version, bad[i].format, XML);

		diag_init(&d);
		CHECK(libvirt_save_parse(img, n, &h, &d) == LIB_REFUSED && DIAG_HAS(&d, bad[i].says), "%s: '%s'",
		      bad[i].name, diag_first(&d));
	}
	diag_init(&d);
	CHECK(libvirt_save_parse(img, 91, &h, &d) == LIB_REFUSED && DIAG_HAS(&d, "shorter than 92"), "91 bytes");
	build("LibvirtQemudSave", 2, 0, XML);
	wr_le32(img + 20, LIBVIRT_SAVE_DATA_MAX + 1);
	diag_init(&d);
	CHECK(libvirt_save_parse(img, sizeof(img), &h, &d) == LIB_REFUSED && DIAG_HAS(&d, "data length 16777217"),
	      "'%s'", diag_first(&d));
}

int main(void)
{
	T_RUN(test_header_and_xml);
	T_RUN(test_refusals);
	return T_END("libvirtsave");
}
