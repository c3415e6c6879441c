/* SPDX-License-Identifier: MIT */
/* fdsplit: split and join OVMF images, report varstores, prove a varstore fits a CODE or template. */
#define _DEFAULT_SOURCE
#include "fdsplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
"usage: fdsplit split OVMF.fd --code OUT --vars OUT\n"
"       fdsplit join VARS CODE -o OUT\n"
"       fdsplit info [--json] FILE...\n"
"       fdsplit check [--json] VARS... [--code CODE] [--template TEMPLATE]\n"
"       fdsplit migrate [--json] OLD --template TEMPLATE [--code CODE] -o OUT\n"
"                       [--prefer-template NAME[,NAME...]] [--force-readable]\n"
"       fdsplit audit [--json] [--against TEMPLATE] VARS...\n"
"       fdsplit update-keys [--json] --from TEMPLATE [--code CODE] [--dry-run]\n"
"                       [--no-backup] [--replace-pk] VARS...\n"
"       fdsplit --commands\n"
"\n"
"  split   cut a unified OVMF.fd into VARS (the varstore FV at offset 0, FvLength\n"
"          bytes) and CODE (the rest, which must start with a firmware volume)\n"
"  join    the inverse: VARS followed by CODE, after the same checks\n"
"  info    FV header, variable store, every variable, event log, FTW working\n"
"          block and spare of a VARS image; its Secure Boot state, keys (each\n"
"          certificate's subject, issuer, serial, dates) and boot options;\n"
"          volumes, GUID table and TDX metadata of a CODE image; both parts of\n"
"          a unified image\n"
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
"  audit   per VM varstore: Secure Boot on or off, the Microsoft CAs its db\n"
"          trusts (2011 only, 2023, both), whether its KEK takes updates signed\n"
"          by Microsoft's 2023 KEK; with --against, the KEK, db and dbx entries\n"
"          it lacks and holds beyond TEMPLATE (exit 1 when any VM lacks one)\n"
"  update-keys  bring each VM varstore's KEK and db up to TEMPLATE's (the\n"
"          certificates it lacks added) and its dbx to the union of both (no\n"
"          revocation the guest applied is lost), as OVMF appends them; PK\n"
"          only with --replace-pk. Every other variable is kept as it was;\n"
"          written atomically, the old store kept as VARS.bak unless\n"
"          --no-backup; refused, writing nothing, with a write in progress,\n"
"          when it does not fit, or when a running QEMU holds the file\n"
"  --commands  each command and the options it takes (an option a command\n"
"          does not take is a usage error)\n"
"\n"
"exit status: 0 ok, 1 check failed or input refused, 2 usage or I/O trouble\n";

enum { O_JSON, O_CODE, O_VARS, O_TEMPLATE, O_PREFER, O_FORCE, O_OUT, O_AGAINST, O_FROM, O_DRY, O_NOBACKUP, O_PK };

static const struct cli_opt options[] = {
	[O_JSON] = { "json", 0, 0 },
	[O_CODE] = { "code", 1, 0 },
	[O_VARS] = { "vars", 1, 0 },
	[O_TEMPLATE] = { "template", 1, 0 },
	[O_PREFER] = { "prefer-template", 1, 0 },
	[O_FORCE] = { "force-readable", 0, 0 },
	[O_OUT] = { "output", 1, 'o' },
	[O_AGAINST] = { "against", 1, 0 },
	[O_FROM] = { "from", 1, 0 },
	[O_DRY] = { "dry-run", 0, 0 },
	[O_NOBACKUP] = { "no-backup", 0, 0 },
	[O_PK] = { "replace-pk", 0, 0 },
};

static const struct cli_cmd commands[] = {
	{ "split", CLI_BIT(O_CODE) | CLI_BIT(O_VARS), 1, 1, "one OVMF.fd", cmd_split },
	{ "join", CLI_BIT(O_OUT), 2, 2, "VARS and CODE", cmd_join },
	{ "info", CLI_BIT(O_JSON), 1, -1, "one or more files", cmd_info },
	{ "check", CLI_BIT(O_JSON) | CLI_BIT(O_CODE) | CLI_BIT(O_TEMPLATE), 1, -1, "one or more VARS files",
	  cmd_check },
	{ "migrate", CLI_BIT(O_JSON) | CLI_BIT(O_CODE) | CLI_BIT(O_TEMPLATE) | CLI_BIT(O_PREFER) | CLI_BIT(O_FORCE) |
	  CLI_BIT(O_OUT), 1, 1, "one OLD varstore", cmd_migrate },
	{ "audit", CLI_BIT(O_JSON) | CLI_BIT(O_AGAINST), 1, -1, "one or more VARS files", cmd_audit },
	{ "update-keys", CLI_BIT(O_JSON) | CLI_BIT(O_FROM) | CLI_BIT(O_CODE) | CLI_BIT(O_DRY) | CLI_BIT(O_NOBACKUP) |
	  CLI_BIT(O_PK), 1, -1, "one or more VARS files", cmd_update_keys },
};

static int set_option(void *opts, size_t i, const char *arg)
{
	struct fdsplit_opts *o = opts;

	switch (i) {
	case O_JSON: o->json = 1; break;
	case O_CODE: o->code = arg; break;
	case O_VARS: o->vars = arg; break;
	case O_TEMPLATE: o->tmpl = arg; break;
	case O_FORCE: o->force = 1; break;
	case O_OUT: o->out = arg; break;
	case O_AGAINST: o->against = arg; break;
	case O_FROM: o->from = arg; break;
	case O_DRY: o->dry_run = 1; break;
	case O_NOBACKUP: o->no_backup = 1; break;
	case O_PK: o->replace_pk = 1; break;
	case O_PREFER:
		if (strlen(arg) >= sizeof(o->prefer))
			return fd_usage("--prefer-template: NAME[,NAME...] under 1024 characters", arg);
		strcpy(o->prefer, arg);
		for (char *p = o->prefer, *tok; (tok = strsep(&p, ",")) != NULL;) {
			if (!*tok || o->migrate.nprefer == MIGRATE_NAMES_MAX)
				return fd_usage("--prefer-template: up to 16 variable names, comma-separated (PK,KEK,db,dbx)", arg);
			o->migrate.prefer_template[o->migrate.nprefer++] = tok;
		}
		break;
	}
	return 0;
}

static const struct cli_tool fdsplit = {
	"fdsplit", usage, options, sizeof(options) / sizeof(options[0]),
	commands, sizeof(commands) / sizeof(commands[0]), set_option,
};

int fd_usage(const char *msg, const char *arg)
{
	return cli_usage_error(&fdsplit, msg, arg);
}

int fd_load(struct file *f, const char *path, struct diag *d)
{
	char err[256];

	f->path = path;
	if (io_read_file(path, &f->buf, &f->len, err, sizeof(err)) < 0) {
		if (d)
			diag_add(d, DIAG_ERROR, "%s", err);
		else
			fprintf(stderr, "fdsplit: %s: %s\n", path, err);
		return 2;
	}
	return 0;
}

int fd_write(const char *path, const struct io_part *parts, size_t n)
{
	char err[300];

	if (io_write_atomic(path, parts, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "fdsplit: %s: %s\n", path, err);
		return 2;
	}
	return 0;
}

void fd_json_findings(struct json *j, const struct diag *d)
{
	static const struct { const char *key; enum diag_level level; } arrays[] = {
		{ "errors", DIAG_ERROR }, { "warnings", DIAG_WARN }, { "notes", DIAG_NOTE },
	};

	for (size_t a = 0; a < sizeof(arrays) / sizeof(arrays[0]); a++) {
		json_arr(j, arrays[a].key);
		for (size_t i = 0; i < d->n; i++)
			if (d->item[i].level == arrays[a].level)
				json_str(j, NULL, d->item[i].msg);
		json_end(j, ']');
	}
}

enum fv_module_result code_ftw_pei(const uint8_t *p, size_t len)
{
	struct diag quiet;

	diag_init(&quiet);
	return fv_find_module(p, len, GUID_FTW_PEI, &quiet);
}

int code_load(struct code_ref *cr, const char *path, struct diag *d)
{
	struct file cf;
	uint64_t vlen;
	int rc = 0;

	memset(cr, 0, sizeof(*cr));
	cr->path = path;
	if (fd_load(&cf, path, d))
		return 2;
	cr->len = cf.len;
	if (ovmf_classify(cf.buf, cf.len, &vlen) != OVMF_CODE) {
		/* refused input, as join refuses it: 1, not a usage or I/O error */
		diag_add(d, DIAG_ERROR, "not a CODE image (a firmware volume that is not the varstore)");
		rc = 1;
	} else {
		rc = cli_exit(ovmf_code_parse(cf.buf, cf.len, &cr->c, d));
		if (rc == 0)
			cr->ftw_pei = code_ftw_pei(cf.buf, cf.len);
	}
	free(cf.buf);
	return rc;
}

int main(int argc, char **argv)
{
	static struct fdsplit_opts o;

	return cli_main(&fdsplit, &o, argc, argv);
}
