/* SPDX-License-Identifier: MIT */
/* Varstore migration (lib/varmigrate.c): a guest-written store moved onto a template of its own layout. */
#include <stdlib.h>

#include "diag.h"
#include "fuzz.h"
#include "varmigrate.h"
#include "varstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct migrate_opts prefer = { { "PK", "dbx" }, 2 };
	struct varstore ovs, tvs, nvs;
	struct migrate_report r;
	struct diag d;
	uint8_t *out;

	/* the old store as --force-readable reads it: whatever parsed */
	diag_init(&d);
	varstore_parse(data, size, &ovs, &d);
	/* the same bytes as the template, when they make a valid one */
	diag_init(&d);
	if (varstore_parse(data, size, &tvs, &d) == 0 && (out = malloc(size ? size : 1)) != NULL) {
		for (int k = 0; k < 2; k++) {
			diag_init(&d);
			if (varstore_migrate(data, &ovs, data, size, &tvs, k ? &prefer : NULL, out, &r, &d) == 0) {
				/* whatever it writes reads back with exactly the variables it counted */
				diag_init(&d);
				FUZZ_ASSERT(varstore_parse(out, size, &nvs, &d) == 0);
				FUZZ_ASSERT(nvs.nlive == r.copied + r.kept);
				varstore_free(&nvs);
			}
		}
		free(out);
	}
	varstore_free(&tvs);
	varstore_free(&ovs);
	return 0;
}
