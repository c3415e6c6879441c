/* SPDX-License-Identifier: MIT */
/* Finding a module by FILE_GUID inside OVMF's LZMA-compressed volumes. */
#include <lzma.h>
#include <stdlib.h>

#include "bytes.h"
#include "diag.h"
#include "fvmodule.h"
#include "t.h"

#define IMG 0x4000
static uint8_t img[IMG];

/* EE4E5898-3914-4259-9D6E-DC7BD79403CF, as stored */
static const uint8_t lzma_guid[16] = {
	0x98, 0x58, 0x4e, 0xee, 0x14, 0x39, 0x59, 0x42, 0x9d, 0x6e, 0xdc, 0x7b, 0xd7, 0x94, 0x03, 0xcf
};

/* A GUID-defined LZMA section at off holding data (n bytes), ".lzma" format; returns its size. */
static size_t lzma_section(size_t off, const uint8_t *data, size_t n)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	uint8_t *out = img + off + GUIDED_HDR_SIZE;
	size_t size;

	lzma_lzma_preset(&opt, 6);
	if (lzma_alone_encoder(&s, &opt) != LZMA_OK)
		return 0;
	s.next_in = data;
	s.avail_in = n;
	s.next_out = out;
	s.avail_out = IMG - off - GUIDED_HDR_SIZE;
	if (lzma_code(&s, LZMA_FINISH) != LZMA_STREAM_END)
		return 0;
	size = GUIDED_HDR_SIZE + (IMG - off - GUIDED_HDR_SIZE - s.avail_out);
	lzma_end(&s);
	wr_le64(out + 5, n); /* EDK2 writes the size (the encoder leaves it unknown) */
	img[off] = (uint8_t)size;
	img[off + 1] = (uint8_t)(size >> 8);
	img[off + 2] = (uint8_t)(size >> 16);
	img[off + 3] = SECTION_GUID_DEFINED;
	memcpy(img + off + 4, lzma_guid, 16);
	wr_le16(img + off + GUIDED_DATA_OFF, GUIDED_HDR_SIZE);
	return size;
}

static enum fv_module_result find(void)
{
	struct diag d;

	diag_init(&d);
	return fv_find_module(img, IMG, GUID_FTW_PEI, &d);
}

static uint8_t vol[0x8000];

/* a "volume" naming FaultTolerantWritePei (or not) at 0x1234, as the one LZMA section at 0x100 */
static size_t image_with(int named)
{
	memset(vol, 0x5A, sizeof(vol));
	if (named)
		memcpy(vol + 0x1234, GUID_FTW_PEI, 16);
	memset(img, 0xFF, IMG);
	return lzma_section(0x100, vol, sizeof(vol));
}

static void test_found(void)
{
	size_t n = image_with(1);

	CHECK(n > 0 && find() == FV_MODULE_FOUND, "module in the section: %d (section 0x%zx bytes)", find(), n);
}

static void test_absent(void)
{
	image_with(0);
	CHECK(find() == FV_MODULE_ABSENT, "decoded, not there: %d", find());
}

/* Nothing decodable: cannot tell, which is not "absent". */
static void test_undecoded(void)
{
	memset(img, 0xFF, IMG);
	CHECK(find() == FV_MODULE_UNDECODED, "no section: %d", find());
	image_with(1);
	memset(img + 0x100 + GUIDED_HDR_SIZE + LZMA_HDR_SIZE + 8, 0x00, 64);
	CHECK(find() == FV_MODULE_UNDECODED, "damaged stream: %d", find());
	/* an uncompressed size past the limit is not decoded */
	image_with(1);
	wr_le64(img + 0x100 + GUIDED_HDR_SIZE + 5, UINT64_C(1) << 40);
	CHECK(find() == FV_MODULE_UNDECODED, "size 1 TiB: %d", find());
	/* a section size past the image: the GUID bytes alone are not a section */
	image_with(1);
	img[0x102] = 0x7F;
	CHECK(find() == FV_MODULE_UNDECODED, "section runs past the image: %d", find());
}

int main(void)
{
	T_RUN(test_found);
	T_RUN(test_absent);
	T_RUN(test_undecoded);
	return T_END("fvmodule");
}
