/* SPDX-License-Identifier: MIT */
/* The slot manifest parser and lookups (lib/slots.c), plus GUID strings (lib/guid.c). */
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "guid.h"
#include "slots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct slot_manifest m;
	struct diag d;
	char s[64];
	uint8_t g[16];

	diag_init(&d);
	if (slots_parse((const char *)data, size, &m, &d) == 0) {
		FUZZ_ASSERT(m.n <= SLOTS_MAX);
		for (size_t i = 0; i < m.n; i++)
			FUZZ_ASSERT(slots_find(&m, m.e[i].name) != NULL);
	}
	(void)slots_find(&m, "pxe-e1000.rom");
	(void)slots_find(&m, "/");
	/* a GUID string round-trips */
	if (size < sizeof(s)) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (guid_parse(s, g) == 0) {
			char back[GUID_STR_LEN];
			uint8_t g2[16];

			guid_format(g, back);
			FUZZ_ASSERT(guid_parse(back, g2) == 0 && guid_eq(g, g2));
		}
	}
	return 0;
}
