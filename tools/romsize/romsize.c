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

#include "blame.h"
#include "bytes.h"
#include "cli.h"
#include "diff.h"
#include "image.h"
#include "io.h"
#include "json.h"
#include "report.h"
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
"       romsize blame [--json] [--top N] ELF\n"
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
"          VM of OLD could not migrate or restore onto NEW\n"
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
"  --overlay        diff: NEW is a package tree installed over the root OLD:\n"
"                   where NEW has no file, QEMU still finds OLD's\n"
"  --require-all    check: fail when a manifest entry is not found in the DIRs\n"
"  --json           machine-readable output (schema: man romsize, JSON OUTPUT)\n"
"  --top N          blame: how many sections and symbols to list (default 20)\n"
"  SIZE             " SIZE_FORMS "\n"
"\n"
"exit status: 0 ok, 1 check failed or image refused, 2 usage or I/O trouble\n";

struct opts {
	int json, require_all, allow_removed, overlay;
	unsigned top;
	uint64_t slot;
	struct check_opts chk;
	const char *manifest_path, *romdevs_path;
	const char *out;
	struct slot_manifest manifest;
	struct romdevs devs;
};

static int die_usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "romsize: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fputs(usage, stderr);
	return 2;
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
static struct slot_spec spec_for(const struct opts *o, const char *file)
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

static int is_dir(const char *p)
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

	if (argc == 0)
		return die_usage("no files given", NULL);
	if (o->json) {
		json_doc(&j, stdout, "romsize", check ? "check" : "info");
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
	if (o->json) {
		json_end(&j, ']');
		json_bool(&j, "ok", worst == 0);
		json_end(&j, '}');
		json_done(&j);
	}
	return worst;
}

/* Pads one file into out (may equal file). Returns 0, 1 refused, 2 I/O. */
static int pad_one(const struct opts *o, const char *file, const char *out)
{
	struct slot_spec s = spec_for(o, file);
	struct image_report r, r2;
	struct diag d, d2;
	uint8_t *buf, *padded;
	size_t len;
	char err[300], sl[32];
	enum lib_result res;
	int rc = 1;

	if (!s.slot) {
		fprintf(stderr, "romsize: %s: no slot known (not in the manifest): pass --slot SIZE\n", file);
		return 1;
	}
	if (io_read_file(file, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "romsize: %s: %s\n", file, err);
		return 2;
	}
	size_format(s.slot, sl, sizeof(sl));
	diag_init(&d);
	switch (image_analyse(buf, len, &r, &d)) {
	case LIB_OK:
		break;
	case LIB_REFUSED:
		cli_print_diag("romsize", file, &d);
		fprintf(stderr, "romsize: %s: refusing to pad a malformed image\n", file);
		goto out;
	case LIB_NO_MEMORY:
		cli_print_diag("romsize", file, &d);
		rc = 2;
		goto out;
	}
	if (r.kind == KIND_FLASH) {
		fprintf(stderr, "romsize: %s: flash images are never padded (QEMU maps pflash at its exact size; a padded OVMF_CODE boots but never saves variables)\n", file);
		goto out;
	}
	if (len > s.slot) {
		fprintf(stderr, "romsize: %s: %zu bytes exceeds the %s slot by %llu bytes\n",
			file, len, sl, (unsigned long long)(len - s.slot));
		goto out;
	}
	diag_init(&d2);
	if (image_slot_rule(r.kind, s.slot, &d2) != LIB_OK) {
		cli_print_diag("romsize", file, &d2);
		goto out;
	}
	if (len == s.slot && strcmp(file, out) == 0) {
		rc = 0; /* already at its slot: nothing to write */
		goto out;
	}
	padded = malloc(s.slot);
	if (!padded) {
		fprintf(stderr, "romsize: %s: out of memory for %s\n", file, sl);
		rc = 2;
		goto out;
	}
	/* a BIOS runs from its top, so it grows downwards; a ROM chain grows after its end */
	if (r.kind == KIND_BIOS) {
		memset(padded, 0, s.slot - len);
		memcpy(padded + (s.slot - len), buf, len);
	} else {
		memcpy(padded, buf, len);
		memset(padded + len, 0, s.slot - len);
	}
	/* the result must analyse exactly as well as the input did */
	diag_init(&d2);
	res = image_analyse(padded, s.slot, &r2, &d2);
	if (res == LIB_NO_MEMORY) {
		cli_print_diag("romsize", file, &d2);
		free(padded);
		rc = 2;
		goto out;
	}
	if (res != LIB_OK || r2.kind != r.kind || r2.rom.n != r.rom.n || r2.used != r.used) {
		cli_print_diag("romsize", file, &d2);
		fprintf(stderr, "romsize: %s: internal error: the padded image does not analyse like the input; nothing written\n", file);
		free(padded);
		goto out;
	}
	{
		struct io_part part = { padded, s.slot, 0 };

		if (io_write_atomic(out, &part, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "romsize: %s: %s\n", out, err);
			free(padded);
			rc = 2;
			goto out;
		}
	}
	free(padded);
	rc = 0;
out:
	free(buf);
	return rc;
}

static int cmd_pad(struct opts *o, int argc, char **argv)
{
	int worst = 0;
	int out_dir = o->out && is_dir(o->out);

	if (argc == 0)
		return die_usage("no files given", NULL);
	if (argc > 1 && o->out && !out_dir)
		return die_usage("with several files, -o must name a directory", o->out);
	for (int i = 0; i < argc; i++) {
		char path[4096];
		const char *out = argv[i];
		int rc;

		if (o->out && out_dir) {
			const char *base = strrchr(argv[i], '/');

			base = base ? base + 1 : argv[i];
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", o->out, base) >= sizeof(path)) {
				fprintf(stderr, "romsize: %s: output path too long\n", argv[i]);
				worst = 2;
				continue;
			}
			out = path;
		} else if (o->out) {
			out = o->out;
		}
		if (out != argv[i] && io_same_file(argv[i], out))
			out = argv[i]; /* -o naming the input itself is an in-place pad */
		rc = pad_one(o, argv[i], out);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}

int main(int argc, char **argv)
{
	enum { O_JSON = 256, O_MANIFEST, O_ROMDEVS, O_SLOT, O_MINFREE, O_STRICT, O_PADDED, O_ALLOWRM, O_OVERLAY, O_REQALL, O_VERSION, O_TOP };
	static const struct option lopts[] = {
		{ "json", no_argument, 0, O_JSON },
		{ "manifest", required_argument, 0, O_MANIFEST },
		{ "romdevs", required_argument, 0, O_ROMDEVS },
		{ "slot", required_argument, 0, O_SLOT },
		{ "min-free", required_argument, 0, O_MINFREE },
		{ "strict", no_argument, 0, O_STRICT },
		{ "padded", no_argument, 0, O_PADDED },
		{ "allow-removed", no_argument, 0, O_ALLOWRM },
		{ "overlay", no_argument, 0, O_OVERLAY },
		{ "require-all", no_argument, 0, O_REQALL },
		{ "top", required_argument, 0, O_TOP },
		{ "output", required_argument, 0, 'o' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, O_VERSION },
		{ 0, 0, 0, 0 },
	};
	static struct opts o; /* the manifest is large: keep it off the stack */
	const char *cmd;
	enum size_result sr;
	int c, rc;

	rc = cli_prologue(argc, argv, "romsize", usage);
	if (rc >= 0)
		return rc;
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: o.json = 1; break;
		case O_MANIFEST: o.manifest_path = optarg; break;
		case O_ROMDEVS: o.romdevs_path = optarg; break;
		case O_SLOT:
			if ((sr = size_parse(optarg, &o.slot)) != SIZE_OK)
				return bad_size("--slot", optarg, sr);
			break;
		case O_MINFREE:
			if ((sr = size_parse(optarg, &o.chk.min_free)) != SIZE_OK)
				return bad_size("--min-free", optarg, sr);
			break;
		case O_STRICT: o.chk.strict = 1; break;
		case O_PADDED: o.chk.padded = 1; break;
		case O_ALLOWRM: o.allow_removed = 1; break;
		case O_OVERLAY: o.overlay = 1; break;
		case O_REQALL: o.require_all = 1; break;
		case O_TOP: {
			char *end;
			unsigned long v;
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v == 0 || v > 100000)
				return die_usage("--top: a count from 1 to 100000", optarg);
			o.top = (unsigned)v;
			break;
		}
		case 'o': o.out = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case O_VERSION: printf("romsize %s\n", FWSLOT_VERSION); return 0;
		default: return die_usage(NULL, NULL);
		}
	}
	if (!strcmp(cmd, "blame")) {
		if (o.out || o.slot || o.manifest_path || o.chk.min_free || o.chk.strict || o.chk.padded || o.require_all)
			return die_usage("blame takes --json and --top only", NULL);
		if (argc - optind != 1)
			return die_usage("blame takes one ELF file", NULL);
		return cmd_blame(argv[optind], o.top ? o.top : 20, o.json);
	}
	if (o.top)
		return die_usage("--top is for blame", NULL);
	if ((o.romdevs_path || o.allow_removed || o.overlay) && strcmp(cmd, "diff") != 0)
		return die_usage("--romdevs, --allow-removed and --overlay are for diff", NULL);
	if (o.slot && o.manifest_path)
		return die_usage("--slot and --manifest exclude each other", NULL);
	rc = load_manifest(&o);
	if (rc)
		return rc;
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "info") || !strcmp(cmd, "check")) {
		if (o.out)
			return die_usage("-o is for pad", NULL);
		return cmd_report(&o, argc, argv, !strcmp(cmd, "check"));
	}
	if (!strcmp(cmd, "diff")) {
		struct diff_tables t = { &o.manifest, &o.devs, o.allow_removed, o.overlay };

		if (o.out || o.slot || o.chk.min_free || o.chk.strict || o.chk.padded || o.require_all)
			return die_usage("diff takes --json, --manifest, --romdevs, --allow-removed and --overlay only", NULL);
		if (argc != 2)
			return die_usage("diff takes two trees: OLD NEW", NULL);
		rc = load_table(o.romdevs_path, romdevs_builtin, romdevs_builtin_len, parse_romdevs, &o.devs);
		return rc ? rc : cmd_diff(&t, argv[0], argv[1], o.json);
	}
	if (!strcmp(cmd, "pad")) {
		if (o.json || o.chk.min_free || o.chk.strict || o.chk.padded || o.require_all)
			return die_usage("pad takes --slot, --manifest and -o only", NULL);
		return cmd_pad(&o, argc, argv);
	}
	return die_usage("unknown command", cmd);
}
