/* SPDX-License-Identifier: MIT */
/* PCI option ROM chains: legacy, EFI, VGA, ISA-style (lib/optrom.c). */
#include "diag.h"
#include "fuzz.h"
#include "optrom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct optrom r;
	struct diag d;

	diag_init(&d);
	optrom_parse(data, size, &r, &d);
	FUZZ_ASSERT(r.n <= OPTROM_MAX_IMAGES && r.used <= size && r.used + r.trailing == size);
	return 0;
}
