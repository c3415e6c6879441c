/* SPDX-License-Identifier: MIT */
/* Secure Boot state and keys of a varstore. */
#include "secboot.h"

#include <string.h>

#include "bytes.h"
#include "guid.h"

#define G GUID_BYTES

const uint8_t GUID_GLOBAL_VARIABLE[16] = G(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
const uint8_t GUID_IMAGE_SECURITY_DB[16] = G(0xd719b2cb, 0x3d3a, 0x4596, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f);
static const uint8_t GUID_SB_ENABLE[16] = G(0xf0a30bc7, 0xaf08, 0x4556, 0x99, 0xc4, 0x00, 0x10, 0x09, 0xc9, 0x3a, 0x44);
static const uint8_t GUID_CUSTOM_MODE[16] = G(0xc076ec0c, 0x7028, 0x4399, 0xa0, 0x72, 0x71, 0xee, 0x5c, 0x44, 0x8b, 0x9f);

static const struct {
	const char *name;
	const uint8_t *guid;
	size_t max_entries;
} keys[SB_NKEYS] = {
	[SB_PK] = { "PK", GUID_GLOBAL_VARIABLE, 1 },
	[SB_KEK] = { "KEK", GUID_GLOBAL_VARIABLE, 0 },
	[SB_DB] = { "db", GUID_IMAGE_SECURITY_DB, 0 },
	[SB_DBX] = { "dbx", GUID_IMAGE_SECURITY_DB, 0 },
};

const char *sb_key_name(enum sb_key_id k)
{
	return k < SB_NKEYS ? keys[k].name : "?";
}

const struct variable *varstore_find(const struct varstore *vs, const char *name, const uint8_t guid[16])
{
	for (size_t i = 0; i < vs->nvars; i++)
		if (vs->vars[i].live && !strcmp(vs->vars[i].name, name) && guid_eq(vs->vars[i].guid, guid))
			return &vs->vars[i];
	return NULL;
}

/* a one-byte switch: its first byte, as EDK2 reads it; -1 absent, -2 empty or outside the buffer */
static int byte_var(const uint8_t *p, size_t len, const struct varstore *vs, const char *name, const uint8_t *guid)
{
	const struct variable *v = varstore_find(vs, name, guid);

	if (!v)
		return -1;
	if (v->data_size < 1 || v->data_offset >= len)
		return -2;
	return p[v->data_offset];
}

enum lib_result sb_read(const uint8_t *p, size_t len, const struct varstore *vs, struct sb_state *sb, struct diag *d)
{
	memset(sb, 0, sizeof(*sb));
	for (int k = 0; k < SB_NKEYS; k++) {
		struct sb_key *key = &sb->key[k];

		diag_init(&key->d);
		key->var = varstore_find(vs, keys[k].name, keys[k].guid);
		if (!key->var)
			continue;
		/* the parser kept every variable inside the store; the buffer is checked again all the same */
		if (!in_bounds(len, key->var->data_offset, key->var->data_size)) {
			key->parsed = diag_add(&key->d, DIAG_ERROR, "data at 0x%llx runs past the image",
					       (unsigned long long)key->var->data_offset);
			continue;
		}
		key->parsed = sig_db_parse(p + key->var->data_offset, key->var->data_size, keys[k].max_entries,
					   &key->sigs, &key->d);
		if (key->parsed == LIB_NO_MEMORY) {
			diag_append(d, &key->d);
			sb_free(sb);
			return LIB_NO_MEMORY;
		}
	}
	sb->setup_mode = sb->key[SB_PK].var == NULL;
	sb->enable = byte_var(p, len, vs, "SecureBootEnable", GUID_SB_ENABLE);
	sb->custom_mode = byte_var(p, len, vs, "CustomMode", GUID_CUSTOM_MODE);
	/* AuthVariableLibInitialize: user mode creates a missing SecureBootEnable as 1 */
	sb->secure_boot = !sb->setup_mode && (sb->enable == 1 || sb->enable == -1);
	return LIB_OK;
}

void sb_free(struct sb_state *sb)
{
	for (int k = 0; k < SB_NKEYS; k++)
		sig_db_free(&sb->key[k].sigs);
}
