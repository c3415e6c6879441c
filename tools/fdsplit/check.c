/* SPDX-License-Identifier: MIT */
/* fdsplit info and check: what a file holds, and whether each VM's varstore will work with a CODE or template. */
#include "fdsplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstore.h"
#include "cli.h"
#include "keys.h"
#include "report.h"
#include "varstore.h"

static const char *kind_key(enum ovmf_kind k)
{
	return k == OVMF_VARS ? "vars" : k == OVMF_CODE ? "code" : k == OVMF_UNIFIED ? "unified" : "unknown";
}

static const char *kind_text(enum ovmf_kind k)
{
	return k == OVMF_VARS ? "OVMF varstore (VARS)" : k == OVMF_CODE ? "OVMF code (CODE)" :
	       k == OVMF_UNIFIED ? "unified OVMF image (VARS + CODE)" : "not an OVMF image";
}

static const char *ftw_pei_text(enum fv_module_result r)
{
	switch (r) {
	case FV_MODULE_UNDECODED: return "unknown (no LZMA volume decoded)";
	case FV_MODULE_NO_MEMORY: return "unknown (out of memory decoding its LZMA volumes)";
	case FV_MODULE_FOUND: return "yes (an SMM build: a write in progress is restored before variables are read)";
	default: return "no (a build without SMM: its variable driver reads a torn store before FTW restores it)";
	}
}

/* The VARS part of a file: what it holds on disk, and what OVMF reads at boot. */
static int info_vars(const uint8_t *p, size_t len, enum fv_module_result ftw_pei, struct json *j, struct diag *d)
{
	struct boot_store bs;
	char clause[2 * DIAG_MSG];
	int rc = cli_exit(boot_store_read(p, len, ftw_pei, &bs, d));

	struct sb_state sb;
	/* the keys and boot options OVMF reads: of a store it can read at all */
	int keys = rc != 2 && bs.buf && bs.vs.format == VS_FORMATTED && bs.fb.action != FTW_BOOT_REFORMAT;

	if (keys && sb_read(bs.buf, len, &bs.vs, &sb, d) != LIB_OK) {
		keys = 0;
		rc = 2;
	}
	boot_store_clause(&bs, clause, sizeof(clause));
	if (j) {
		vars_json(j, &bs.disk);
		boot_json(j, &bs, clause);
		if (keys) {
			keys_json(j, bs.buf, len, &bs.vs, &sb);
		} else {
			json_null(j, "secure_boot");
			json_null(j, "boot_order");
			json_null(j, "boot_options");
		}
	} else {
		vars_text(stdout, &bs.disk);
		if (clause[0])
			printf("  at boot: %s\n", clause);
		if (boot_store_changed(&bs)) {
			printf("  variables OVMF will read:\n");
			vars_list_text(stdout, &bs.vs);
		}
		if (keys)
			keys_text(stdout, bs.buf, len, &bs.vs, &sb);
	}
	if (keys)
		sb_free(&sb);
	boot_store_free(&bs);
	return rc;
}

static int info_one(const char *path, struct json *j)
{
	static struct ovmf_code c;
	struct file f = { 0 };
	struct diag d;
	uint64_t vlen = 0;
	enum ovmf_kind k = OVMF_OTHER;
	size_t code_off;
	enum fv_module_result ftw_pei = FV_MODULE_UNDECODED;
	int worst;

	diag_init(&d);
	worst = fd_load(&f, path, &d);
	if (!worst) {
		k = ovmf_classify(f.buf, f.len, &vlen);
		if (k == OVMF_OTHER)
			worst = cli_worse(worst, cli_exit(diag_add(&d, DIAG_ERROR,
				"no firmware volume at 0x0 (no \"_FVH\" at 0x28): not an OVMF image")));
	}
	code_off = k == OVMF_UNIFIED ? (size_t)vlen : 0;
	if (k == OVMF_CODE || k == OVMF_UNIFIED) /* decompressed once, for the VARS part and the CODE report */
		ftw_pei = code_ftw_pei(f.buf + code_off, f.len - code_off);
	if (j) {
		json_obj(j, NULL);
		json_str(j, "file", path);
		json_str(j, "kind", f.buf ? kind_key(k) : NULL);
		if (f.buf)
			json_u64(j, "size", f.len);
		else
			json_null(j, "size");
	} else if (f.buf) {
		printf("%s: %s, 0x%zx bytes\n", path, kind_text(k), f.len);
	}
	if (k == OVMF_VARS || k == OVMF_UNIFIED)
		worst = cli_worse(worst, info_vars(f.buf, k == OVMF_UNIFIED ? (size_t)vlen : f.len, ftw_pei, j, &d));
	if (k == OVMF_CODE || k == OVMF_UNIFIED) {
		worst = cli_worse(worst, cli_exit(ovmf_code_parse(f.buf + code_off, f.len - code_off, &c, &d)));
		if (j) {
			code_json(j, &c, f.len - code_off);
			json_str(j, "ftw_pei", ftw_pei == FV_MODULE_FOUND ? "yes" : ftw_pei == FV_MODULE_ABSENT ? "no" : NULL);
		} else {
			code_text(stdout, &c, f.len - code_off);
			printf("  FaultTolerantWritePei: %s\n", ftw_pei_text(ftw_pei));
		}
	}
	if (j) {
		json_bool(j, "ok", worst == 0);
		fd_json_findings(j, &d);
		json_end(j, '}');
	}
	cli_print_diag("fdsplit", path, &d);
	free(f.buf);
	return worst;
}

int cmd_info(void *opts, int argc, char **argv)
{
	const struct fdsplit_opts *o = opts;
	struct json j;
	int worst = 0;

	if (o->json) {
		json_doc(&j, stdout, "fdsplit", FDSPLIT_JSON_VERSION, "info");
		json_arr(&j, "files");
	}
	for (int i = 0; i < argc; i++)
		worst = cli_worse(worst, info_one(argv[i], o->json ? &j : NULL));
	if (o->json)
		json_done_files(&j, worst == 0);
	return worst;
}

/* What one varstore check found, for its line and its JSON object. */
struct check_result {
	const char *vars;
	int rc;
	int read;                /* bs holds the store */
	struct boot_store bs;
	size_t len;
	char how[200];
	struct diag d;
};

/* One varstore against the CODE and template loaded once; fills r. */
static void check_one(const char *vars, const struct code_ref *cr, const struct varstore *ts, struct check_result *r)
{
	struct file v;
	uint64_t vlen;

	memset(r, 0, sizeof(*r));
	r->vars = vars;
	diag_init(&r->d);
	if ((r->rc = fd_load(&v, vars, &r->d)) != 0)
		return;
	r->len = v.len;
	/* whatever it is, it is meant as a VARS: parse it as one so the broken field is named */
	if (ovmf_classify(v.buf, v.len, &vlen) == OVMF_UNIFIED) {
		diag_add(&r->d, DIAG_ERROR, "a unified image (VARS + CODE): check takes VARS; split it first");
		r->rc = 1;
		free(v.buf);
		return;
	}
	r->read = 1;
	r->rc = cli_exit(boot_store_read(v.buf, v.len, cr ? cr->ftw_pei : FV_MODULE_UNDECODED, &r->bs, &r->d));
	if (cr && ovmf_code_expects(&cr->c, cr->len, v.len, &r->d, r->how, sizeof(r->how)) != LIB_OK)
		r->rc = cli_worse(r->rc, 1);
	if (ts && varstore_compare_layout(&r->bs.vs, ts, &r->d) != LIB_OK)
		r->rc = cli_worse(r->rc, 1);
	free(v.buf);
}

static void check_json(struct json *j, const struct check_result *r, const struct code_ref *cr)
{
	char clause[2 * DIAG_MSG];

	json_obj(j, NULL);
	json_str(j, "file", r->vars);
	json_str(j, "code", cr ? cr->path : NULL);
	json_str(j, "judged_by", r->how[0] ? r->how : NULL);
	if (r->read) {
		boot_store_clause(&r->bs, clause, sizeof(clause));
		json_u64(j, "live", r->bs.vs.nlive);
		boot_json(j, &r->bs, clause);
	} else {
		json_null(j, "live");
		json_null(j, "boot");
	}
	json_bool(j, "ok", r->rc == 0);
	fd_json_findings(j, &r->d);
	json_end(j, '}');
}

static void check_text(const struct check_result *r, const struct code_ref *cr, int has_template, int several)
{
	char clause[2 * DIAG_MSG];

	if (r->rc == 0) {
		boot_store_clause(&r->bs, clause, sizeof(clause));
		printf("%s: ok, %s varstore 0x%zx bytes, %zu live variables%s%s%s%s%s%s%s%s\n", r->vars,
		       r->bs.vs.authenticated ? "authenticated" : "plain", r->len, r->bs.vs.nlive,
		       cr ? "; fits " : "", cr ? cr->path : "", r->how[0] ? " (" : "", r->how,
		       r->how[0] ? ")" : "", has_template ? "; same layout as the template" : "",
		       clause[0] ? "; " : "", clause);
	} else if (several) {
		const char *why = "see above";

		for (size_t i = r->d.n; i-- > 0;) /* the first error */
			if (r->d.item[i].level == DIAG_ERROR)
				why = r->d.item[i].msg;
		printf("%s: FAILED: %s\n", r->vars, why);
	}
}

/* Loads TEMPLATE as a varstore; 0, or 1/2 with the findings in d. */
static int template_load(const char *path, struct file *t, struct varstore *ts, struct diag *d)
{
	int rc;

	if ((rc = fd_load(t, path, d)) != 0)
		return rc;
	rc = cli_exit(varstore_parse(t->buf, t->len, ts, d));
	if (rc == 1)
		diag_add(d, DIAG_ERROR, "the template itself is malformed");
	return rc;
}

/*
 * check VARS... [--code CODE] [--template T]: CODE and the template are read
 * once. JSON has one shape however many files: the document, the CODE's and
 * template's findings, an object per file, the counts.
 */
int cmd_check(void *opts, int argc, char **argv)
{
	const struct fdsplit_opts *o = opts;
	static struct code_ref cr;
	struct varstore ts = { 0 };
	struct file t = { 0 };
	struct diag cd, td;
	struct json j;
	size_t nok = 0, nbad = 0;
	int setup = 0, worst = 0;

	diag_init(&cd);
	diag_init(&td);
	if (o->code)
		setup = code_load(&cr, o->code, &cd);
	if (!setup && o->tmpl)
		setup = template_load(o->tmpl, &t, &ts, &td);
	cli_print_diag("fdsplit", o->code ? o->code : "", &cd);
	cli_print_diag("fdsplit", o->tmpl ? o->tmpl : "", &td);
	if (o->json) {
		json_doc(&j, stdout, "fdsplit", FDSPLIT_JSON_VERSION, "check");
		json_str(&j, "code", o->code);
		json_str(&j, "template", o->tmpl);
		json_arr(&j, "files");
	}
	/* a CODE or template that cannot be read judges nothing */
	for (int i = 0; i < argc && !setup; i++) {
		static struct check_result r;

		check_one(argv[i], o->code ? &cr : NULL, o->tmpl ? &ts : NULL, &r);
		if (o->json)
			check_json(&j, &r, o->code ? &cr : NULL);
		else
			check_text(&r, o->code ? &cr : NULL, o->tmpl != NULL, argc > 1);
		cli_print_diag("fdsplit", argv[i], &r.d);
		if (r.rc)
			nbad++;
		else
			nok++;
		worst = cli_worse(worst, r.rc);
		if (r.read)
			boot_store_free(&r.bs);
	}
	worst = cli_worse(worst, setup);
	if (o->json) {
		struct diag both;

		json_end(&j, ']');
		json_u64(&j, "checked", nok + nbad);
		json_u64(&j, "failed", nbad);
		json_bool(&j, "ok", worst == 0);
		diag_init(&both);
		diag_append(&both, &cd);
		diag_append(&both, &td);
		fd_json_findings(&j, &both);
		json_end(&j, '}');
		json_done(&j);
	} else if (argc > 1 && nok + nbad) {
		printf("%zu varstores: %zu ok, %zu failed%s%s\n", nok + nbad, nok, nbad,
		       o->code ? " against " : "", o->code ? o->code : "");
	}
	varstore_free(&ts);
	free(t.buf);
	return worst;
}
