/* SPDX-License-Identifier: MIT */
/* Finding a module by FILE_GUID inside OVMF's LZMA-compressed volumes. */
#include <stdlib.h>

#include "bytes.h"
#include "diag.h"
#include "fvmodule.h"
#include "romgen.h"
#include "t.h"

#define IMG 0x4000
static uint8_t img[IMG];

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
	return gen_lzma_section(img, IMG, 0x100, vol, sizeof(vol));
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
