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

static int find(void)
{
	struct diag d;

	diag_init(&d);
	return fv_find_module(img, IMG, GUID_FTW_PEI, &d);
}

int main(void)
{
	static uint8_t vol[0x8000];
	size_t n;

	/* a "volume" naming FaultTolerantWritePei somewhere inside */
	memset(vol, 0x5A, sizeof(vol));
	memcpy(vol + 0x1234, GUID_FTW_PEI, 16);
	memset(img, 0xFF, IMG);
	n = lzma_section(0x100, vol, sizeof(vol));
	CHECK(n > 0 && find() == 1, "module in the section: %d (section 0x%zx bytes)", find(), n);

	/* the same volume without it: decoded, not found */
	memset(vol + 0x1234, 0x5A, 16);
	memset(img, 0xFF, IMG);
	lzma_section(0x100, vol, sizeof(vol));
	CHECK(find() == 0, "module absent: %d", find());

	/* no section at all, or one whose stream is damaged: cannot tell */
	memset(img, 0xFF, IMG);
	CHECK(find() == -1, "no section: %d", find());
	memcpy(vol + 0x1234, GUID_FTW_PEI, 16);
	lzma_section(0x100, vol, sizeof(vol));
	memset(img + 0x100 + GUIDED_HDR_SIZE + LZMA_HDR_SIZE + 8, 0x00, 64);
	CHECK(find() == -1, "damaged stream: %d", find());
	/* an uncompressed size past the limit is not decoded */
	memset(img, 0xFF, IMG);
	lzma_section(0x100, vol, sizeof(vol));
	wr_le64(img + 0x100 + GUIDED_HDR_SIZE + 5, UINT64_C(1) << 40);
	CHECK(find() == -1, "size 1 TiB: %d", find());
	/* a section size past the image: the GUID bytes alone are not a section */
	memset(img, 0xFF, IMG);
	lzma_section(0x100, vol, sizeof(vol));
	img[0x102] = 0x7F;
	CHECK(find() == -1, "section runs past the image: %d", find());
	return T_END("fvmodule");
}
