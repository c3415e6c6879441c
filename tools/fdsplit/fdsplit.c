/* SPDX-License-Identifier: MIT */
/* fdsplit: split and join OVMF images, report varstores, prove a varstore fits a CODE or template. */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "cli.h"
#include "diag.h"
#include "fv.h"
#include "guid.h"
#include "io.h"
#include "json.h"
#include "ovmfcode.h"
#include "report.h"
#include "varstore.h"

static const char usage[] =
"usage: fdsplit split OVMF.fd --code OUT --vars OUT\n"
"       fdsplit join VARS CODE -o OUT\n"
"       fdsplit info [--json] FILE...\n"
"       fdsplit check [--json] VARS [--code CODE] [--template TEMPLATE]\n"
"\n"
"  split   cut a unified OVMF.fd into VARS (the varstore FV at offset 0, FvLength\n"
"          bytes) and CODE (the rest, which must start with a firmware volume)\n"
"  join    the inverse: VARS followed by CODE, after the same checks\n"
"  info    FV header, variable store, every variable, event log, FTW working\n"
"          block and spare of a VARS image; volumes, GUID table and TDX metadata\n"
"          of a CODE image; both parts of a unified image\n"
"  check   exit 0 only if VARS passes OVMF's own tests, and with --code the CODE\n"
"          expects exactly this varstore, and with --template its layout equals\n"
"          the template's field by field\n"
"\n"
"exit status: 0 ok, 1 check failed or input refused, 2 usage or I/O trouble\n";

enum fd_kind { FD_VARS, FD_CODE, FD_UNIFIED, FD_OTHER };

struct file {
	const char *path;
	uint8_t *buf;
	size_t len;
};

static int die_usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "fdsplit: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fputs(usage, stderr);
	return 2;
}

static int load(struct file *f, const char *path)
{
	char err[256];

	f->path = path;
	if (io_read_file(path, &f->buf, &f->len, err, sizeof(err)) < 0) {
		fprintf(stderr, "fdsplit: %s: %s\n", path, err);
		return 2;
	}
	return 0;
}

/* What the file is, from its first FV; *vars_len is the varstore's FvLength. */
static enum fd_kind classify(const struct file *f, uint64_t *vars_len)
{
	uint64_t fvlen = 0;

	*vars_len = 0;
	if (!fv_is_at(f->buf, f->len, 0))
		return FD_OTHER;
	if (!guid_eq(f->buf + FV_FS_GUID, GUID_SYSTEM_NV_DATA_FV))
		return FD_CODE;
	rd_le64(f->buf, f->len, FV_LENGTH, &fvlen); /* in bounds: fv_is_at saw 0x2c bytes */
	*vars_len = fvlen;
	if (fvlen < f->len && fv_is_at(f->buf, f->len, fvlen))
		return FD_UNIFIED;
	return FD_VARS;
}

/* Parses VARS and CODE parts of a unified image, reporting both. Returns 0 or 1. */
static int check_parts(const char *name, const uint8_t *vp, size_t vlen, const uint8_t *cp, size_t clen)
{
	struct varstore vs;
	struct ovmf_code c;
	struct diag d;
	int bad;

	diag_init(&d);
	bad = varstore_parse(vp, vlen, &vs, &d) < 0;
	varstore_free(&vs);
	bad |= ovmf_code_parse(cp, clen, &c, &d) < 0;
	cli_print_diag("fdsplit", name, &d);
	return bad;
}

static int write_out(const char *path, const struct io_part *parts, size_t n)
{
	char err[300];

	if (io_write_atomic(path, parts, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "fdsplit: %s: %s\n", path, err);
		return 2;
	}
	return 0;
}

static int cmd_split(const char *in, const char *code_out, const char *vars_out)
{
	struct file f;
	uint64_t vlen;
	int rc;

	if (!code_out || !vars_out)
		return die_usage("split needs --code OUT and --vars OUT", NULL);
	if (io_same_file(in, code_out) || io_same_file(in, vars_out))
		return die_usage("an output names the input; refusing to overwrite it", in);
	if ((rc = load(&f, in)) != 0)
		return rc;
	switch (classify(&f, &vlen)) {
	case FD_UNIFIED:
		break;
	case FD_VARS:
		fprintf(stderr, "fdsplit: %s: a varstore of 0x%llx bytes with no CODE volume after it (file 0x%zx): nothing to split\n",
			in, (unsigned long long)vlen, f.len);
		free(f.buf);
		return 1;
	case FD_CODE:
		fprintf(stderr, "fdsplit: %s: starts with a code volume, not the varstore (EfiSystemNvDataFv): not a unified image\n", in);
		free(f.buf);
		return 1;
	default:
		fprintf(stderr, "fdsplit: %s: no firmware volume at 0x0 (no \"_FVH\" at 0x28): not an OVMF image\n", in);
		free(f.buf);
		return 1;
	}
	if (check_parts(in, f.buf, vlen, f.buf + vlen, f.len - vlen)) {
		fprintf(stderr, "fdsplit: %s: refusing to split a malformed image; nothing written\n", in);
		free(f.buf);
		return 1;
	}
	{
		struct io_part vp = { f.buf, vlen, 0 }, cp = { f.buf + vlen, f.len - vlen, 0 };

		rc = write_out(vars_out, &vp, 1);
		if (!rc)
			rc = write_out(code_out, &cp, 1);
	}
	free(f.buf);
	return rc;
}

static int cmd_join(const char *vars, const char *code, const char *out)
{
	struct file v, c;
	uint64_t vlen;
	int rc;

	if (!out)
		return die_usage("join needs -o OUT", NULL);
	if (io_same_file(vars, out) || io_same_file(code, out))
		return die_usage("the output names an input; refusing to overwrite it", out);
	if ((rc = load(&v, vars)) != 0)
		return rc;
	if ((rc = load(&c, code)) != 0) {
		free(v.buf);
		return rc;
	}
	if (classify(&v, &vlen) != FD_VARS || vlen != v.len) {
		fprintf(stderr, "fdsplit: %s: not a varstore image (EfiSystemNvDataFv FV filling the file)\n", vars);
		rc = 1;
	} else if (classify(&c, &vlen) != FD_CODE) {
		fprintf(stderr, "fdsplit: %s: not a CODE image (a firmware volume that is not the varstore)\n", code);
		rc = 1;
	} else if (check_parts(vars, v.buf, v.len, c.buf, c.len)) {
		fprintf(stderr, "fdsplit: refusing to join malformed images; nothing written\n");
		rc = 1;
	} else {
		struct io_part parts[2] = { { v.buf, v.len, 0 }, { c.buf, c.len, 0 } };

		rc = write_out(out, parts, 2);
	}
	free(v.buf);
	free(c.buf);
	return rc;
}

static int info_one(const char *path, struct json *j)
{
	struct file f;
	struct diag d;
	struct varstore vs;
	static struct ovmf_code c;
	uint64_t vlen;
	enum fd_kind k;
	int rc, bad = 0;

	if ((rc = load(&f, path)) != 0)
		return rc;
	diag_init(&d);
	k = classify(&f, &vlen);
	if (j) {
		json_obj(j, NULL);
		json_str(j, "file", path);
		json_str(j, "kind", k == FD_VARS ? "vars" : k == FD_CODE ? "code" : k == FD_UNIFIED ? "unified" : "unknown");
		json_u64(j, "size", f.len);
	} else {
		printf("%s: %s, 0x%zx bytes\n", path,
		       k == FD_VARS ? "OVMF varstore (VARS)" : k == FD_CODE ? "OVMF code (CODE)" :
		       k == FD_UNIFIED ? "unified OVMF image (VARS + CODE)" : "not an OVMF image", f.len);
	}
	if (k == FD_VARS || k == FD_UNIFIED) {
		size_t vl = k == FD_UNIFIED ? (size_t)vlen : f.len;

		bad |= varstore_parse(f.buf, vl, &vs, &d) < 0;
		if (j)
			vars_json(j, &vs);
		else
			vars_text(stdout, &vs);
		varstore_free(&vs);
	}
	if (k == FD_CODE || k == FD_UNIFIED) {
		size_t off = k == FD_UNIFIED ? (size_t)vlen : 0;

		bad |= ovmf_code_parse(f.buf + off, f.len - off, &c, &d) < 0;
		if (j)
			code_json(j, &c, f.len - off);
		else
			code_text(stdout, &c, f.len - off);
	}
	if (k == FD_OTHER) {
		diag_add(&d, DIAG_ERROR, "no firmware volume at 0x0 (no \"_FVH\" at 0x28): not an OVMF image");
		bad = 1;
	}
	if (j) {
		json_bool(j, "ok", !bad);
		json_arr(j, "errors");
		for (size_t i = 0; i < d.n; i++)
			json_str(j, NULL, d.item[i].msg);
		json_end(j, ']');
		json_end(j, '}');
	}
	cli_print_diag("fdsplit", path, &d);
	free(f.buf);
	return bad ? 1 : 0;
}

/* --code: does this CODE expect exactly this varstore (size and mapping)? */
static int check_code(const struct file *v, const char *code_path, struct diag *d, char *how, size_t howsz)
{
	static struct ovmf_code c;
	struct file cf;
	uint64_t vlen;
	int rc = 0;

	if (load(&cf, code_path))
		return 2;
	if (classify(&cf, &vlen) != FD_CODE) {
		/* refused input, as join refuses it: 1, not a usage or I/O error */
		fprintf(stderr, "fdsplit: %s: not a CODE image (a firmware volume that is not the varstore)\n", code_path);
		free(cf.buf);
		return 1;
	}
	if (ovmf_code_parse(cf.buf, cf.len, &c, d) < 0) {
		free(cf.buf);
		return 1;
	}
	if (c.has_cfv) {
		uint64_t want_base = UINT64_C(0x100000000) - (uint64_t)cf.len - v->len;

		snprintf(how, howsz, "CODE's TDX metadata: varstore raw 0x%x bytes at 0x%llx",
			 c.cfv.raw_size, (unsigned long long)c.cfv.mem_base);
		if (c.cfv.raw_size != v->len)
			rc = diag_add(d, DIAG_ERROR, "FvLength 0x%zx, CODE expects 0x%x (TDX metadata CFV raw size)",
				      v->len, c.cfv.raw_size);
		else if (c.cfv.mem_base != want_base)
			rc = diag_add(d, DIAG_ERROR, "varstore would map at 0x%llx (4 GiB - CODE 0x%zx - VARS 0x%zx), CODE expects 0x%llx",
				      (unsigned long long)want_base, cf.len, v->len,
				      (unsigned long long)c.cfv.mem_base);
	} else {
		const char *layout;
		uint64_t want = ovmf_vars_size_for_code(cf.len, &layout);

		if (!want) {
			rc = diag_add(d, DIAG_ERROR, "CODE of 0x%zx bytes has no TDX metadata and is not a known layout (1M 0xe0000, 2M 0x1e0000, 4M 0x37c000): cannot tell its varstore",
				      cf.len);
		} else {
			snprintf(how, howsz, "judged by CODE size 0x%zx (%s layout): CODE has no TDX metadata", cf.len, layout);
			if (want != v->len)
				rc = diag_add(d, DIAG_ERROR, "FvLength 0x%zx, CODE expects 0x%llx (%s layout, by CODE size 0x%zx)",
					      v->len, (unsigned long long)want, layout, cf.len);
		}
	}
	free(cf.buf);
	return rc < 0 ? 1 : 0;
}

static int cmd_check(const char *vars, const char *code, const char *tmpl, int json)
{
	struct file v, t;
	struct varstore vs, ts;
	struct diag d;
	char how[200] = "";
	uint64_t vlen;
	int rc, worst = 0;

	if ((rc = load(&v, vars)) != 0)
		return rc;
	diag_init(&d);
	/* whatever it is, it is meant as a VARS: parse it as one so the broken field is named */
	if (classify(&v, &vlen) == FD_UNIFIED) {
		fprintf(stderr, "fdsplit: %s: a unified image (VARS + CODE): check takes VARS; split it first\n", vars);
		free(v.buf);
		return 1;
	}
	if (varstore_parse(v.buf, v.len, &vs, &d) < 0)
		worst = 1;
	if (code) {
		rc = check_code(&v, code, &d, how, sizeof(how));
		if (rc > worst)
			worst = rc;
	}
	if (tmpl && worst < 2) {
		struct diag td;

		diag_init(&td);
		if ((rc = load(&t, tmpl)) != 0) {
			worst = 2;
		} else {
			if (varstore_parse(t.buf, t.len, &ts, &td) < 0) {
				cli_print_diag("fdsplit", tmpl, &td);
				fprintf(stderr, "fdsplit: %s: the template itself is malformed\n", tmpl);
				worst = worst > 1 ? worst : 1;
			} else if (varstore_compare_layout(&vs, &ts, &d) < 0) {
				worst = worst > 1 ? worst : 1;
			}
			varstore_free(&ts);
			free(t.buf);
		}
	}
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj(&j, NULL);
		json_u64(&j, "fdsplit", 1);
		json_str(&j, "command", "check");
		json_str(&j, "file", vars);
		json_str(&j, "code", code);
		json_str(&j, "template", tmpl);
		json_str(&j, "judged_by", how[0] ? how : NULL);
		json_bool(&j, "ok", worst == 0);
		json_arr(&j, "errors");
		for (size_t i = 0; i < d.n; i++)
			json_str(&j, NULL, d.item[i].msg);
		json_end(&j, ']');
		json_end(&j, '}');
		json_done(&j);
	} else if (worst == 0) {
		printf("%s: ok, %s varstore 0x%zx bytes, %zu live variables%s%s%s%s%s%s\n", vars,
		       vs.authenticated ? "authenticated" : "plain", v.len, vs.nlive,
		       code ? "; fits " : "", code ? code : "", how[0] ? " (" : "", how,
		       how[0] ? ")" : "", tmpl ? "; same layout as the template" : "");
	}
	cli_print_diag("fdsplit", vars, &d);
	varstore_free(&vs);
	free(v.buf);
	return worst;
}

int main(int argc, char **argv)
{
	enum { O_JSON = 256, O_CODE, O_VARS, O_TEMPLATE, O_VERSION };
	static const struct option lopts[] = {
		{ "json", no_argument, 0, O_JSON },
		{ "code", required_argument, 0, O_CODE },
		{ "vars", required_argument, 0, O_VARS },
		{ "template", required_argument, 0, O_TEMPLATE },
		{ "output", required_argument, 0, 'o' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, O_VERSION },
		{ 0, 0, 0, 0 },
	};
	const char *cmd, *code = NULL, *vars = NULL, *tmpl = NULL, *out = NULL;
	int c, json = 0;

	c = cli_prologue(argc, argv, "fdsplit", usage);
	if (c >= 0)
		return c;
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = 1; break;
		case O_CODE: code = optarg; break;
		case O_VARS: vars = optarg; break;
		case O_TEMPLATE: tmpl = optarg; break;
		case 'o': out = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case O_VERSION: printf("fdsplit %s\n", FWSLOT_VERSION); return 0;
		default: return die_usage(NULL, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "split")) {
		if (argc != 1)
			return die_usage("split takes one OVMF.fd", NULL);
		return cmd_split(argv[0], code, vars);
	}
	if (!strcmp(cmd, "join")) {
		if (argc != 2)
			return die_usage("join takes VARS and CODE", NULL);
		return cmd_join(argv[0], argv[1], out);
	}
	if (!strcmp(cmd, "info")) {
		struct json j;
		int worst = 0;

		if (argc == 0)
			return die_usage("no files given", NULL);
		if (json) {
			json_init(&j, stdout);
			json_obj(&j, NULL);
			json_u64(&j, "fdsplit", 1);
			json_str(&j, "command", "info");
			json_arr(&j, "files");
		}
		for (int i = 0; i < argc; i++) {
			int rc = info_one(argv[i], json ? &j : NULL);

			if (rc > worst)
				worst = rc;
		}
		if (json) {
			json_end(&j, ']');
			json_bool(&j, "ok", worst == 0);
			json_end(&j, '}');
			json_done(&j);
		}
		return worst;
	}
	if (!strcmp(cmd, "check")) {
		if (argc != 1)
			return die_usage("check takes one VARS file", NULL);
		return cmd_check(argv[0], code, tmpl, json);
	}
	return die_usage("unknown command", cmd);
}
