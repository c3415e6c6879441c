/* SPDX-License-Identifier: MIT */
/* Whether a saved VM's RAM blocks will load on a firmware set (see statejudge.h). */
#include "statejudge.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"

static uint64_t page_align(uint64_t v)
{
	return v > UINT64_MAX - (HOST_PAGE - 1) ? 0 : (v + HOST_PAGE - 1) & ~(uint64_t)(HOST_PAGE - 1);
}

static const struct fw_size *find(const struct fw_size *set, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i].name, name))
			return &set[i];
	return NULL;
}

static void add_file(char *buf, size_t n, const char *name, uint64_t size)
{
	size_t used = strlen(buf);

	if (used < n && size == UINT64_MAX) /* a file the set lacks: its name */
		snprintf(buf + used, n - used, "%s%s", used ? ", " : "", name);
	else if (used < n)
		snprintf(buf + used, n - used, "%s%s %llu bytes", used ? ", " : "", name, (unsigned long long)size);
}

const char *block_verdict_name(enum block_verdict v)
{
	switch (v) {
	case BV_SAME: return "same";
	case BV_CHANGED: return "changed";
	case BV_MISSING: return "missing";
	case BV_UNKNOWN: return "unknown";
	case BV_RESIZABLE: return "resizable";
	default: return "not-firmware";
	}
}

/* pc.bios and NAME.rom: every file the devices mapping it load must give the stream's size */
static void judge_files(const struct mig_stream *s, const struct romdevs *t, const char *block, int rom,
			const struct fw_size *set, size_t nset, struct block_judgement *j)
{
	const char *files[8];
	size_t nf = romdevs_files_for_block(t, block, s->machine, files, 8, j->devices, sizeof(j->devices));

	if (nf == 0) {
		j->v = BV_UNKNOWN;
		return;
	}
	/* devices that share a block name can load different files on one machine
	 * type (pc-i440fx-1.4: e1000 pxe-e1000.rom, e1000-82545em efi-e1000.rom);
	 * the state does not say which device it was: one file of the new set
	 * mapping the state's size is a device that loads */
	j->v = BV_CHANGED;
	for (size_t i = 0; i < nf; i++) {
		const struct fw_size *f = find(set, nset, files[i]);
		uint64_t mapped;

		if (!f) {
			if (j->v == BV_CHANGED && !j->new_used)
				j->v = BV_MISSING;
			add_file(j->files, sizeof(j->files), files[i], UINT64_MAX);
			continue;
		}
		mapped = page_align(rom ? pow2ceil(f->size) : f->size);
		add_file(j->files, sizeof(j->files), files[i], f->size);
		if (mapped == j->used)
			j->v = BV_SAME;
		else if (j->v == BV_MISSING)
			j->v = BV_CHANGED;
		if (!j->new_used || mapped == j->used)
			j->new_used = mapped;
	}
}

/* system.flash0: the CODE the VM's pflash names, by name; without it, no verdict */
static void judge_code(const char *loader, const struct fw_size *set, size_t nset, struct block_judgement *j)
{
	const struct fw_size *f = loader ? find(set, nset, loader) : NULL;

	if (!loader) {
		j->v = BV_UNKNOWN;
		return;
	}
	if (!f) {
		j->v = BV_MISSING;
		add_file(j->files, sizeof(j->files), loader, UINT64_MAX);
		return;
	}
	add_file(j->files, sizeof(j->files), loader, f->size);
	j->new_used = page_align(f->size);
	j->v = j->new_used == j->used ? BV_SAME : BV_CHANGED;
}

enum lib_result state_judge(const struct mig_stream *s, const struct romdevs *t, const struct fw_size *set, size_t nset,
			    const char *loader, struct block_judgement *out, struct diag *d)
{
	enum lib_result rc = LIB_OK;

	for (size_t i = 0; i < s->n; i++) {
		const char *name = s->block[i].name, *slash = strrchr(name, '/');
		struct block_judgement *j = &out[i];
		size_t len = strlen(name);

		memset(j, 0, sizeof(*j));
		j->used = s->block[i].used;
		if (!strcmp(name, "pc.bios")) {
			j->kind = BLOCK_BIOS;
			judge_files(s, t, "pc.bios", 0, set, nset, j);
		} else if (!strcmp(name, "system.flash0")) {
			j->kind = BLOCK_CODE;
			judge_code(loader, set, nset, j);
		} else if (!strncmp(name, "/rom@", 5)) {
			j->kind = BLOCK_RESIZABLE;
			j->v = BV_RESIZABLE;
		} else if (slash && slash != name && len > 4 && !strcmp(name + len - 4, ".rom") && !strncmp(name, "0000:", 5)) {
			j->kind = BLOCK_ROM;
			judge_files(s, t, slash + 1, 1, set, nset, j);
		} else {
			j->kind = BLOCK_OTHER;
			j->v = BV_NOT_FIRMWARE;
		}
		switch (j->v) {
		case BV_CHANGED:
			rc = diag_add(d, DIAG_ERROR, "%.80s: 0x%llx in the saved state, 0x%llx on the new set (%s): QEMU refuses it: Size mismatch",
				      name, (unsigned long long)j->used, (unsigned long long)j->new_used,
				      j->files);
			break;
		case BV_MISSING:
			rc = diag_add(d, DIAG_ERROR, "%.80s: the new set has no %s", name, j->files);
			break;
		case BV_UNKNOWN:
			rc = j->kind == BLOCK_CODE ?
			     diag_add(d, DIAG_ERROR, "%.80s: 0x%llx: the VM's command line names its CODE file, the state does not: cannot tell (--code NAME)",
				      name, (unsigned long long)j->used) :
			     diag_add(d, DIAG_ERROR, "%.80s: no device of the romfile table maps this ROM block: cannot tell", name);
			break;
		default:
			break;
		}
	}
	return rc;
}
