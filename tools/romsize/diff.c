/* SPDX-License-Identifier: MIT */
/* romsize diff: what QEMU maps for each firmware file in an old and a new tree, and what changed. */
#define _DEFAULT_SOURCE
#include "diff.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "image.h"
#include "io.h"
#include "json.h"
#include "varstore.h"

/* QEMU's own search order in an installed tree (Debian: share/qemu, then
 * share/seabios, then lib/ipxe/qemu), then where OVMF lives. A file found in
 * two folders is the one QEMU finds first. */
static const char *const tree_dirs[] = {
	"usr/share/qemu", "usr/share/seabios", "usr/lib/ipxe/qemu", "usr/share/OVMF", "usr/share/ovmf",
};

/* the firmware families this project ships, for files in no table yet
 * (Debian 13's OVMF_CODE_4M.secboot.strictnx.fd, say) */
static const char *const families[] = { "bios", "vgabios", "pxe-", "efi-", "OVMF" };

struct fw_file {
	char name[SLOTS_NAME_MAX];
	char path[4096];
	uint64_t size, region;
	enum image_kind kind;
	int parse_ok;
	int no_block;         /* ISA-style VGA ROM (isa-vga, ramfb): fw_cfg, no RAM block */
	int is_vars;          /* a VARS template: its layout matters too */
	int vs_ok;
	struct varstore vs;
};

struct fw_set {
	size_t n, cap;
	struct fw_file *f;
};

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int wanted(const struct diff_tables *t, const char *name)
{
	char devs[8];

	if (!has_suffix(name, ".bin") && !has_suffix(name, ".rom") && !has_suffix(name, ".fd"))
		return 0;
	if (slots_find(t->slots, name) || romdevs_for(t->devs, name, devs, sizeof(devs)))
		return 1;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strncmp(name, families[i], strlen(families[i])) == 0)
			return 1;
	return 0;
}

static struct fw_file *find(const struct fw_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->f[i].name, name) == 0)
			return &s->f[i];
	return NULL;
}

static void set_free(struct fw_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->f[i].is_vars)
			varstore_free(&s->f[i].vs);
	free(s->f);
	memset(s, 0, sizeof(*s));
}

/* Reads and sizes one file the way QEMU will. Returns 0, or 2 on I/O trouble. */
static int load(struct fw_file *f)
{
	struct image_report r;
	struct diag d;
	uint8_t *buf;
	size_t len;
	char err[256];
	enum lib_result res;

	if (io_read_file(f->path, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "romsize: %s: %s\n", f->path, err);
		return 2;
	}
	diag_init(&d);
	res = image_analyse(buf, len, &r, &d);
	if (res == LIB_NO_MEMORY) {
		cli_print_diag("romsize", f->path, &d);
		free(buf);
		return 2;
	}
	f->parse_ok = res == LIB_OK;
	f->size = r.size;
	f->kind = r.kind;
	f->region = r.region;
	/* QEMU hands a ROM without PCIR to the firmware through fw_cfg (vgaroms/):
	 * info ramblock shows no block for it, so its size never reaches a migration */
	f->no_block = (r.kind == KIND_VGA || r.kind == KIND_OPTROM) && r.rom.n > 0 && !r.rom.img[0].has_pcir;
	/* a VARS template (not a unified OVMF.fd): its layout must agree, too */
	if (r.kind == KIND_FLASH && r.flash.is_varstore && !r.flash.next_fv) {
		struct diag dv;

		diag_init(&dv);
		f->is_vars = 1;
		res = varstore_parse(buf, len, &f->vs, &dv);
		if (res == LIB_NO_MEMORY) { /* no verdict on its layout: trouble, not "differs" */
			cli_print_diag("romsize", f->path, &dv);
			free(buf);
			return 2;
		}
		f->vs_ok = res == LIB_OK;
	}
	free(buf);
	return 0;
}

static int add_dir(const struct diff_tables *t, struct fw_set *s, const char *dir)
{
	struct dirent **ents;
	int n, rc = 0;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "romsize: %s: cannot read directory: %s\n", dir, strerror(errno));
		return 2;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		struct fw_file *f;
		struct stat st;
		char path[4096];

		if (name[0] == '.' || strlen(name) >= SLOTS_NAME_MAX || !wanted(t, name) || find(s, name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
		    stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			goto next;
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 64;
			struct fw_file *nf = realloc(s->f, cap * sizeof(*nf));

			if (!nf) {
				fprintf(stderr, "romsize: %s: out of memory\n", dir);
				rc = 2;
				goto next;
			}
			s->f = nf;
			s->cap = cap;
		}
		f = &s->f[s->n];
		memset(f, 0, sizeof(*f));
		strcpy(f->name, name);
		strcpy(f->path, path);
		if (load(f) == 0)
			s->n++;
		else
			rc = 2;
next:
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_tree_dirs(const char *root)
{
	for (size_t i = 0; i < sizeof(tree_dirs) / sizeof(tree_dirs[0]); i++) {
		char path[4096];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, tree_dirs[i]) < sizeof(path) && is_dir(path))
			return 1;
	}
	return 0;
}

/* The firmware files QEMU would find in a tree: an installed root or unpacked
 * package (its usr/share/qemu, ... folders), else the folder itself, searched
 * first as QEMU searches an -L folder. With under (--overlay), root is laid
 * over the installed root under: in each folder root's files come first, then
 * under's, so a file root does not ship (QEMU's own qboot bios-microvm.bin in
 * share/qemu) is still found where QEMU finds it. */
static int collect(const struct diff_tables *t, const char *root, const char *under, struct fw_set *s)
{
	const int tree = has_tree_dirs(root);
	int rc = 0;

	if (!is_dir(root)) {
		fprintf(stderr, "romsize: %s: not a directory (diff takes two trees: an installed root, an unpacked package, an -L folder)\n", root);
		return 2;
	}
	if (!tree)
		rc = add_dir(t, s, root);
	for (size_t i = 0; i < sizeof(tree_dirs) / sizeof(tree_dirs[0]); i++) {
		const char *layers[2] = { tree ? root : NULL, under };

		for (int k = 0; k < 2; k++) {
			char path[4096];

			if (layers[k] && (size_t)snprintf(path, sizeof(path), "%s/%s", layers[k], tree_dirs[i]) < sizeof(path) &&
			    is_dir(path) && add_dir(t, s, path) > rc)
				rc = 2;
		}
	}
	if (rc == 0 && s->n == 0) {
		fprintf(stderr, "romsize: %s: no firmware images found (looked in usr/share/qemu, usr/share/seabios, usr/lib/ipxe/qemu, usr/share/OVMF, usr/share/ovmf, else the folder itself)\n", root);
		rc = 2;
	}
	return rc;
}

enum status { ST_SAME, ST_RESIZED, ST_CHANGED, ST_REMOVED, ST_ADDED };
static const char *const status_name[] = { "same", "resized", "changed", "removed", "added" };

static const char *block_of(const struct fw_file *f)
{
	if (f->no_block)
		return "fw_cfg";
	switch (f->kind) {
	case KIND_BIOS: return "pc.bios";
	case KIND_OPTROM:
	case KIND_VGA: return "rom";
	case KIND_FLASH: return "pflash";
	default: return "unknown";
	}
}

static enum status compare(const struct fw_file *a, const struct fw_file *b, struct diag *layout)
{
	if (!a)
		return ST_ADDED;
	if (!b)
		return ST_REMOVED;
	if (a->no_block && b->no_block)
		return a->size != b->size ? ST_RESIZED : ST_SAME;
	if (a->region != b->region || a->no_block != b->no_block)
		return ST_CHANGED;
	if (a->is_vars != b->is_vars)
		return ST_CHANGED;
	/* same size but another varstore layout: OVMF would erase every VM's variables */
	if (a->is_vars && (!a->vs_ok || !b->vs_ok || varstore_compare_layout(&b->vs, &a->vs, layout) != LIB_OK)) {
		if (!a->vs_ok || !b->vs_ok)
			diag_add(layout, DIAG_ERROR, "varstore %s does not parse", !a->vs_ok ? "old" : "new");
		return ST_CHANGED;
	}
	return a->size != b->size ? ST_RESIZED : ST_SAME;
}

static void json_side(struct json *j, const char *key, const struct fw_file *f)
{
	if (!f) {
		json_null(j, key);
		return;
	}
	json_obj(j, key);
	json_str(j, "path", f->path);
	json_str(j, "kind", image_kind_name(f->kind));
	json_u64(j, "size", f->size);
	json_u64(j, "region", f->region);
	json_bool(j, "parses", f->parse_ok);
	json_end(j, '}');
}

static void text_line(const char *name, enum status st, const struct fw_file *a, const struct fw_file *b,
		      const char *devs, const struct diag *layout)
{
	const struct fw_file *f = b ? b : a;

	printf("%-8s %s: ", status_name[st], name);
	if (st == ST_REMOVED || st == ST_ADDED)
		printf("region %llu bytes (%s, file %llu bytes)", (unsigned long long)f->region,
		       image_kind_name(f->kind), (unsigned long long)f->size);
	else if (a->no_block && b->no_block)
		printf("no RAM block of its own (file %llu -> %llu bytes, through fw_cfg)",
		       (unsigned long long)a->size, (unsigned long long)b->size);
	else if (a->region != b->region)
		printf("region %llu -> %llu bytes (file %llu -> %llu bytes, %s)",
		       (unsigned long long)a->region, (unsigned long long)b->region,
		       (unsigned long long)a->size, (unsigned long long)b->size, block_of(b));
	else
		printf("region %llu bytes both (file %llu -> %llu bytes, %s)", (unsigned long long)a->region,
		       (unsigned long long)a->size, (unsigned long long)b->size, block_of(b));
	for (size_t i = 0; i < layout->n; i++)
		printf("; %s", layout->item[i].msg);
	if (devs[0])
		printf("; devices: %s", devs);
	putchar('\n');
}

int diff_file_sizes(const struct diff_tables *t, const char *root, struct fw_size **set, size_t *n,
		    char (**names)[SLOTS_NAME_MAX])
{
	struct fw_set s = { 0 };
	int rc = collect(t, root, NULL, &s);

	*set = NULL;
	*names = NULL;
	*n = 0;
	if (rc == 0 && s.n) {
		*set = calloc(s.n, sizeof(**set));
		*names = calloc(s.n, sizeof(**names));
		if (!*set || !*names) {
			fprintf(stderr, "romsize: %s: out of memory for %zu files\n", root, s.n);
			rc = 2;
		}
		for (size_t i = 0; rc == 0 && i < s.n; i++) {
			memcpy((*names)[i], s.f[i].name, SLOTS_NAME_MAX);
			(*set)[i].name = (*names)[i];
			(*set)[i].size = s.f[i].size;
		}
		*n = rc ? 0 : s.n;
	}
	set_free(&s);
	return rc;
}

int cmd_diff(const struct diff_tables *t, const char *old_root, const char *new_root, int json)
{
	struct fw_set a = { 0 }, b = { 0 };
	size_t count[ST_ADDED + 1] = { 0 };
	struct json j;
	int rc;

	rc = collect(t, old_root, NULL, &a);
	if (rc == 0)
		rc = collect(t, new_root, t->overlay ? old_root : NULL, &b);
	if (rc) {
		set_free(&a);
		set_free(&b);
		return rc;
	}
	if (json) {
		json_doc(&j, stdout, "romsize", 1, "diff");
		json_str(&j, "old", old_root);
		json_str(&j, "new", new_root);
		json_arr(&j, "images");
	}
	/* every name of either tree once, in the order of a sorted merge */
	for (int side = 0; side < 2; side++) {
		const struct fw_set *s = side ? &b : &a;

		for (size_t i = 0; i < s->n; i++) {
			const char *name = s->f[i].name;
			const struct fw_file *fa = find(&a, name), *fb = find(&b, name);
			struct diag layout;
			char devs[1024];
			enum status st;

			if (side == 1 && fa)
				continue; /* already compared from the old side */
			diag_init(&layout);
			st = compare(fa, fb, &layout);
			count[st]++;
			romdevs_for(t->devs, name, devs, sizeof(devs));
			if (json) {
				json_obj(&j, NULL);
				json_str(&j, "name", name);
				json_str(&j, "status", status_name[st]);
				json_str(&j, "block", block_of(fb ? fb : fa));
				json_side(&j, "old", fa);
				json_side(&j, "new", fb);
				json_arr(&j, "devices");
				for (char *p = devs, *tok; (tok = strtok_r(p, " ", &p)) != NULL;)
					json_str(&j, NULL, tok);
				json_end(&j, ']');
				json_arr(&j, "layout");
				for (size_t k = 0; k < layout.n; k++)
					json_str(&j, NULL, layout.item[k].msg);
				json_end(&j, ']');
				json_end(&j, '}');
			} else if (st != ST_SAME) {
				text_line(name, st, fa, fb, devs, &layout);
			}
		}
	}
	rc = count[ST_CHANGED] || (count[ST_REMOVED] && !t->allow_removed) ? 1 : 0;
	if (json) {
		json_end(&j, ']');
		json_obj(&j, "summary");
		for (int k = ST_SAME; k <= ST_ADDED; k++)
			json_u64(&j, status_name[k], count[k]);
		json_end(&j, '}');
		json_bool(&j, "ok", rc == 0);
		json_end(&j, '}');
		json_done(&j);
	} else {
		printf("%zu images: %zu changed, %zu removed, %zu added, %zu resized within their region, %zu same%s\n",
		       a.n + count[ST_ADDED], count[ST_CHANGED], count[ST_REMOVED], count[ST_ADDED],
		       count[ST_RESIZED], count[ST_SAME],
		       rc ? "" : count[ST_REMOVED] ? ": no QEMU-visible size changed (removed files allowed)" :
		       ": every VM of the old set keeps migrating and restoring");
	}
	set_free(&a);
	set_free(&b);
	return rc;
}
