/* SPDX-License-Identifier: MIT */
/* fdsplit audit: per VM, Secure Boot on or off, the Microsoft CAs it trusts, and what it lacks against a template. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cli.h"
#include "fdsplit.h"
#include "guid.h"
#include "keyaudit.h"
#include "keys.h"
#include "x509info.h"

struct audit_one {
	struct store_keys s;
	struct key_audit a;
	int rc;
};

static void one_text(const struct audit_one *o, const struct store_keys *t)
{
	const struct key_audit *a = &o->a;

	if (!o->s.read) {
		printf("%s: not audited: %s\n", o->s.path, o->s.d.n ? o->s.d.item[0].msg : "unreadable");
		return;
	}
	printf("%s: Secure Boot %s", o->s.path,
	       a->setup_mode ? "off (setup mode: no PK)" : a->secure_boot ? "on" : "off (SecureBootEnable 0)");
	printf("; Microsoft CAs in db: %s", ms_db_trust(a->ms));
	printf("; KEK %s", a->ms & 1u << MS_KEK_CA_2023 ? "takes updates signed by the 2023 KEK" :
	       a->ms & 1u << MS_KEK_CA_2011 ? "2011 only: cannot take updates signed by the 2023 KEK" :
	       "holds no Microsoft KEK");
	if (a->untrusted)
		printf("; a key's lists lie (fdsplit info shows where): compared up to the lie");
	if (a->compared) {
		if (a->setup_mode) {
			printf("; no keys enrolled: not compared");
		} else {
			if (a->nmissing) {
				printf("; lacks what %s holds:", t->path);
				key_entries_text(stdout, t, a->missing, a->nmissing);
			} else {
				printf("; holds all %s holds", t->path);
			}
			if (a->nextra) {
				printf("; holds what the template lacks:");
				key_entries_text(stdout, &o->s, a->extra, a->nextra);
			}
		}
	}
	putchar('\n');
}

static void entries_json(struct json *j, const char *key, const struct store_keys *s, const struct key_entry *v, size_t n)
{
	json_arr(j, key);
	for (size_t i = 0; i < n; i++) {
		const struct sb_key *k = &s->sb.key[v[i].key];
		const struct sig_entry *se = &k->sigs.entry[v[i].entry];
		char name[256], h[2 * 80 + 1];

		json_obj(j, NULL);
		json_str(j, "key", sb_key_name(v[i].key));
		json_str(j, "type", sig_type_name(v[i].type));
		if (v[i].type == SIG_X509) {
			key_entry_name(s, &v[i], name, sizeof(name));
			json_str(j, "name", name);
			hex_encode(v[i].digest, sizeof(v[i].digest), h, sizeof(h));
			json_str(j, "sha256", h);
		} else {
			hex_encode(s->bs.buf + k->var->data_offset + se->offset, se->len, h, sizeof(h));
			json_str(j, "hash", h);
		}
		json_end(j, '}');
	}
	json_end(j, ']');
}

static void one_json(struct json *j, const struct audit_one *o, const struct store_keys *t)
{
	const struct key_audit *a = &o->a;

	json_obj(j, NULL);
	json_str(j, "file", o->s.path);
	if (o->s.read) {
		json_bool(j, "secure_boot", a->secure_boot);
		json_bool(j, "setup_mode", a->setup_mode);
		json_str(j, "microsoft_db", ms_db_trust(a->ms));
		json_arr(j, "microsoft_cas");
		for (int c = 0; c < MS_NCAS; c++)
			if (a->ms & 1u << c)
				json_str(j, NULL, ms_cas[c].name);
		json_end(j, ']');
		json_bool(j, "kek_2023", (a->ms & 1u << MS_KEK_CA_2023) != 0);
		json_bool(j, "untrusted_lists", a->untrusted);
		if (a->compared && !a->setup_mode) {
			entries_json(j, "missing", t, a->missing, a->nmissing);
			entries_json(j, "extra", &o->s, a->extra, a->nextra);
		} else {
			json_null(j, "missing");
			json_null(j, "extra");
		}
	} else {
		json_null(j, "secure_boot");
	}
	json_bool(j, "ok", o->rc == 0);
	fd_json_findings(j, &o->s.d);
	json_end(j, '}');
}

int cmd_audit(void *opts, int argc, char **argv)
{
	const struct fdsplit_opts *o = opts;
	struct store_keys t;
	struct json j;
	int worst = 0, have_t = 0;
	size_t n = 0, on = 0, lacking = 0, trust[4] = { 0 }, unread = 0;
	static const char *const trusts[4] = { "2011 only", "2011 and 2023", "2023 only", "none" };

	if (o->against) {
		if (store_keys_load(o->against, &t) != 0 || !t.read) {
			cli_print_diag("fdsplit", o->against, &t.d);
			store_keys_free(&t);
			return 2;
		}
		have_t = 1;
	}
	if (o->json) {
		json_doc(&j, stdout, "fdsplit", FDSPLIT_JSON_VERSION, "audit");
		json_str(&j, "against", o->against);
		json_arr(&j, "files");
	}
	for (int i = 0; i < argc; i++) {
		struct audit_one one;

		memset(&one, 0, sizeof(one));
		one.rc = store_keys_load(argv[i], &one.s);
		if (one.s.read) {
			if (key_audit(one.s.bs.buf, &one.s.sb, have_t ? t.bs.buf : NULL, have_t ? &t.sb : NULL, &one.a,
				      &one.s.d) != LIB_OK)
				one.rc = 2;
			else if (one.a.nmissing && !one.a.setup_mode)
				one.rc = cli_worse(one.rc, 1);
		}
		n++;
		if (one.s.read) {
			const char *tr = ms_db_trust(one.a.ms);

			on += one.a.secure_boot;
			lacking += one.a.compared && !one.a.setup_mode && one.a.nmissing;
			for (int k = 0; k < 4; k++)
				trust[k] += !strcmp(tr, trusts[k]);
		} else {
			unread++;
		}
		if (o->json) {
			one_json(&j, &one, &t);
		} else {
			one_text(&one, &t);
			if (!one.s.read)
				cli_print_diag("fdsplit", argv[i], &one.s.d);
		}
		worst = cli_worse(worst, one.rc);
		key_audit_free(&one.a);
		store_keys_free(&one.s);
	}
	if (o->json) {
		json_end(&j, ']');
		json_obj(&j, "summary");
		json_u64(&j, "varstores", n);
		json_u64(&j, "unreadable", unread);
		json_u64(&j, "secure_boot_on", on);
		for (int k = 0; k < 4; k++)
			json_u64(&j, (const char *[]){ "microsoft_2011_only", "microsoft_both", "microsoft_2023_only", "microsoft_none" }[k],
				 trust[k]);
		if (have_t)
			json_u64(&j, "lacking", lacking);
		else
			json_null(&j, "lacking");
		json_end(&j, '}');
		json_bool(&j, "ok", worst == 0);
		json_end(&j, '}');
		json_done(&j);
	} else {
		printf("audit: %zu varstore%s, %zu with Secure Boot on; Microsoft CAs in db: %zu 2011 only, %zu 2011 and 2023, %zu 2023 only, %zu none",
		       n, n == 1 ? "" : "s", on, trust[0], trust[1], trust[2], trust[3]);
		if (unread)
			printf("; %zu not audited", unread);
		if (have_t)
			printf("; %zu lack%s what %s holds", lacking, lacking == 1 ? "s" : "", o->against);
		putchar('\n');
	}
	if (have_t)
		store_keys_free(&t);
	return worst;
}
