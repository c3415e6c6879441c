/* SPDX-License-Identifier: MIT */
/*
 * romsize blame: what takes the space in an image, read from the ELF the
 * build linked it from (SeaBIOS out/rom.o, out/vgarom.o). Lists the
 * allocated sections and the largest symbols so a packager whose image no
 * longer fits its slot sees what to cut. Uses libelf, which checks the
 * file's tables; sizes are still checked here against the section sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blame.h"
#include "json.h"

struct item {
	const char *name;
	const char *section;
	uint64_t size;
};

static int by_size(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int fail(const char *path, const char *what)
{
	fprintf(stderr, "romsize: %s: %s\n", path, what);
	return 1;
}

int cmd_blame(const char *path, unsigned top, int json)
{
	struct item *secs = NULL, *syms = NULL;
	size_t nsecs = 0, nsyms = 0, shnum = 0, shstrndx = 0, i;
	uint64_t alloc_total = 0;
	Elf_Scn *scn = NULL;
	Elf *e = NULL;
	int fd, rc = 1;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(path, "libelf is unusable");
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "romsize: %s: cannot open: %s\n", path, strerror(errno));
		return 2;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		rc = fail(path, "not an ELF file (blame reads the ELF the image was linked from, e.g. SeaBIOS out/rom.o)");
		goto out;
	}
	if (elf_getshdrnum(e, &shnum) || elf_getshdrstrndx(e, &shstrndx)) {
		fprintf(stderr, "romsize: %s: bad section header table: %s\n", path, elf_errmsg(-1));
		goto out;
	}
	secs = calloc(shnum ? shnum : 1, sizeof *secs);
	if (!secs)
		goto oom;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name)
			name = "?";
		if ((sh.sh_flags & SHF_ALLOC) && sh.sh_type != SHT_NOBITS && nsecs < shnum) {
			secs[nsecs++] = (struct item){ name, name, sh.sh_size };
			alloc_total += sh.sh_size;
		}
		if (sh.sh_type == SHT_SYMTAB && sh.sh_entsize) {
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t n, k;
			struct item *grow;
			if (!d)
				continue;
			/* libelf checked that the data lies inside the file */
			n = d->d_size / sh.sh_entsize;
			if (n > (size_t)0x7fffffff)
				n = 0x7fffffff;
			grow = realloc(syms, (nsyms + n + 1) * sizeof *syms);
			if (!grow)
				goto oom;
			syms = grow;
			for (k = 0; k < n; k++) {
				GElf_Sym s;
				GElf_Shdr ts;
				Elf_Scn *target;
				const char *sname, *tname;
				int type;
				if (!gelf_getsym(d, (int)k, &s) || !s.st_size)
					continue;
				type = GELF_ST_TYPE(s.st_info);
				if (type != STT_FUNC && type != STT_OBJECT)
					continue;
				/* only bytes the image holds: no absolute or common symbols */
				if (s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE)
					continue;
				target = elf_getscn(e, s.st_shndx);
				if (!target || !gelf_getshdr(target, &ts) || !(ts.sh_flags & SHF_ALLOC) ||
				    ts.sh_type == SHT_NOBITS || s.st_size > ts.sh_size)
					continue;
				sname = elf_strptr(e, sh.sh_link, s.st_name);
				tname = elf_strptr(e, shstrndx, ts.sh_name);
				syms[nsyms++] = (struct item){ sname && *sname ? sname : "?", tname ? tname : "?",
							       s.st_size };
			}
		}
	}
	qsort(secs, nsecs, sizeof *secs, by_size);
	if (nsyms)
		qsort(syms, nsyms, sizeof *syms, by_size);

	if (json) {
		struct json j;
		json_doc(&j, stdout, "romsize", 1, "blame");
		json_str(&j, "file", path);
		json_u64(&j, "alloc_bytes", alloc_total);
		json_arr(&j, "sections");
		for (i = 0; i < nsecs && i < top; i++) {
			json_obj(&j, NULL);
			json_str(&j, "name", secs[i].name);
			json_u64(&j, "size", secs[i].size);
			json_end(&j, '}');
		}
		json_end(&j, ']');
		json_arr(&j, "symbols");
		for (i = 0; i < nsyms && i < top; i++) {
			json_obj(&j, NULL);
			json_str(&j, "name", syms[i].name);
			json_str(&j, "section", syms[i].section);
			json_u64(&j, "size", syms[i].size);
			json_end(&j, '}');
		}
		json_end(&j, ']');
		json_end(&j, '}');
		json_done(&j);
	} else {
		printf("%s: %zu allocated sections, %llu bytes; %zu sized symbols\n", path, nsecs,
		       (unsigned long long)alloc_total, nsyms);
		printf("  largest sections:\n");
		for (i = 0; i < nsecs && i < top; i++)
			printf("  %9llu  %5.1f%%  %s\n", (unsigned long long)secs[i].size,
			       alloc_total ? 100.0 * (double)secs[i].size / (double)alloc_total : 0.0, secs[i].name);
		printf("  largest symbols:\n");
		for (i = 0; i < nsyms && i < top; i++)
			printf("  %9llu  %5.1f%%  %-24s %s\n", (unsigned long long)syms[i].size,
			       alloc_total ? 100.0 * (double)syms[i].size / (double)alloc_total : 0.0, syms[i].name,
			       syms[i].section);
	}
	rc = 0;
	goto out;
oom:
	rc = fail(path, "out of memory");
out:
	free(secs);
	free(syms);
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}
