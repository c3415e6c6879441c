/* SPDX-License-Identifier: MIT */
/*
 * OVMF varstores as a guest can write them: FV header, variable store (plain
 * and authenticated), the variable walk, event log, FTW working block with its
 * CRC and write queue, and the layout compare (lib/varstore.c).
 */
#include "diag.h"
#include "fuzz.h"
#include "varstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct varstore a, b;
	struct diag d, c;

	diag_init(&d);
	varstore_parse(data, size, &a, &d);
	FUZZ_ASSERT(a.nlive + a.ndeleted <= a.nvars);
	/* the same bytes as their own template, and as a half-size template */
	diag_init(&d);
	varstore_parse(data, size / 2, &b, &d);
	diag_init(&c);
	varstore_compare_layout(&a, &a, &c);
	FUZZ_ASSERT(c.n == 0);
	diag_init(&c);
	varstore_compare_layout(&a, &b, &c);
	varstore_free(&a);
	varstore_free(&b);
	return 0;
}
