/* SPDX-License-Identifier: MIT */
/*
 * OVMF varstores as a guest can write them: FV header, variable store (plain
 * and authenticated), the variable walk, event log, FTW working block with its
 * CRC and write queue, and the layout compare (lib/varstore.c); what OVMF's
 * flash and FTW drivers make of them at boot (lib/ftwboot.c).
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ftwboot.h"
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
	/* the FTW start-up: bounded, within the spare and before the working block */
	{
		uint8_t *view = malloc(size ? size : 1);
		struct ftw_boot fb;
		int rc;

		FUZZ_ASSERT(view != NULL);
		rc = ftw_boot(data, size, view, &fb);
		FUZZ_ASSERT(rc == 0 ? fb.action < FTW_BOOT_REFORMAT : fb.action >= FTW_BOOT_REFORMAT && fb.why[0]);
		if (fb.action == FTW_BOOT_RESTART)
			FUZZ_ASSERT(fb.length <= size / 2 && fb.target + fb.length <= size / 2 - 0x1000);
		if (rc < 0 && fb.action == FTW_BOOT_UNKNOWN)
			FUZZ_ASSERT(memcmp(view, data, size) == 0);
		diag_init(&d);
		varstore_parse(view, size, &a, &d);
		varstore_free(&a);
		free(view);
	}
	return 0;
}
