/* SPDX-License-Identifier: MIT */
/*
 * OVMF varstores as a guest can write them: FV header, variable store (plain
 * and authenticated), the variable walk, event log, FTW working block with its
 * CRC and write queue, and the layout compare (lib/varstore.c); what OVMF's
 * flash and FTW drivers make of them at boot (lib/ftwboot.c), and the verdict
 * fdsplit gives on that against CODE with and without FaultTolerantWritePei
 * (lib/bootstore.c); the Secure Boot keys it holds (lib/secboot.c).
 */
#include <stdlib.h>
#include <string.h>

#include "bootstore.h"
#include "diag.h"
#include "ftwboot.h"
#include "keyupdate.h"
#include "secboot.h"
#include "fuzz.h"
#include "varstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct varstore a, b;
	struct diag d, c;

	diag_init(&d);
	varstore_parse(data, size, &a, &d);
	FUZZ_ASSERT(a.nlive + a.ndeleted <= a.nvars);
	/* its Secure Boot keys, as fdsplit info reads them; each key joined with
	 * itself shifted (PK replacing KEK's data) and appended: a store that
	 * parsed still parses, with the new records live */
	{
		struct sb_state sb;
		enum lib_result pr = varstore_parse(data, size, &b, &c) ;

		varstore_free(&b);
		diag_init(&c);
		if (sb_read(data, size, &a, &sb, &c) == LIB_OK) {
			struct key_update u[SB_NKEYS];
			uint8_t *out = malloc(size ? size : 1);
			uint64_t need, room;
			int ok = 1;

			FUZZ_ASSERT(sb.setup_mode == (sb.key[SB_PK].var == NULL) && out);
			memset(u, 0, sizeof(u));
			for (int k = SB_KEK; k < SB_NKEYS; k++) {
				u[k].key = (enum sb_key_id)k;
				ok &= key_union(data, &sb.key[k], data, &sb.key[(k + 1) % SB_NKEYS], 0, &u[k], &c) == LIB_OK;
			}
			diag_init(&c);
			if (ok && pr == LIB_OK && varstore_append_updates(data, size, &a, u + SB_KEK, SB_NKEYS - SB_KEK, out, &need, &room, &c) == LIB_OK) {
				diag_init(&c);
				FUZZ_ASSERT(varstore_parse(out, size, &b, &c) == LIB_OK);
				varstore_free(&b);
			}
			for (int k = 0; k < SB_NKEYS; k++)
				key_update_free(&u[k]);
			free(out);
			sb_free(&sb);
		}
	}
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
		enum lib_result rc;

		FUZZ_ASSERT(view != NULL);
		rc = ftw_boot(data, size, view, &fb);
		FUZZ_ASSERT(rc == LIB_OK ? fb.action < FTW_BOOT_REFORMAT : fb.action >= FTW_BOOT_REFORMAT && fb.why[0]);
		if (fb.action == FTW_BOOT_RESTART)
			FUZZ_ASSERT(fb.length <= size / 2 && fb.target + fb.length <= size / 2 - 0x1000);
		if (rc != LIB_OK && fb.action == FTW_BOOT_UNKNOWN)
			FUZZ_ASSERT(memcmp(view, data, size) == 0);
		diag_init(&d);
		varstore_parse(view, size, &a, &d);
		varstore_free(&a);
		free(view);
	}
	/* the verdict: a refusal always says why; with CODE that lacks FTW PEI, a restart is refused */
	for (int pei = FV_MODULE_FOUND; pei <= FV_MODULE_UNDECODED; pei++) {
		struct boot_store bs;
		enum lib_result r;

		diag_init(&d);
		r = boot_store_read(data, size, (enum fv_module_result)pei, &bs, &d);
		FUZZ_ASSERT(r == LIB_OK || d.n > 0);
		if (pei == FV_MODULE_ABSENT && bs.fb.action == FTW_BOOT_RESTART)
			FUZZ_ASSERT(r != LIB_OK);
		boot_store_free(&bs);
	}
	return 0;
}
