/* SPDX-License-Identifier: MIT */
/* fdsplit info's Secure Boot and boot-option sections: every key a store holds, and what the VM boots. */
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "devpath.h"
#include "guid.h"
#include "x509info.h"

static void time_text(const struct variable *v, char *s, size_t n)
{
	const struct efi_time *t = &v->time;

	if (!t->year && !t->month && !t->day && !t->hour && !t->minute && !t->second)
		snprintf(s, n, "no timestamp");
	else
		snprintf(s, n, "%04u-%02u-%02uT%02u:%02u:%02uZ", t->year, t->month, t->day, t->hour, t->minute,
			 t->second);
}

static const char *switch_text(int v, char *s, size_t n)
{
	if (v == -1)
		return "absent";
	if (v == -2)
		return "empty";
	snprintf(s, n, "%d", v);
	return s;
}

/* Boot#### with four upper-case hex digits, as the boot manager names them */
static int is_boot_option(const struct variable *v)
{
	if (!v->live || !guid_eq(v->guid, GUID_GLOBAL_VARIABLE) || strncmp(v->name, "Boot", 4) || strlen(v->name) != 8)
		return 0;
	for (int i = 4; i < 8; i++)
		if (!((v->name[i] >= '0' && v->name[i] <= '9') || (v->name[i] >= 'A' && v->name[i] <= 'F')))
			return 0;
	return 1;
}

static void boot_order_text(FILE *f, const uint8_t *p, const struct varstore *vs)
{
	const struct variable *bo = varstore_find(vs, "BootOrder", GUID_GLOBAL_VARIABLE);

	if (!bo) {
		fprintf(f, "  BootOrder: absent\n");
		return;
	}
	fprintf(f, "  BootOrder:");
	for (uint32_t i = 0; i + 1 < bo->data_size; i += 2)
		fprintf(f, "%s%04X", i ? "," : " ", p[bo->data_offset + i] | p[bo->data_offset + i + 1] << 8);
	fprintf(f, "%s\n", bo->data_size % 2 ? " (odd DataSize: the last byte is ignored)" : "");
}

void keys_text(FILE *f, const uint8_t *p, size_t len, const struct varstore *vs, const struct sb_state *sb)
{
	char a[16], b[16], when[32], hx[2 * 64 + 1];

	(void)len;
	fprintf(f, "  Secure Boot: %s: %s, SecureBootEnable %s, CustomMode %s\n",
		sb->secure_boot ? "on with a Secure Boot CODE" : "off",
		sb->setup_mode ? "setup mode (no PK)" : "user mode (PK enrolled)",
		switch_text(sb->enable, a, sizeof(a)), switch_text(sb->custom_mode, b, sizeof(b)));
	for (int k = 0; k < SB_NKEYS; k++) {
		const struct sb_key *key = &sb->key[k];

		if (!key->var) {
			fprintf(f, "  %s: absent\n", sb_key_name(k));
			continue;
		}
		time_text(key->var, when, sizeof(when));
		fprintf(f, "  %s: %zu signature list%s, %zu entr%s, %u bytes, written %s\n", sb_key_name(k),
			key->sigs.nlists, key->sigs.nlists == 1 ? "" : "s", key->sigs.nentries,
			key->sigs.nentries == 1 ? "y" : "ies", key->var->data_size, when);
		for (size_t l = 0; l < key->sigs.nlists; l++) {
			const struct sig_list *sl = &key->sigs.list[l];

			if (sig_type_is_hash(sl->type) || sl->type == SIG_UNKNOWN) {
				fprintf(f, "    list %zu: %zu %s entr%s\n", l, sl->count, sig_type_name(sl->type),
					sl->count == 1 ? "y" : "ies");
				continue;
			}
			for (size_t e = sl->first; e < sl->first + sl->count; e++) {
				const struct sig_entry *se = &key->sigs.entry[e];
				const uint8_t *data = p + key->var->data_offset + se->offset;
				char owner[GUID_STR_LEN];
				const char *on = guid_name(se->owner);

				guid_format(se->owner, owner);
				fprintf(f, "    list %zu: %s, owner %s%s%s%s\n", l, sig_type_name(se->type), owner,
					on ? " (" : "", on ? on : "", on ? ")" : "");
				if (se->type == SIG_X509) {
					struct x509_info xi;
					struct diag xd;

					diag_init(&xd);
					if (x509_info_decode(data, se->len, &xi, &xd) != LIB_OK) {
						fprintf(f, "      unreadable: %s\n", xd.n ? xd.item[0].msg : "?");
						continue;
					}
					hex_encode(xi.sha256, sizeof(xi.sha256), hx, sizeof(hx));
					fprintf(f, "      subject %s\n      issuer  %s\n", xi.subject, xi.issuer);
					fprintf(f, "      serial %s, valid %s to %s, %s, sha256 %s\n", xi.serial, xi.not_before,
						xi.not_after, xi.key, hx);
				} else {
					fprintf(f, "      %u bytes\n", se->len);
				}
			}
		}
		for (size_t i = 0; i < key->d.n; i++)
			fprintf(f, "    not trusted past here: %s\n", key->d.item[i].msg);
	}
	boot_order_text(f, p, vs);
	for (size_t i = 0; i < vs->nvars; i++) {
		const struct variable *v = &vs->vars[i];
		struct load_option lo;
		struct diag d;

		if (!is_boot_option(v))
			continue;
		diag_init(&d);
		if (load_option_parse(p + v->data_offset, v->data_size, &lo, &d) != LIB_OK) {
			fprintf(f, "  %s: \"%s\" %s%s(malformed: %s)\n", v->name, lo.description, lo.path,
				lo.path[0] ? " " : "", d.n ? d.item[0].msg : "?");
			continue;
		}
		fprintf(f, "  %s: \"%s\" %s%s%s\n", v->name, lo.description, lo.path,
			lo.attributes & LOAD_OPT_ACTIVE ? "" : " (inactive)",
			lo.attributes & LOAD_OPT_HIDDEN ? " (hidden)" : "");
	}
}

static void entry_json(struct json *j, const uint8_t *data, const struct sig_entry *se)
{
	char g[GUID_STR_LEN], hx[2 * 80 + 1];

	json_obj(j, NULL);
	guid_format(se->owner, g);
	json_str(j, "owner", g);
	json_str(j, "type", sig_type_name(se->type));
	json_u64(j, "size", se->len);
	if (se->type == SIG_X509) {
		struct x509_info xi;
		struct diag xd;

		diag_init(&xd);
		if (x509_info_decode(data, se->len, &xi, &xd) == LIB_OK) {
			json_str(j, "subject", xi.subject);
			json_str(j, "issuer", xi.issuer);
			json_str(j, "common_name", xi.common_name);
			json_str(j, "serial", xi.serial);
			json_str(j, "not_before", xi.not_before);
			json_str(j, "not_after", xi.not_after);
			json_str(j, "key", xi.key);
			hex_encode(xi.sha256, sizeof(xi.sha256), hx, sizeof(hx));
			json_str(j, "sha256", hx);
		} else {
			json_null(j, "subject");
		}
		fd_json_findings(j, &xd);
	} else if (sig_type_is_hash(se->type)) {
		hex_encode(data, se->len, hx, sizeof(hx));
		json_str(j, "hash", hx);
	}
	json_end(j, '}');
}

void keys_json(struct json *j, const uint8_t *p, size_t len, const struct varstore *vs, const struct sb_state *sb)
{
	char g[GUID_STR_LEN], when[32];
	const struct variable *bo;

	(void)len;
	json_obj(j, "secure_boot");
	json_bool(j, "setup_mode", sb->setup_mode);
	if (sb->enable >= 0)
		json_u64(j, "secure_boot_enable", (uint64_t)sb->enable);
	else
		json_null(j, "secure_boot_enable");
	if (sb->custom_mode >= 0)
		json_u64(j, "custom_mode", (uint64_t)sb->custom_mode);
	else
		json_null(j, "custom_mode");
	json_bool(j, "enforced", sb->secure_boot);
	json_arr(j, "keys");
	for (int k = 0; k < SB_NKEYS; k++) {
		const struct sb_key *key = &sb->key[k];

		json_obj(j, NULL);
		json_str(j, "name", sb_key_name(k));
		json_bool(j, "present", key->var != NULL);
		if (key->var) {
			time_text(key->var, when, sizeof(when));
			json_str(j, "timestamp", when[0] == 'n' ? NULL : when);
			json_u64(j, "data_size", key->var->data_size);
			json_bool(j, "ok", key->parsed == LIB_OK);
			json_arr(j, "lists");
			for (size_t l = 0; l < key->sigs.nlists; l++) {
				const struct sig_list *sl = &key->sigs.list[l];

				json_obj(j, NULL);
				json_u64(j, "offset", sl->offset);
				guid_format(sl->type_guid, g);
				json_str(j, "type_guid", g);
				json_str(j, "type", sig_type_name(sl->type));
				json_u64(j, "signature_size", sl->sig_size);
				json_arr(j, "entries");
				for (size_t e = sl->first; e < sl->first + sl->count; e++)
					entry_json(j, p + key->var->data_offset + key->sigs.entry[e].offset, &key->sigs.entry[e]);
				json_end(j, ']');
				json_end(j, '}');
			}
			json_end(j, ']');
			fd_json_findings(j, &key->d);
		}
		json_end(j, '}');
	}
	json_end(j, ']');
	json_end(j, '}');

	bo = varstore_find(vs, "BootOrder", GUID_GLOBAL_VARIABLE);
	if (bo) {
		json_arr(j, "boot_order");
		for (uint32_t i = 0; i + 1 < bo->data_size; i += 2)
			json_u64(j, NULL, (uint64_t)(p[bo->data_offset + i] | p[bo->data_offset + i + 1] << 8));
		json_end(j, ']');
	} else {
		json_null(j, "boot_order");
	}
	json_arr(j, "boot_options");
	for (size_t i = 0; i < vs->nvars; i++) {
		const struct variable *v = &vs->vars[i];
		struct load_option lo;
		struct diag d;
		enum lib_result r;

		if (!is_boot_option(v))
			continue;
		diag_init(&d);
		r = load_option_parse(p + v->data_offset, v->data_size, &lo, &d);
		json_obj(j, NULL);
		json_str(j, "name", v->name);
		json_u64(j, "attributes", lo.attributes);
		json_bool(j, "active", (lo.attributes & LOAD_OPT_ACTIVE) != 0);
		json_str(j, "description", lo.description);
		json_str(j, "device_path", lo.path);
		json_u64(j, "optional_data", lo.optional_len);
		json_bool(j, "ok", r == LIB_OK);
		fd_json_findings(j, &d);
		json_end(j, '}');
	}
	json_end(j, ']');
}

int store_keys_load(const char *path, struct store_keys *s)
{
	uint64_t vlen;
	enum lib_result r;

	memset(s, 0, sizeof(*s));
	s->path = path;
	diag_init(&s->d);
	if ((s->rc = fd_load(&s->f, path, &s->d)) != 0)
		return s->rc;
	if (ovmf_classify(s->f.buf, s->f.len, &vlen) != OVMF_VARS) {
		diag_add(&s->d, DIAG_ERROR, "not a varstore (VARS) image");
		return s->rc = 1;
	}
	r = boot_store_read(s->f.buf, s->f.len, FV_MODULE_UNDECODED, &s->bs, &s->d);
	if (r == LIB_NO_MEMORY)
		return s->rc = 2;
	/* a write in progress: OVMF restores it first; its keys are read from what it will read */
	if (s->bs.vs.format != VS_FORMATTED || s->bs.fb.action == FTW_BOOT_REFORMAT) {
		if (r == LIB_OK)
			diag_add(&s->d, DIAG_ERROR, "no variable store OVMF can read");
		return s->rc = 1;
	}
	if (sb_read(s->bs.buf, s->f.len, &s->bs.vs, &s->sb, &s->d) != LIB_OK)
		return s->rc = 2;
	s->read = 1;
	s->rc = r == LIB_OK ? 0 : 1;
	return s->rc;
}

void store_keys_free(struct store_keys *s)
{
	if (s->read)
		sb_free(&s->sb);
	boot_store_free(&s->bs);
	free(s->f.buf);
	s->f.buf = NULL;
	s->read = 0;
}

/* a certificate entry's common name, or its type for a hash */
void key_entry_name(const struct store_keys *s, const struct key_entry *e, char *out, size_t n)
{
	const struct sb_key *k = &s->sb.key[e->key];
	const struct sig_entry *se = &k->sigs.entry[e->entry];
	struct x509_info xi;
	struct diag d;

	diag_init(&d);
	if (se->type == SIG_X509 && x509_info_decode(s->bs.buf + k->var->data_offset + se->offset, se->len, &xi, &d) == LIB_OK)
		snprintf(out, n, "%s", xi.common_name[0] ? xi.common_name : xi.subject);
	else
		snprintf(out, n, "%s", sig_type_name(se->type));
}

/* " KEK: name; db: name, name; dbx: 442 hashes" for a list of entries */
void key_entries_text(FILE *f, const struct store_keys *s, const struct key_entry *v, size_t n)
{
	int keys = 0;

	for (int k = SB_KEK; k < SB_NKEYS; k++) {
		size_t certs = 0, hashes = 0;

		for (size_t i = 0; i < n; i++)
			if (v[i].key == (enum sb_key_id)k)
				*(v[i].type == SIG_X509 ? &certs : &hashes) += 1;
		if (!certs && !hashes)
			continue;
		fprintf(f, "%s %s:", keys++ ? ";" : "", sb_key_name(k));
		for (size_t i = 0, c = 0; i < n; i++) {
			char name[256];

			if (v[i].key != (enum sb_key_id)k || v[i].type != SIG_X509)
				continue;
			key_entry_name(s, &v[i], name, sizeof(name));
			fprintf(f, "%s %s", c++ ? "," : "", name);
		}
		if (hashes)
			fprintf(f, "%s %zu hash%s", certs ? "," : "", hashes, hashes == 1 ? "" : "es");
	}
}
