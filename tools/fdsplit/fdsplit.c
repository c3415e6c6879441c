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
#include "ftwboot.h"
#include "fvmodule.h"
#include "fv.h"
#include "guid.h"
#include "io.h"
#include "json.h"
#include "ovmfcode.h"
#include "report.h"
#include "varmigrate.h"
#include "varstore.h"

static const char usage[] =
"usage: fdsplit split OVMF.fd --code OUT --vars OUT\n"
"       fdsplit join VARS CODE -o OUT\n"
"       fdsplit info [--json] FILE...\n"
"       fdsplit check [--json] VARS... [--code CODE] [--template TEMPLATE]\n"
"       fdsplit migrate [--json] OLD --template TEMPLATE [--code CODE] -o OUT\n"
"                       [--prefer-template NAME[,NAME...]] [--force-readable]\n"
"\n"
"  split   cut a unified OVMF.fd into VARS (the varstore FV at offset 0, FvLength\n"
"          bytes) and CODE (the rest, which must start with a firmware volume)\n"
"  join    the inverse: VARS followed by CODE, after the same checks\n"
"  info    FV header, variable store, every variable, event log, FTW working\n"
"          block and spare of a VARS image; volumes, GUID table and TDX metadata\n"
"          of a CODE image; both parts of a unified image\n"
"  check   exit 0 only if VARS passes OVMF's own tests, and with --code the CODE\n"
"          expects exactly this varstore, and with --template its layout equals\n"
"          the template's field by field; several VARS: a line each and a\n"
"          summary (every VM's nvram before a CODE upgrade), CODE read once\n"
"  migrate move a VM's variables to another varstore layout (2M <-> 4M): OUT is\n"
"          TEMPLATE holding every live variable of OLD (a VARS or a unified\n"
"          OVMF.fd), copied exactly; with --code, OUT must fit CODE. Written\n"
"          only when it fits; OLD's copy of a variable wins over TEMPLATE's\n"
"          unless named in --prefer-template. --force-readable copies what can\n"
"          be read from an OLD that fails check, or has a write in progress\n"
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
	if (!fv_is_at(f->buf, f->len, 0)) {
		/* a varstore whose FV header was erased mid-write still has its FTW
		 * working block where OVMF puts it, at half its size less a block */
		uint64_t ws = f->len / 2 - OVMF_FTW_WORK_SIZE;

		if (f->len >= 4 * OVMF_FTW_WORK_SIZE && in_bounds(f->len, ws, 16) && guid_eq(f->buf + ws, GUID_FTW_WORKING))
			return FD_VARS;
		return FD_OTHER;
	}
	if (!guid_eq(f->buf + FV_FS_GUID, GUID_SYSTEM_NV_DATA_FV))
		return FD_CODE;
	rd_le64(f->buf, f->len, FV_LENGTH, &fvlen); /* in bounds: fv_is_at saw 0x2c bytes */
	*vars_len = fvlen;
	if (fvlen < f->len && fv_is_at(f->buf, f->len, fvlen))
		return FD_UNIFIED;
	return FD_VARS;
}

/* Parses VARS and CODE parts of a unified image, reporting both. Returns 0, 1 or 2. */
static int check_parts(const char *name, const uint8_t *vp, size_t vlen, const uint8_t *cp, size_t clen)
{
	struct varstore vs;
	struct ovmf_code c;
	struct diag d;
	enum lib_result vr, cr;

	diag_init(&d);
	vr = varstore_parse(vp, vlen, &vs, &d);
	varstore_free(&vs);
	cr = ovmf_code_parse(cp, clen, &c, &d);
	cli_print_diag("fdsplit", name, &d);
	return cli_exit(lib_worse(vr, cr));
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

/* Whether a CODE carries FaultTolerantWritePei. Only a pending write makes
 * the answer matter, so the search's notes are dropped. */
static enum fv_module_result code_ftw_pei(const uint8_t *p, size_t len)
{
	struct diag quiet;

	diag_init(&quiet);
	return fv_find_module(p, len, GUID_FTW_PEI, &quiet);
}

/*
 * A varstore as OVMF's variable driver will read it: the bytes on disk with
 * what the flash and FTW drivers write first (ftw_boot) applied.
 */
struct boot_store {
	struct ftw_boot fb;
	uint8_t *buf;           /* the flash after the FTW start-up; malloc'd */
	struct varstore vs;     /* buf parsed; for REFORMAT and UNKNOWN, the disk's bytes unless
				 * the spare holds a complete interrupted write (then buf is that) */
	struct varstore disk;   /* the bytes on disk parsed */
	int disk_bad;           /* they fail varstore_parse */
	size_t spare_live;      /* REFORMAT with a pending restart: live variables of the lost copy */
};

static void boot_store_free(struct boot_store *bs)
{
	varstore_free(&bs->vs);
	varstore_free(&bs->disk);
	free(bs->buf);
	bs->buf = NULL;
}

/* The FTW start-up changed the bytes the variable driver reads. */
static int boot_changed(const struct boot_store *bs)
{
	return bs->fb.action == FTW_BOOT_RESTART || bs->fb.workspace != FTW_WS_AS_IS;
}

/*
 * Reads p[0..len) as the firmware will at boot. Returns 0 when that store
 * passes, 1 when it does not (or OVMF erases it, or its start-up cannot be
 * predicted, or the CODE it is judged against reads a pending write before
 * restoring it), 2 when out of memory. d gets the findings on what the
 * firmware reads; findings on disk that the start-up repairs come as notes.
 * ftw_pei: whether the CODE carries FaultTolerantWritePei (FV_MODULE_FOUND,
 * FV_MODULE_ABSENT; anything else is unknown, as with no CODE: a pending write
 * then gets a warning).
 */
static int boot_store_read(const uint8_t *p, size_t len, enum fv_module_result ftw_pei, struct boot_store *bs,
			   struct diag *d)
{
	struct diag dd, scratch;
	enum lib_result disk;
	int rc;

	memset(bs, 0, sizeof(*bs));
	diag_init(&dd);
	disk = varstore_parse(p, len, &bs->disk, &dd);
	if (disk == LIB_NO_MEMORY) {
		diag_append(d, &dd);
		return 2;
	}
	bs->disk_bad = disk != LIB_OK;
	if (!(bs->buf = malloc(len ? len : 1))) {
		diag_add(d, DIAG_ERROR, "out of memory for 0x%zx bytes", len);
		return 2;
	}
	if (ftw_boot(p, len, bs->buf, &bs->fb) != LIB_OK) {
		diag_append(d, &dd);
		/* vs: the interrupted write's copy when there is one (what --force-readable rescues), else the disk */
		enum lib_result spare = LIB_REFUSED;

		diag_init(&scratch);
		if (bs->fb.pending_restart)
			spare = varstore_parse(bs->buf, len, &bs->vs, &scratch);
		if (spare == LIB_OK) {
			bs->spare_live = bs->vs.nlive;
		} else {
			varstore_free(&bs->vs);
			bs->fb.pending_restart = 0;
			memcpy(bs->buf, p, len);
			diag_init(&scratch);
			if (spare == LIB_NO_MEMORY || varstore_parse(p, len, &bs->vs, &scratch) == LIB_NO_MEMORY) {
				diag_append(d, &scratch);
				return 2;
			}
		}
		if (bs->fb.action == FTW_BOOT_REFORMAT)
			diag_add(d, DIAG_ERROR, "OVMF erases this varstore at boot, every variable lost (its flash driver finds the FV header not valid: %s)",
				 bs->fb.why);
		else
			diag_add(d, DIAG_ERROR, "cannot tell what OVMF makes of this varstore at boot: %s", bs->fb.why);
		if (bs->spare_live)
			diag_add(d, DIAG_NOTE, "the interrupted write's copy in the spare holds %zu variables; OVMF does not restore them (fdsplit migrate --force-readable does)",
				 bs->spare_live);
		return 1;
	}
	rc = cli_exit(varstore_parse(bs->buf, len, &bs->vs, d));
	if (rc == 2)
		return rc;
	if (bs->fb.workspace == FTW_WS_RESET) {
		/* OVMF's own interrupted writes always leave one valid copy of the
		 * work space (FlushSpareBlockToWorkingBlock validates the spare's
		 * first): this is damage, and whatever the queue held is dropped */
		diag_append(d, &dd);
		diag_add(d, DIAG_ERROR, "the FTW working block at 0x%zx is not valid and the spare holds no copy of it: OVMF starts an empty write queue at boot, which no interrupted write of its own leaves behind",
			 len / 2 - OVMF_FTW_WORK_SIZE);
		rc = 1;
	} else if (rc == 0 && bs->disk_bad && boot_changed(bs)) {
		for (size_t i = 0; i < dd.n; i++)
			diag_add(d, DIAG_NOTE, "on disk, replaced at boot: %s", dd.item[i].msg);
	}
	/* measured (tests/migrate): without FaultTolerantWritePei the variable
	 * driver is dispatched before the FTW driver and caches the torn store */
	if (bs->fb.action == FTW_BOOT_RESTART && ftw_pei != FV_MODULE_FOUND && ftw_pei != FV_MODULE_ABSENT)
		diag_add(d, DIAG_WARN, "a build without SMM (as Debian's OVMF_CODE_4M.fd) reads the torn store before FTW restores it, then writes over it: boot this VM on an SMM build first, or fdsplit migrate it");
	if (bs->fb.action == FTW_BOOT_RESTART && ftw_pei == FV_MODULE_ABSENT) {
		diag_add(d, DIAG_ERROR, "the CODE has no FaultTolerantWritePei (a build without SMM): it reads the torn store before FTW restores it, then writes over it; boot this VM on an SMM build first, or fdsplit migrate it");
		rc = 1;
	}
	return rc;
}

/* One clause on what OVMF's start-up does with this store; "" when nothing. */
static void boot_clause(const struct boot_store *bs, char *s, size_t n)
{
	const char *ws = NULL, *act = NULL;
	char buf[DIAG_MSG];

	switch (bs->fb.workspace) {
	case FTW_WS_FROM_SPARE: ws = "the FTW working block is not valid: the firmware restores it from the spare's copy"; break;
	case FTW_WS_RESET: ws = "the FTW working block is not valid and the spare holds no copy: the firmware starts an empty write queue"; break;
	case FTW_WS_COMPACTED: ws = "the FTW write queue is full or holds bytes after its last write: the firmware compacts it"; break;
	default: break;
	}
	switch (bs->fb.action) {
	case FTW_BOOT_RESTART:
		snprintf(buf, sizeof(buf), "write in progress: the firmware will restore %zu variables from the spare (SMM builds; 0x%llx bytes to 0x%llx; %zu live on disk)",
			 bs->vs.nlive, (unsigned long long)bs->fb.length, (unsigned long long)bs->fb.target, bs->disk.nlive);
		act = buf;
		break;
	case FTW_BOOT_DISCARD: act = "an interrupted write whose spare copy was not complete: the firmware drops it and reads the store as it is"; break;
	case FTW_BOOT_FINISH: act = "a finished write without its Complete bit: the firmware marks it complete"; break;
	case FTW_BOOT_LEFT: act = "a multi-record write in progress: the firmware leaves it to the driver that started it"; break;
	default: break;
	}
	snprintf(s, n, "%s%s%s", ws ? ws : "", ws && act ? "; " : "", act ? act : "");
}

static void boot_json(struct json *j, const struct boot_store *bs)
{
	char clause[2 * DIAG_MSG];

	boot_clause(bs, clause, sizeof(clause));
	json_obj(j, "boot");
	json_str(j, "action", ftw_boot_action_name(bs->fb.action));
	json_str(j, "workspace", ftw_boot_workspace_name(bs->fb.workspace));
	json_str(j, "message", clause[0] ? clause : bs->fb.why[0] ? bs->fb.why : NULL);
	json_u64(j, "target", bs->fb.target);
	json_u64(j, "length", bs->fb.length);
	json_u64(j, "live", bs->vs.nlive);
	json_u64(j, "disk_live", bs->disk.nlive);
	json_u64(j, "spare_live", bs->spare_live);
	if (boot_changed(bs))
		vars_list_json(j, "variables", &bs->vs);
	json_end(j, '}');
}

static int info_one(const char *path, struct json *j)
{
	struct file f;
	struct diag d;
	static struct ovmf_code c;
	uint64_t vlen;
	enum fd_kind k;
	size_t code_off;
	enum fv_module_result ftw_pei = FV_MODULE_UNDECODED;
	int rc, worst = 0;

	if ((rc = load(&f, path)) != 0)
		return rc;
	diag_init(&d);
	k = classify(&f, &vlen);
	code_off = k == FD_UNIFIED ? (size_t)vlen : 0;
	if (k == FD_CODE || k == FD_UNIFIED) /* decompressed once, for the VARS part and the CODE report */
		ftw_pei = code_ftw_pei(f.buf + code_off, f.len - code_off);
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
		struct boot_store bs;
		char clause[2 * DIAG_MSG];

		worst = cli_worse(worst, boot_store_read(f.buf, vl, ftw_pei, &bs, &d));
		boot_clause(&bs, clause, sizeof(clause));
		if (j) {
			vars_json(j, &bs.disk);
			boot_json(j, &bs);
		} else {
			vars_text(stdout, &bs.disk);
			if (clause[0])
				printf("  at boot: %s\n", clause);
			if (boot_changed(&bs)) {
				printf("  variables OVMF will read:\n");
				vars_list_text(stdout, &bs.vs);
			}
		}
		boot_store_free(&bs);
	}
	if (k == FD_CODE || k == FD_UNIFIED) {
		worst = cli_worse(worst, cli_exit(ovmf_code_parse(f.buf + code_off, f.len - code_off, &c, &d)));
		if (j) {
			code_json(j, &c, f.len - code_off);
			json_str(j, "ftw_pei", ftw_pei == FV_MODULE_FOUND ? "yes" : ftw_pei == FV_MODULE_ABSENT ? "no" : NULL);
		} else {
			code_text(stdout, &c, f.len - code_off);
			printf("  FaultTolerantWritePei: %s\n",
			       ftw_pei == FV_MODULE_UNDECODED ? "unknown (no LZMA volume decoded)" :
			       ftw_pei == FV_MODULE_NO_MEMORY ? "unknown (out of memory decoding its LZMA volumes)" :
			       ftw_pei == FV_MODULE_FOUND ? "yes (an SMM build: a write in progress is restored before variables are read)" :
			       "no (a build without SMM: its variable driver reads a torn store before FTW restores it)");
		}
	}
	if (k == FD_OTHER) {
		diag_add(&d, DIAG_ERROR, "no firmware volume at 0x0 (no \"_FVH\" at 0x28): not an OVMF image");
		worst = cli_worse(worst, 1);
	}
	if (j) {
		json_bool(j, "ok", worst == 0);
		json_arr(j, "errors");
		for (size_t i = 0; i < d.n; i++)
			json_str(j, NULL, d.item[i].msg);
		json_end(j, ']');
		json_end(j, '}');
	}
	cli_print_diag("fdsplit", path, &d);
	free(f.buf);
	return worst;
}

/* A CODE image, loaded and parsed once for any number of varstores. */
struct code_ref {
	const char *path;
	size_t len;
	struct ovmf_code c;
	int parsed;           /* ovmf_code_parse succeeded */
	enum fv_module_result ftw_pei; /* FaultTolerantWritePei in its volumes */
};

/* Loads and parses CODE. Returns 0, 1 (not a CODE image, or malformed: the
 * diag says which), 2 on I/O trouble. */
static int code_load(struct code_ref *cr, const char *path, struct diag *d)
{
	struct file cf;
	uint64_t vlen;
	int rc = 0;

	memset(cr, 0, sizeof(*cr));
	cr->path = path;
	if (load(&cf, path))
		return 2;
	cr->len = cf.len;
	if (classify(&cf, &vlen) != FD_CODE) {
		/* refused input, as join refuses it: 1, not a usage or I/O error */
		fprintf(stderr, "fdsplit: %s: not a CODE image (a firmware volume that is not the varstore)\n", path);
		rc = 1;
	} else {
		rc = cli_exit(ovmf_code_parse(cf.buf, cf.len, &cr->c, d));
		if (rc == 0) {
			cr->parsed = 1;
			cr->ftw_pei = code_ftw_pei(cf.buf, cf.len);
		}
	}
	free(cf.buf);
	return rc;
}

/* --code: does this CODE expect exactly a varstore of vlen bytes (size and mapping)? 0 or 1. */
static int code_expects(const struct code_ref *cr, size_t vlen, struct diag *d, char *how, size_t howsz)
{
	const struct ovmf_code *c = &cr->c;
	enum lib_result rc = LIB_OK;

	if (c->has_cfv) {
		uint64_t want_base = UINT64_C(0x100000000) - (uint64_t)cr->len - vlen;

		snprintf(how, howsz, "CODE's TDX metadata: varstore raw 0x%x bytes at 0x%llx",
			 c->cfv.raw_size, (unsigned long long)c->cfv.mem_base);
		if (c->cfv.raw_size != vlen)
			rc = diag_add(d, DIAG_ERROR, "FvLength 0x%zx, CODE expects 0x%x (TDX metadata CFV raw size)",
				      vlen, c->cfv.raw_size);
		else if (c->cfv.mem_base != want_base)
			rc = diag_add(d, DIAG_ERROR, "varstore would map at 0x%llx (4 GiB - CODE 0x%zx - VARS 0x%zx), CODE expects 0x%llx",
				      (unsigned long long)want_base, cr->len, vlen,
				      (unsigned long long)c->cfv.mem_base);
	} else {
		const char *layout;
		uint64_t want = ovmf_vars_size_for_code(cr->len, &layout);

		if (!want) {
			rc = diag_add(d, DIAG_ERROR, "CODE of 0x%zx bytes has no TDX metadata and is not a known layout (1M 0xe0000, 2M 0x1e0000, 4M 0x37c000): cannot tell its varstore",
				      cr->len);
		} else {
			snprintf(how, howsz, "judged by CODE size 0x%zx (%s layout): CODE has no TDX metadata", cr->len, layout);
			if (want != vlen)
				rc = diag_add(d, DIAG_ERROR, "FvLength 0x%zx, CODE expects 0x%llx (%s layout, by CODE size 0x%zx)",
					      vlen, (unsigned long long)want, layout, cr->len);
		}
	}
	return cli_exit(rc);
}

/* One varstore against the CODE and template loaded once. Returns 0, 1, 2. */
static int check_one(const char *vars, const struct code_ref *cr, const struct varstore *ts,
		     struct json *j, int single)
{
	struct file v;
	struct boot_store bs;
	struct diag d;
	char how[200] = "", clause[2 * DIAG_MSG];
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
	rc = boot_store_read(v.buf, v.len, cr ? cr->ftw_pei : FV_MODULE_UNDECODED, &bs, &d);
	if (rc)
		worst = rc;
	if (cr && code_expects(cr, v.len, &d, how, sizeof(how)))
		worst = worst ? worst : 1;
	if (ts && varstore_compare_layout(&bs.vs, ts, &d) != LIB_OK)
		worst = worst ? worst : 1;
	boot_clause(&bs, clause, sizeof(clause));
	if (j) {
		if (single) {
			json_u64(j, "fdsplit", 1);
			json_str(j, "command", "check");
		}
		json_str(j, "file", vars);
		json_str(j, "code", cr ? cr->path : NULL);
		json_str(j, "judged_by", how[0] ? how : NULL);
		json_u64(j, "live", bs.vs.nlive);
		boot_json(j, &bs);
		json_bool(j, "ok", worst == 0);
		json_arr(j, "errors");
		for (size_t i = 0; i < d.n; i++)
			json_str(j, NULL, d.item[i].msg);
		json_end(j, ']');
	} else if (worst == 0) {
		printf("%s: ok, %s varstore 0x%zx bytes, %zu live variables%s%s%s%s%s%s%s%s\n", vars,
		       bs.vs.authenticated ? "authenticated" : "plain", v.len, bs.vs.nlive,
		       cr ? "; fits " : "", cr ? cr->path : "", how[0] ? " (" : "", how,
		       how[0] ? ")" : "", ts ? "; same layout as the template" : "",
		       clause[0] ? "; " : "", clause);
	} else if (!single) {
		const char *why = "see above";

		for (size_t i = d.n; i-- > 0;) /* the first error */
			if (d.item[i].level == DIAG_ERROR)
				why = d.item[i].msg;
		printf("%s: FAILED: %s\n", vars, why);
	}
	cli_print_diag("fdsplit", vars, &d);
	boot_store_free(&bs);
	free(v.buf);
	return worst;
}

/* check VARS... [--code CODE] [--template T]: CODE and the template are read once. */
static int cmd_check(int nvars, char **vars, const char *code, const char *tmpl, int json)
{
	static struct code_ref cr;
	struct varstore ts = { 0 };
	struct file t = { 0 };
	struct json j;
	size_t nok = 0, nbad = 0;
	int worst = 0, rc;

	if (code) {
		struct diag d;

		diag_init(&d);
		rc = code_load(&cr, code, &d);
		cli_print_diag("fdsplit", code, &d);
		if (rc)
			return rc;
	}
	if (tmpl) {
		struct diag td;

		diag_init(&td);
		if ((rc = load(&t, tmpl)) != 0)
			return rc;
		if ((rc = cli_exit(varstore_parse(t.buf, t.len, &ts, &td))) != 0) {
			cli_print_diag("fdsplit", tmpl, &td);
			if (rc == 1)
				fprintf(stderr, "fdsplit: %s: the template itself is malformed\n", tmpl);
			varstore_free(&ts);
			free(t.buf);
			return rc;
		}
	}
	if (json) {
		json_init(&j, stdout);
		json_obj(&j, NULL);
		if (nvars > 1) {
			json_u64(&j, "fdsplit", 1);
			json_str(&j, "command", "check");
			json_str(&j, "template", tmpl);
			json_arr(&j, "files");
		}
	}
	for (int i = 0; i < nvars; i++) {
		if (json && nvars > 1)
			json_obj(&j, NULL);
		rc = check_one(vars[i], code ? &cr : NULL, tmpl ? &ts : NULL, json ? &j : NULL, nvars == 1);
		if (json && nvars == 1)
			json_str(&j, "template", tmpl);
		if (json && nvars > 1)
			json_end(&j, '}');
		if (rc)
			nbad++;
		else
			nok++;
		if (rc > worst)
			worst = rc;
	}
	if (json) {
		if (nvars > 1) {
			json_end(&j, ']');
			json_u64(&j, "checked", (uint64_t)nvars);
			json_u64(&j, "failed", nbad);
			json_bool(&j, "ok", worst == 0);
		}
		json_end(&j, '}');
		json_done(&j);
	} else if (nvars > 1) {
		printf("%d varstores: %zu ok, %zu failed%s%s\n", nvars, nok, nbad,
		       code ? " against " : "", code ? code : "");
	}
	varstore_free(&ts);
	free(t.buf);
	return worst;
}

struct migrate_args {
	const char *old, *tmpl, *code, *out;
	int json, force;
	struct migrate_opts opts;
};

/* The parts of a migration, loaded and parsed; freed by migrate_free. */
struct migration {
	struct file o, t;
	size_t olen;
	struct boot_store ob;       /* OLD as the firmware reads it at boot */
	const uint8_t *obuf;        /* the bytes migrated: ob.buf, or o.buf with --force-readable */
	const struct varstore *ovs; /* their parse */
	struct varstore tvs;
	uint8_t *out;
};

static void migrate_free(struct migration *m)
{
	/* parsed or not (a failed parse keeps what it read), zeroed structs free nothing */
	boot_store_free(&m->ob);
	varstore_free(&m->tvs);
	free(m->o.buf);
	free(m->t.buf);
	free(m->out);
}

/* Loads and judges OLD and TEMPLATE. Returns 0, 1 refused, 2 I/O. */
static int migrate_inputs(const struct migrate_args *a, struct migration *m)
{
	struct diag d;
	uint64_t vlen;
	int rc;

	if ((rc = load(&m->o, a->old)) != 0 || (rc = load(&m->t, a->tmpl)) != 0)
		return rc;
	switch (classify(&m->o, &vlen)) {
	case FD_UNIFIED: m->olen = (size_t)vlen; break; /* its VARS part */
	case FD_VARS: m->olen = m->o.len; break;
	default:
		fprintf(stderr, "fdsplit: %s: not a varstore or a unified OVMF image (no EfiSystemNvDataFv volume at 0x0)\n", a->old);
		return 1;
	}
	/* what the firmware will read: a write in progress completed from the spare first */
	diag_init(&d);
	rc = boot_store_read(m->o.buf, m->olen, FV_MODULE_UNDECODED, &m->ob, &d);
	cli_print_diag("fdsplit", a->old, &d);
	if (rc == 2)
		return 2;
	m->obuf = m->ob.buf;
	m->ovs = &m->ob.vs;
	if (rc && m->ob.fb.action >= FTW_BOOT_REFORMAT) {
		if (!a->force) {
			if (m->ob.fb.pending_restart)
				fprintf(stderr, "fdsplit: %s: refusing to migrate a varstore the firmware would erase (above); --force-readable copies the %zu variables of the interrupted write\n",
					a->old, m->ob.spare_live);
			else
				fprintf(stderr, "fdsplit: %s: refusing to migrate a varstore the firmware would not read as it is (above); --force-readable copies what the bytes on disk hold\n",
					a->old);
			return 1;
		}
		if (!m->ob.fb.pending_restart) { /* --force-readable: the bytes on disk, as they are */
			m->obuf = m->o.buf;
			m->ovs = &m->ob.disk;
		}
	} else if (rc && !a->force) {
		fprintf(stderr, "fdsplit: %s: fails fdsplit check (above): refusing to migrate it; --force-readable copies the %zu records that were read\n",
			a->old, m->ovs->nvars);
		return 1;
	}
	diag_init(&d);
	rc = classify(&m->t, &vlen) != FD_VARS || vlen != m->t.len ? 1 :
	     cli_exit(varstore_parse(m->t.buf, m->t.len, &m->tvs, &d));
	if (rc) {
		cli_print_diag("fdsplit", a->tmpl, &d);
		if (rc == 1)
			fprintf(stderr, "fdsplit: %s: not a varstore template (a VARS image that passes fdsplit check)\n", a->tmpl);
		return rc;
	}
	return 0;
}

static void migrate_report_out(const struct migrate_args *a, const struct migration *m,
			       const struct migrate_report *r, const char *how, int ok, const struct diag *d)
{
	if (a->json) {
		struct json j;

		json_doc(&j, stdout, "fdsplit", "migrate");
		json_str(&j, "old", a->old);
		json_str(&j, "template", a->tmpl);
		json_str(&j, "code", a->code);
		json_str(&j, "out", ok ? a->out : NULL);
		json_u64(&j, "old_live", m->ovs->nlive);
		json_str(&j, "old_at_boot", ftw_boot_action_name(m->ob.fb.action));
		json_u64(&j, "copied", r->copied);
		json_u64(&j, "kept", r->kept);
		json_u64(&j, "replaced", r->replaced);
		json_str(&j, "replaced_names", r->replaced_names);
		json_u64(&j, "preferred_template", r->preferred);
		json_u64(&j, "duplicates", r->duplicates);
		json_u64(&j, "used", r->used);
		json_u64(&j, "free", r->free);
		json_str(&j, "judged_by", how[0] ? how : NULL);
		json_bool(&j, "ok", ok);
		json_arr(&j, "errors");
		for (size_t i = 0; i < d->n; i++)
			json_str(&j, NULL, d->item[i].msg);
		json_end(&j, ']');
		json_end(&j, '}');
		json_done(&j);
	} else if (ok) {
		printf("%s: %zu variables from %s, %zu kept from the template, %zu replaced%s%s%s; 0x%llx bytes used, 0x%llx free in the 0x%x-byte store%s%s%s%s%s\n",
		       a->out, r->copied, a->old, r->kept, r->replaced, r->replaced ? " (" : "", r->replaced_names,
		       r->replaced ? ")" : "", (unsigned long long)r->used, (unsigned long long)r->free,
		       m->tvs.store_size, a->code ? "; fits " : "", a->code ? a->code : "", how[0] ? " (" : "", how,
		       how[0] ? ")" : "");
		if (m->obuf == m->ob.buf && m->ob.fb.action == FTW_BOOT_REFORMAT)
			printf("%s: copied the interrupted write's copy in the spare of %s (--force-readable): OVMF itself would erase that store\n",
			       a->out, a->old);
		else if (m->obuf == m->ob.buf && boot_changed(&m->ob)) {
			char clause[2 * DIAG_MSG];

			boot_clause(&m->ob, clause, sizeof(clause));
			printf("%s: read %s as the firmware will at boot: %s\n", a->out, a->old, clause);
		}
		if (r->preferred)
			printf("%s: %zu variables kept from the template as asked (--prefer-template)\n", a->out, r->preferred);
		if (r->duplicates)
			printf("%s: %zu later copies of a variable %s holds twice left out (OVMF reads the first)\n",
			       a->out, r->duplicates, a->old);
	}
}

static int cmd_migrate(const struct migrate_args *a)
{
	struct migration m = { 0 };
	struct migrate_report r = { 0 };
	struct varstore nvs;
	struct diag d;
	char how[200] = "";
	int rc;

	if (!a->tmpl || !a->out)
		return die_usage("migrate needs --template TEMPLATE and -o OUT", NULL);
	if (io_same_file(a->old, a->out) || io_same_file(a->tmpl, a->out))
		return die_usage("the output names an input; refusing to overwrite it", a->out);
	diag_init(&d);
	rc = migrate_inputs(a, &m);
	if (rc == 0 && !(m.out = malloc(m.t.len))) {
		fprintf(stderr, "fdsplit: %s: out of memory for 0x%zx bytes\n", a->out, m.t.len);
		rc = 2;
	}
	if (rc == 0)
		rc = cli_exit(varstore_migrate(m.obuf, m.ovs, m.t.buf, m.t.len, &m.tvs, &a->opts, m.out, &r, &d));
	if (rc == 0) {
		/* the result must read back as the template's layout with every variable live */
		struct diag nd;
		enum lib_result back;

		diag_init(&nd);
		back = varstore_parse(m.out, m.t.len, &nvs, &nd);
		if (back == LIB_NO_MEMORY) {
			cli_print_diag("fdsplit", a->out, &nd);
			rc = 2;
		} else if (back != LIB_OK || nvs.nlive != r.copied + r.kept ||
			   varstore_compare_layout(&nvs, &m.tvs, &nd) != LIB_OK) {
			cli_print_diag("fdsplit", a->out, &nd);
			fprintf(stderr, "fdsplit: %s: internal error: the new store does not read back (%zu live, %zu expected); nothing written\n",
				a->out, nvs.nlive, r.copied + r.kept);
			rc = 1;
		}
		varstore_free(&nvs);
	}
	if (rc == 0 && a->code) {
		static struct code_ref cr;

		rc = code_load(&cr, a->code, &d);
		if (rc == 0)
			rc = code_expects(&cr, m.t.len, &d, how, sizeof(how));
	}
	if (rc == 0) {
		struct io_part part = { m.out, m.t.len, 0 };

		rc = write_out(a->out, &part, 1);
	}
	migrate_report_out(a, &m, &r, how, rc == 0, &d);
	cli_print_diag("fdsplit", a->out, &d);
	if (rc == 1)
		fprintf(stderr, "fdsplit: %s: not written\n", a->out);
	migrate_free(&m);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_JSON = 256, O_CODE, O_VARS, O_TEMPLATE, O_VERSION, O_PREFER, O_FORCE };
	static const struct option lopts[] = {
		{ "json", no_argument, 0, O_JSON },
		{ "code", required_argument, 0, O_CODE },
		{ "vars", required_argument, 0, O_VARS },
		{ "template", required_argument, 0, O_TEMPLATE },
		{ "prefer-template", required_argument, 0, O_PREFER },
		{ "force-readable", no_argument, 0, O_FORCE },
		{ "output", required_argument, 0, 'o' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, O_VERSION },
		{ 0, 0, 0, 0 },
	};
	const char *cmd, *code = NULL, *vars = NULL, *tmpl = NULL, *out = NULL;
	static char prefer[1024];
	struct migrate_args ma = { 0 };
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
		case O_PREFER:
			if (strlen(optarg) >= sizeof(prefer) || ma.opts.nprefer)
				return die_usage("--prefer-template: once, NAME[,NAME...] under 1024 characters", optarg);
			strcpy(prefer, optarg);
			for (char *p = prefer, *tok; (tok = strsep(&p, ",")) != NULL;) {
				if (!*tok || ma.opts.nprefer == MIGRATE_NAMES_MAX)
					return die_usage("--prefer-template: up to 16 variable names, comma-separated (PK,KEK,db,dbx)", optarg);
				ma.opts.prefer_template[ma.opts.nprefer++] = tok;
			}
			break;
		case O_FORCE: ma.force = 1; break;
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
			json_doc(&j, stdout, "fdsplit", "info");
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
	if (!strcmp(cmd, "migrate")) {
		if (argc != 1)
			return die_usage("migrate takes one OLD varstore", NULL);
		if (vars)
			return die_usage("--vars is for split", NULL);
		ma.old = argv[0];
		ma.tmpl = tmpl;
		ma.code = code;
		ma.out = out;
		ma.json = json;
		return cmd_migrate(&ma);
	}
	if (ma.opts.nprefer || ma.force)
		return die_usage("--prefer-template and --force-readable are for migrate", NULL);
	if (!strcmp(cmd, "check")) {
		if (argc < 1)
			return die_usage("check takes one or more VARS files", NULL);
		return cmd_check(argc, argv, code, tmpl, json);
	}
	return die_usage("unknown command", cmd);
}
