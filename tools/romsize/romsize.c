/* SPDX-License-Identifier: MIT */
/* romsize: report, check and pad BIOS images and PCI option ROMs against their QEMU slots. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blame.h"
#include "bytes.h"
#include "cli.h"
#include "diff.h"
#include "image.h"
#include "io.h"
#include "json.h"
#include "report.h"
#include "romsize.h"
#include "size.h"
#include "slots.h"

extern const char slots_builtin[];
extern const unsigned long slots_builtin_len;
extern const char romdevs_builtin[];
extern const unsigned long romdevs_builtin_len;

static const char usage[] =
"usage: romsize info  [--json] [--manifest FILE | --slot SIZE] FILE...\n"
"       romsize check [--json] [--manifest FILE | --slot SIZE] [--min-free SIZE]\n"
"                     [--strict] [--padded] [--require-all] FILE...|DIR...\n"
"       romsize pad   [--slot SIZE] [--manifest FILE] [-o OUT] FILE...\n"
"       romsize diff  [--json] [--manifest FILE] [--romdevs FILE] [--allow-removed]\n"
"                     [--overlay] OLD NEW\n"
"       romsize diff  [--json] [--code NAME] [--machine TYPE] STATE NEW\n"
"       romsize blame [--json] [--top N] ELF\n"
"       romsize --commands\n"
"\n"
"  info    what each file is: kind, size, QEMU region, slot, used and free bytes,\n"
"          every option ROM image (offset, length, code type, PCI id, class,\n"
"          PCIR revision, last flag, checksum, EFI fields), BIOS reset vector\n"
"  check   exit 0 only if every image parses, maps to the QEMU region its slot\n"
"          promises and obeys QEMU's rules (BIOS and flash images: exactly the\n"
"          slot; an option ROM: pow2ceil(size) = slot, unpadded is a note);\n"
"          a DIR is searched for the files the manifest names\n"
"  pad     pad to the slot: option ROMs at the end, BIOS images at the front;\n"
"          flash images are refused. Without -o the file is replaced atomically;\n"
"          with several files -o names a directory\n"
"  diff    before an upgrade: for each firmware file of two trees (an installed\n"
"          root, an unpacked package, an -L folder), the RAM block QEMU maps\n"
"          (pc.bios, pflash: file size; PCI ROM: pow2ceil) and, for VARS\n"
"          templates, the varstore layout; one line per changed, removed,\n"
"          added or resized image with the devices that load it. Exit 1 when a\n"
"          VM of OLD could not migrate or restore onto NEW. STATE: a saved VM (a\n"
"          QEMU migration stream, a libvirt save image: raw, gzip, bzip2, xz,\n"
"          lzop or zstd, a qcow2\n"
"          image's savevm snapshots) or a running one (its HMP info ramblock\n"
"          table, with --machine): exit 0 only if each state's RAM blocks\n"
"          load on NEW's files, as QEMU judges them on load\n"
"  blame   the largest allocated sections and symbols of the ELF an image was\n"
"          linked from (SeaBIOS out/rom.o, out/vgarom.o): what to cut when an\n"
"          image outgrows its slot\n"
"\n"
"  --manifest FILE  slot manifest (default: the built-in copy of pkg/slots.conf)\n"
"  --slot SIZE      use this slot for every file instead of the manifest\n"
"  --min-free SIZE  warn when a slot has less headroom (--strict: fail)\n"
"  --padded         check: option ROMs must fill their slot exactly (our gate)\n"
"  --romdevs FILE   diff: device -> romfile table (default: the built-in copy of\n"
"                   pkg/romdevs.conf, generated from QEMU)\n"
"  --allow-removed  diff: list removed images but do not fail for them\n"
"  --code NAME      diff STATE: the OVMF CODE file (in NEW) the VM's pflash names;\n"
"                   a libvirt save image names it itself\n"
"  --machine TYPE   diff STATE: the VM's machine type, for a stream that names\n"
"                   none (machine types 2.3 and older) and a RAM block table\n"
"  --overlay        diff: NEW is a package tree installed over the root OLD:\n"
"                   where NEW has no file, QEMU still finds OLD's\n"
"  --require-all    check: fail when a manifest entry is not found in the DIRs\n"
"  --json           machine-readable output (schema: man romsize, JSON OUTPUT)\n"
"  --top N          blame: how many sections and symbols to list (default 20)\n"
"  --commands       each command and the options it takes (an option a command\n"
"                   does not take is a usage error)\n"
"  SIZE             " SIZE_FORMS "\n"
"\n"
"exit status: 0 ok, 1 check failed or image refused, 2 usage or I/O trouble\n";

static const struct cli_tool romsize; /* the command table, below */

int die_usage(const char *msg, const char *arg)
{
	return cli_usage_error(&romsize, msg, arg);
}

/* An option's size that size_parse refused: what is wrong, and the forms it takes. */
static int bad_size(const char *opt, const char *arg, enum size_result r)
{
	fprintf(stderr, "romsize: %s '%s': %s; a size is %s\n", opt, arg, size_result_text(r), SIZE_FORMS);
	fputs(usage, stderr);
	return 2;
}

/* Parses a table from path, or from the built-in copy when path is NULL. Returns 0 or 2. */
static int load_table(const char *path, const char *builtin, unsigned long builtin_len,
		      int (*parse)(const char *, size_t, void *, struct diag *), void *out)
{
	struct diag d;
	uint8_t *buf = NULL;
	size_t len;
	char err[256];
	int rc;

	diag_init(&d);
	if (!path) {
		rc = parse(builtin, builtin_len, out, &d);
		cli_print_diag("romsize", "(built-in table)", &d);
		return rc == 0 ? 0 : 2;
	}
	if (io_read_file(path, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "romsize: %s: %s\n", path, err);
		return 2;
	}
	rc = parse((const char *)buf, len, out, &d);
	free(buf);
	cli_print_diag("romsize", path, &d);
	return rc == 0 ? 0 : 2;
}

static int parse_slots(const char *t, size_t n, void *out, struct diag *d)
{
	return slots_parse(t, n, out, d);
}

static int parse_romdevs(const char *t, size_t n, void *out, struct diag *d)
{
	return romdevs_parse(t, n, out, d);
}

static int load_manifest(struct opts *o)
{
	return load_table(o->manifest_path, slots_builtin, slots_builtin_len, parse_slots, &o->manifest);
}

/* The slot spec for a file: --slot wins, then the manifest, else none. */
struct slot_spec spec_for(const struct opts *o, const char *file)
{
	struct slot_spec s = { .slot = 0, .kind = -1 };
	const struct slot_entry *e;

	if (o->slot) {
		s.slot = o->slot;
		return s;
	}
	e = slots_find(&o->manifest, file);
	if (e)
		s = e->spec;
	return s;
}

/* Reads and analyses one file. Returns 0 ok, 1 findings, 2 I/O trouble. */
static int one_file(const struct opts *o, const char *file, int check, struct json *j)
{
	struct image_report r;
	struct slot_spec s = spec_for(o, file);
	struct diag d;
	uint8_t *buf;
	size_t len;
	char err[256];
	enum lib_result res;
	int bad;

	if (io_read_file(file, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "romsize: %s: %s\n", file, err);
		return 2;
	}
	diag_init(&d);
	res = image_analyse(buf, len, &r, &d);
	free(buf);
	if (res == LIB_NO_MEMORY) {
		cli_print_diag("romsize", file, &d);
		return 2;
	}
	if (check)
		res = lib_worse(res, image_check(&r, &s, &o->chk, &d));
	bad = res != LIB_OK;
	if (j)
		report_json(j, file, &r, s.slot, !bad, &d);
	else if (check && !bad)
		printf("%s: ok, %s %llu bytes, %llu free\n", file, image_kind_name(r.kind),
		       (unsigned long long)r.size,
		       (unsigned long long)(r.kind == KIND_FLASH ? 0 : image_free(&r, s.slot)));
	else if (!check)
		report_text(stdout, file, &r, s.slot);
	cli_print_diag("romsize", file, &d);
	return bad ? 1 : 0;
}

int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Recursively checks the files in dir that the manifest names (all with --slot). */
static int walk_dir(const struct opts *o, const char *dir, struct json *j, int *found, int depth)
{
	struct dirent **ents;
	int n, worst = 0;

	if (depth > 16) {
		fprintf(stderr, "romsize: %s: directories nested deeper than 16 levels\n", dir);
		return 2;
	}
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "romsize: %s: cannot read directory: %s\n", dir, strerror(errno));
		return 2;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		const struct slot_entry *e;
		int rc = 0;

		if (ents[i]->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name) >= sizeof(path)) {
			free(ents[i]);
			continue;
		}
		if (is_dir(path)) {
			rc = walk_dir(o, path, j, found, depth + 1);
		} else if (o->slot) {
			rc = one_file(o, path, 1, j);
		} else if ((e = slots_find(&o->manifest, path)) != NULL) {
			found[e - o->manifest.e] = 1;
			rc = one_file(o, path, 1, j);
		}
		if (rc > worst)
			worst = rc;
		free(ents[i]);
	}
	free(ents);
	return worst;
}

static int cmd_report(struct opts *o, int argc, char **argv, int check)
{
	struct json j;
	int worst = 0;
	int found[SLOTS_MAX] = { 0 };

	if (o->json) {
		json_doc(&j, stdout, "romsize", 1, check ? "check" : "info");
		json_arr(&j, "files");
	}
	for (int i = 0; i < argc; i++) {
		int rc;

		if (is_dir(argv[i])) {
			if (!check) {
				fprintf(stderr, "romsize: %s: is a directory (info takes files)\n", argv[i]);
				rc = 2;
			} else {
				rc = walk_dir(o, argv[i], o->json ? &j : NULL, found, 0);
			}
		} else {
			const struct slot_entry *e = slots_find(&o->manifest, argv[i]);

			if (e)
				found[e - o->manifest.e] = 1;
			rc = one_file(o, argv[i], check, o->json ? &j : NULL);
		}
		if (rc > worst)
			worst = rc;
	}
	if (check && o->require_all && !o->slot)
		for (size_t k = 0; k < o->manifest.n; k++)
			if (!found[k]) {
				fprintf(stderr, "romsize: %s: missing (named in the manifest, line %u)\n",
					o->manifest.e[k].name, o->manifest.e[k].line);
				if (worst < 1)
					worst = 1;
			}
	if (o->json)
		json_done_files(&j, worst == 0);
	return worst;
}

enum { O_JSON, O_MANIFEST, O_ROMDEVS, O_SLOT, O_MINFREE, O_STRICT, O_PADDED, O_ALLOWRM, O_OVERLAY, O_REQALL,
       O_TOP, O_OUT, O_CODE, O_MACHINE };

static const struct cli_opt options[] = {
	[O_JSON] = { "json", 0, 0 },
	[O_MANIFEST] = { "manifest", 1, 0 },
	[O_ROMDEVS] = { "romdevs", 1, 0 },
	[O_SLOT] = { "slot", 1, 0 },
	[O_MINFREE] = { "min-free", 1, 0 },
	[O_STRICT] = { "strict", 0, 0 },
	[O_PADDED] = { "padded", 0, 0 },
	[O_ALLOWRM] = { "allow-removed", 0, 0 },
	[O_OVERLAY] = { "overlay", 0, 0 },
	[O_REQALL] = { "require-all", 0, 0 },
	[O_TOP] = { "top", 1, 0 },
	[O_OUT] = { "output", 1, 'o' },
	[O_CODE] = { "code", 1, 0 },
	[O_MACHINE] = { "machine", 1, 0 },
};

static int set_option(void *opts, size_t i, const char *arg)
{
	struct opts *o = opts;
	enum size_result sr;

	switch (i) {
	case O_JSON: o->json = 1; break;
	case O_MANIFEST: o->manifest_path = arg; break;
	case O_ROMDEVS: o->romdevs_path = arg; break;
	case O_SLOT:
		if ((sr = size_parse(arg, &o->slot)) != SIZE_OK)
			return bad_size("--slot", arg, sr);
		break;
	case O_MINFREE:
		if ((sr = size_parse(arg, &o->chk.min_free)) != SIZE_OK)
			return bad_size("--min-free", arg, sr);
		break;
	case O_STRICT: o->chk.strict = 1; break;
	case O_PADDED: o->chk.padded = 1; break;
	case O_ALLOWRM: o->allow_removed = 1; break;
	case O_OVERLAY: o->overlay = 1; break;
	case O_REQALL: o->require_all = 1; break;
	case O_TOP: {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || v == 0 || v > 100000)
			return die_usage("--top: a count from 1 to 100000", arg);
		o->top = (unsigned)v;
		break;
	}
	case O_OUT: o->out = arg; break;
	case O_CODE:
		if (strchr(arg, '/'))
			return die_usage("--code: the CODE's file name in NEW (OVMF_CODE_4M.fd), no folder", arg);
		o->code = arg;
		break;
	case O_MACHINE: o->machine = arg; break;
	}
	return 0;
}

/* What info, check, pad and diff need first: the slot manifest (or one --slot). */
static int with_manifest(struct opts *o)
{
	if (o->slot && o->manifest_path)
		return die_usage("--slot and --manifest exclude each other", NULL);
	return load_manifest(o);
}

static int run_info(void *opts, int argc, char **argv)
{
	int rc = with_manifest(opts);

	return rc ? rc : cmd_report(opts, argc, argv, 0);
}

static int run_check(void *opts, int argc, char **argv)
{
	int rc = with_manifest(opts);

	return rc ? rc : cmd_report(opts, argc, argv, 1);
}

static int run_pad(void *opts, int argc, char **argv)
{
	int rc = with_manifest(opts);

	return rc ? rc : cmd_pad(opts, argc, argv);
}

static int run_diff(void *opts, int argc, char **argv)
{
	struct opts *o = opts;
	struct diff_tables t = { &o->manifest, &o->devs, o->allow_removed, o->overlay, o->code, o->machine };
	int rc = with_manifest(o);

	(void)argc;
	if (!rc)
		rc = load_table(o->romdevs_path, romdevs_builtin, romdevs_builtin_len, parse_romdevs, &o->devs);
	if (rc)
		return rc;
	if (!is_dir(argv[0]) && access(argv[0], F_OK) == 0) /* a saved VM, not a tree */
		return cmd_diff_state(&t, argv[0], argv[1], o->json);
	if (o->code || o->machine)
		return die_usage("--code and --machine describe a saved state: OLD here is a tree", argv[0]);
	return cmd_diff(&t, argv[0], argv[1], o->json);
}

static int run_blame(void *opts, int argc, char **argv)
{
	struct opts *o = opts;

	(void)argc;
	return cmd_blame(argv[0], o->top ? o->top : 20, o->json);
}

static const struct cli_cmd commands[] = {
	{ "info", CLI_BIT(O_JSON) | CLI_BIT(O_MANIFEST) | CLI_BIT(O_SLOT), 1, -1, "one or more files", run_info },
	{ "check", CLI_BIT(O_JSON) | CLI_BIT(O_MANIFEST) | CLI_BIT(O_SLOT) | CLI_BIT(O_MINFREE) | CLI_BIT(O_STRICT) |
	  CLI_BIT(O_PADDED) | CLI_BIT(O_REQALL), 1, -1, "one or more files or folders", run_check },
	{ "pad", CLI_BIT(O_SLOT) | CLI_BIT(O_MANIFEST) | CLI_BIT(O_OUT), 1, -1, "one or more files", run_pad },
	{ "diff", CLI_BIT(O_JSON) | CLI_BIT(O_MANIFEST) | CLI_BIT(O_ROMDEVS) | CLI_BIT(O_ALLOWRM) | CLI_BIT(O_OVERLAY) |
	  CLI_BIT(O_CODE) | CLI_BIT(O_MACHINE),
	  2, 2, "two trees: OLD NEW", run_diff },
	{ "blame", CLI_BIT(O_JSON) | CLI_BIT(O_TOP), 1, 1, "one ELF file", run_blame },
};

static const struct cli_tool romsize = {
	"romsize", usage, options, sizeof(options) / sizeof(options[0]),
	commands, sizeof(commands) / sizeof(commands[0]), set_option,
};

int main(int argc, char **argv)
{
	static struct opts o; /* the manifest is large: keep it off the stack */

	return cli_main(&romsize, &o, argc, argv);
}
