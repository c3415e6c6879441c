/* SPDX-License-Identifier: MIT */
/*
 * What a guest writes into its own PK, KEK, db, dbx and Boot#### variables,
 * read on the host: signature lists (lib/siglist.c) and the certificates in
 * them (lib/x509info.c, through libcrypto), device paths and load options
 * (lib/devpath.c). The first byte picks the decoder; the rest is the data.
 */
#include <string.h>

#include "devpath.h"
#include "diag.h"
#include "fuzz.h"
#include "siglist.h"
#include "x509info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;

	if (size < 1)
		return 0;
	diag_init(&d);
	switch (data[0] % 3) {
	case 0: {
		struct sig_db db;
		enum lib_result r = sig_db_parse(data + 1, size - 1, data[0] & 0x80 ? 1 : 0, &db, &d);

		FUZZ_ASSERT(r == LIB_OK || d.n > 0);
		for (size_t i = 0; i < db.nentries; i++) {
			const struct sig_entry *e = &db.entry[i];
			const struct sig_list *l = &db.list[e->list];

			/* every entry inside its list, every list inside the data */
			FUZZ_ASSERT(l->offset + l->list_size <= size - 1);
			FUZZ_ASSERT(e->offset >= l->offset && e->offset + e->len <= l->offset + l->list_size);
			if (e->type == SIG_X509) {
				struct x509_info xi;
				struct diag xd;

				diag_init(&xd);
				if (x509_info_decode(data + 1 + e->offset, e->len, &xi, &xd) == LIB_OK)
					FUZZ_ASSERT(xi.der_len <= e->len && memchr(xi.subject, 0, sizeof(xi.subject)));
			}
		}
		sig_db_free(&db);
		break;
	}
	case 1: {
		char s[DEVPATH_TEXT];
		enum lib_result r = devpath_text(data + 1, size - 1, s, sizeof(s), &d);

		FUZZ_ASSERT((r == LIB_OK || d.n > 0) && memchr(s, 0, sizeof(s)));
		break;
	}
	default: {
		struct load_option lo;
		enum lib_result r = load_option_parse(data + 1, size - 1, &lo, &d);

		FUZZ_ASSERT(r == LIB_OK || d.n > 0);
		if (r == LIB_OK)
			FUZZ_ASSERT(lo.optional_offset + lo.optional_len == size - 1);
		break;
	}
	}
	return 0;
}
