/* SPDX-License-Identifier: MIT */
/* Firmware volume headers at every offset a caller might probe (lib/fv.c). */
#include "diag.h"
#include "fuzz.h"
#include "fv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t offs[] = { 0, 0x1000, size > 0x48 ? size - 0x48 : 0, size, UINT64_MAX - 0x10 };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct fv_header h;
		struct diag d;

		diag_init(&d);
		if (fv_is_at(data, size, offs[i]) && fv_parse(data, size, offs[i], &h, "fuzz FV", &d) == FV_OK)
			FUZZ_ASSERT(h.header_length >= 0x48 && offs[i] + h.fv_length <= size);
	}
	return 0;
}
