/* SPDX-License-Identifier: MIT */
/* Secure Boot key audit: Microsoft CAs held, entries lacking against a template. */
#include "keyaudit.h"

#include <stdlib.h>
#include <string.h>

#include "x509info.h"

#define H(...) { __VA_ARGS__ }
const struct ms_ca ms_cas[MS_NCAS] = {
	[MS_KEK_CA_2011] = { "Microsoft Corporation KEK CA 2011", 2011, SB_KEK, H(
		0xa1, 0x11, 0x7f, 0x51, 0x6a, 0x32, 0xce, 0xfc, 0xba, 0x3f, 0x2d, 0x1a, 0xce, 0x10, 0xa8, 0x79,
		0x72, 0xfd, 0x6b, 0xbe, 0x8f, 0xe0, 0xd0, 0xb9, 0x96, 0xe0, 0x9e, 0x65, 0xd8, 0x02, 0xa5, 0x03) },
	[MS_KEK_CA_2023] = { "Microsoft Corporation KEK 2K CA 2023", 2023, SB_KEK, H(
		0x3c, 0xd3, 0xf0, 0x30, 0x9e, 0xda, 0xe2, 0x28, 0x76, 0x7a, 0x97, 0x6d, 0xd4, 0x0d, 0x9f, 0x4a,
		0xff, 0xc4, 0xfb, 0xd5, 0x21, 0x8f, 0x2e, 0x8c, 0xc3, 0xc9, 0xdd, 0x97, 0xe8, 0xac, 0x6f, 0x9d) },
	[MS_WINDOWS_PCA_2011] = { "Microsoft Windows Production PCA 2011", 2011, SB_DB, H(
		0xe8, 0xe9, 0x5f, 0x07, 0x33, 0xa5, 0x5e, 0x8b, 0xad, 0x7b, 0xe0, 0xa1, 0x41, 0x3e, 0xe2, 0x3c,
		0x51, 0xfc, 0xea, 0x64, 0xb3, 0xc8, 0xfa, 0x6a, 0x78, 0x69, 0x35, 0xfd, 0xdc, 0xc7, 0x19, 0x61) },
	[MS_UEFI_CA_2011] = { "Microsoft Corporation UEFI CA 2011", 2011, SB_DB, H(
		0x48, 0xe9, 0x9b, 0x99, 0x1f, 0x57, 0xfc, 0x52, 0xf7, 0x61, 0x49, 0x59, 0x9b, 0xff, 0x0a, 0x58,
		0xc4, 0x71, 0x54, 0x22, 0x9b, 0x9f, 0x8d, 0x60, 0x3a, 0xc4, 0x0d, 0x35, 0x00, 0x24, 0x85, 0x07) },
	[MS_WINDOWS_UEFI_CA_2023] = { "Windows UEFI CA 2023", 2023, SB_DB, H(
		0x07, 0x6f, 0x1f, 0xea, 0x90, 0xac, 0x29, 0x15, 0x5e, 0xbf, 0x77, 0xc1, 0x76, 0x82, 0xf7, 0x5f,
		0x1f, 0xdd, 0x1b, 0xe1, 0x96, 0xda, 0x30, 0x2d, 0xc8, 0x46, 0x1e, 0x35, 0x0a, 0x9a, 0xe3, 0x30) },
	[MS_UEFI_CA_2023] = { "Microsoft UEFI CA 2023", 2023, SB_DB, H(
		0xf6, 0x12, 0x4e, 0x34, 0x12, 0x5b, 0xee, 0x3f, 0xe6, 0xd7, 0x9a, 0x57, 0x4e, 0xaa, 0x7b, 0x91,
		0xc0, 0xe7, 0xbd, 0x9d, 0x92, 0x9c, 0x1a, 0x32, 0x11, 0x78, 0xef, 0xd6, 0x11, 0xda, 0xd9, 0x01) },
	[MS_OPTION_ROM_CA_2023] = { "Microsoft Option ROM UEFI CA 2023", 2023, SB_DB, H(
		0xe5, 0xbe, 0x3e, 0x64, 0xc6, 0xe6, 0x6a, 0x28, 0x14, 0x57, 0xec, 0xde, 0xce, 0x0d, 0x6d, 0x07,
		0x87, 0x57, 0x7a, 0xad, 0x2a, 0x3a, 0x01, 0x44, 0x26, 0x2c, 0x10, 0xc1, 0x4b, 0xa8, 0xd8, 0xf1) },
};

void key_entry_digest(const uint8_t *p, const struct sb_key *k, size_t entry, uint8_t out[32])
{
	const struct sig_entry *e = &k->sigs.entry[entry];

	sha256_bytes(p + k->var->data_offset + e->offset, e->len, out);
}

unsigned ms_cas_held(const uint8_t *p, const struct sb_state *sb)
{
	unsigned held = 0;

	for (int c = 0; c < MS_NCAS; c++) {
		const struct sb_key *k = &sb->key[ms_cas[c].key];

		if (!k->var)
			continue;
		for (size_t i = 0; i < k->sigs.nentries; i++) {
			uint8_t dg[32];

			if (k->sigs.entry[i].type != SIG_X509)
				continue;
			key_entry_digest(p, k, i, dg);
			if (!memcmp(dg, ms_cas[c].sha256, 32))
				held |= 1u << c;
		}
	}
	return held;
}

const char *ms_db_trust(unsigned ms)
{
	int old = (ms & (1u << MS_WINDOWS_PCA_2011 | 1u << MS_UEFI_CA_2011)) != 0;
	int new = (ms & (1u << MS_WINDOWS_UEFI_CA_2023 | 1u << MS_UEFI_CA_2023 | 1u << MS_OPTION_ROM_CA_2023)) != 0;

	return old && new ? "2011 and 2023" : old ? "2011 only" : new ? "2023 only" : "none";
}

/* every KEK, db and dbx entry of sb with its digest; *n set; NULL with n 0 when there are none */
static struct key_entry *entries(const uint8_t *p, const struct sb_state *sb, size_t *n, int *fail)
{
	static const enum sb_key_id compared[] = { SB_KEK, SB_DB, SB_DBX };
	size_t total = 0, k = 0;
	struct key_entry *v;

	*n = 0;
	for (size_t c = 0; c < 3; c++)
		if (sb->key[compared[c]].var)
			total += sb->key[compared[c]].sigs.nentries;
	if (!total)
		return NULL;
	if (!(v = calloc(total, sizeof(*v)))) {
		*fail = 1;
		return NULL;
	}
	for (size_t c = 0; c < 3; c++) {
		const struct sb_key *key = &sb->key[compared[c]];

		if (!key->var)
			continue;
		for (size_t i = 0; i < key->sigs.nentries; i++, k++) {
			v[k].key = compared[c];
			v[k].entry = i;
			v[k].type = key->sigs.entry[i].type;
			key_entry_digest(p, key, i, v[k].digest);
		}
	}
	*n = total;
	return v;
}

static int holds(const struct key_entry *v, size_t n, const struct key_entry *e)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].key == e->key && v[i].type == e->type && !memcmp(v[i].digest, e->digest, 32))
			return 1;
	return 0;
}

enum lib_result key_audit(const uint8_t *p, const struct sb_state *vm, const uint8_t *tp, const struct sb_state *tmpl,
			  struct key_audit *a, struct diag *d)
{
	struct key_entry *mine, *theirs;
	size_t nm, nt;
	int fail = 0;

	memset(a, 0, sizeof(*a));
	a->secure_boot = vm->secure_boot;
	a->setup_mode = vm->setup_mode;
	a->ms = ms_cas_held(p, vm);
	for (int k = SB_KEK; k < SB_NKEYS; k++)
		if (vm->key[k].var && vm->key[k].parsed != LIB_OK)
			a->untrusted = 1;
	if (!tmpl)
		return LIB_OK;
	a->compared = 1;
	mine = entries(p, vm, &nm, &fail);
	theirs = entries(tp, tmpl, &nt, &fail);
	a->missing = nt ? calloc(nt, sizeof(*a->missing)) : NULL;
	a->extra = nm ? calloc(nm, sizeof(*a->extra)) : NULL;
	if (fail || (nt && !a->missing) || (nm && !a->extra)) {
		free(mine);
		free(theirs);
		key_audit_free(a);
		return diag_no_memory(d, "out of memory for %zu and %zu key entries", nm, nt);
	}
	for (size_t i = 0; i < nt; i++)
		if (!holds(mine, nm, &theirs[i]))
			a->missing[a->nmissing++] = theirs[i];
	for (size_t i = 0; i < nm; i++)
		if (!holds(theirs, nt, &mine[i]))
			a->extra[a->nextra++] = mine[i];
	free(mine);
	free(theirs);
	return LIB_OK;
}

void key_audit_free(struct key_audit *a)
{
	free(a->missing);
	free(a->extra);
	a->missing = a->extra = NULL;
	a->nmissing = a->nextra = 0;
}
