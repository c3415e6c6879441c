/* SPDX-License-Identifier: MIT */
/* UEFI decompression (lib/efidecomp.c): any bytes as a compressed stream, both bit widths. */
#include "diag.h"
#include "efidecomp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1 << 20];
	uint32_t comp, orig;
	struct diag d;

	diag_init(&d);
	if (efi_decomp_header(data, size, &comp, &orig, &d) != LIB_OK || orig > sizeof(out))
		return 0;
	FUZZ_ASSERT((uint64_t)comp + EFICOMP_HDR_SIZE <= size);
	efi_decompress(data, size, EFICOMP_PBIT_EFI, out, orig, &d);
	diag_init(&d);
	efi_decompress(data, size, EFICOMP_PBIT_TIANO, out, orig, &d);
	return 0;
}
