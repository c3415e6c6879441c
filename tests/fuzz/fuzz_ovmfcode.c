/* SPDX-License-Identifier: MIT */
/* OVMF CODE: volumes, reset-vector GUID table, TDX metadata (lib/ovmfcode.c);
 * modules found through its LZMA sections (lib/fvmodule.c). */
#include "diag.h"
#include "fuzz.h"
#include "fvmodule.h"
#include "ovmfcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ovmf_code c;
	struct diag d;
	const char *layout;

	diag_init(&d);
	ovmf_code_parse(data, size, &c, &d);
	FUZZ_ASSERT(c.nfv <= CODE_MAX_FVS && c.nentries <= GUID_TABLE_MAX && c.nsections <= TDX_MAX_SECTIONS);
	if (c.has_tdx)
		FUZZ_ASSERT(c.tdx_off >= 16 && c.tdx_off < size);
	(void)ovmf_vars_size_for_code(size, &layout);
	diag_init(&d);
	FUZZ_ASSERT(fv_find_module(data, size, GUID_FTW_PEI, &d) <= FV_MODULE_NO_MEMORY);
	return 0;
}
