/* SPDX-License-Identifier: MIT */
/* The device -> default romfile table (see romdevs.h). */
#include "romdevs.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"

static enum lib_result parse_line(char **f, size_t nf, unsigned lineno, void *ctx, struct diag *d)
{
	struct romdevs *t = ctx;
	int has_block = nf == 3 && !strncmp(f[2], "block=", 6);
	const char *block = has_block ? f[2] + 6 : "";
	const char *machines = nf == 3 && !has_block ? f[2] : "";
	struct romdev *e;

	if (nf != 2 && nf != 3)
		return diag_add(d, DIAG_ERROR, "line %u: %zu fields, expected DEVICE ROMFILE [block=NAME | MACHINE,...]", lineno, nf);
	if (has_block && !block[0])
		return diag_add(d, DIAG_ERROR, "line %u: block= names no block", lineno);
	if (strlen(block) >= ROMDEVS_NAME_MAX || strchr(block, '/'))
		return diag_add(d, DIAG_ERROR, "line %u: block '%.40s': a name under %d characters, without the PCI path",
				lineno, block, ROMDEVS_NAME_MAX);
	if (t->n == ROMDEVS_MAX)
		return diag_add(d, DIAG_ERROR, "line %u: more than %d entries", lineno, ROMDEVS_MAX);
	if (strlen(f[0]) >= ROMDEVS_NAME_MAX || strlen(f[1]) >= ROMDEVS_NAME_MAX || strchr(f[1], '/'))
		return diag_add(d, DIAG_ERROR, "line %u: '%.40s %.40s': names under %d characters, ROMFILE without a directory",
				lineno, f[0], f[1], ROMDEVS_NAME_MAX);
	if (strlen(machines) >= ROMDEVS_MACHINES_MAX || machines[0] == ',' || strstr(machines, ",,") ||
	    (machines[0] && machines[strlen(machines) - 1] == ','))
		return diag_add(d, DIAG_ERROR, "line %u: machine types '%.40s': a comma-separated list under %d characters",
				lineno, machines, ROMDEVS_MACHINES_MAX);
	for (size_t i = 0; i < t->n; i++) {
		const struct romdev *o = &t->e[i];

		if (strcmp(o->device, f[0]) != 0)
			continue;
		if (!machines[0] && !o->machines[0])
			return diag_add(d, DIAG_ERROR, "line %u: device %s listed again", lineno, f[0]);
		if (machines[0] && o->machines[0] && !strcmp(o->romfile, f[1]))
			return diag_add(d, DIAG_ERROR, "line %u: device %s with %s listed again", lineno, f[0], f[1]);
	}
	e = &t->e[t->n++];
	strcpy(e->device, f[0]);
	strcpy(e->romfile, f[1]);
	strcpy(e->machines, machines);
	strcpy(e->block, block);
	return LIB_OK;
}

enum lib_result romdevs_parse(const char *text, size_t len, struct romdevs *t, struct diag *d)
{
	memset(t, 0, sizeof(*t));
	return conf_parse(text, len, parse_line, t, d);
}

/* Appends s (n bytes) to buf, keeping it NUL-terminated; *used counts what was asked, cut or not. */
static void append(char *buf, size_t bufsz, size_t *used, const char *s, size_t n)
{
	if (*used + 1 < bufsz) {
		size_t room = bufsz - 1 - *used;
		size_t k = n < room ? n : room;

		memcpy(buf + *used, s, k);
		buf[*used + k] = '\0';
	}
	*used += n;
}

size_t romdevs_for(const struct romdevs *t, const char *file, char *buf, size_t bufsz)
{
	size_t n = 0, used = 0;

	if (bufsz)
		buf[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		const struct romdev *e = &t->e[i];

		if (strcmp(e->romfile, file) != 0)
			continue;
		if (n++)
			append(buf, bufsz, &used, " ", 1);
		if (!strcmp(e->device, ROMDEVS_MACHINE)) /* no device: the machine's own pc.bios */
			append(buf, bufsz, &used, "the machine's BIOS", strlen("the machine's BIOS"));
		else
			append(buf, bufsz, &used, e->device, strlen(e->device));
		if (!e->machines[0])
			continue;
		/* "(m1, m2)": the older machine types that load this file */
		append(buf, bufsz, &used, " (", 2);
		for (const char *m = e->machines; *m; m++)
			append(buf, bufsz, &used, *m == ',' ? ", " : m, *m == ',' ? 2 : 1);
		append(buf, bufsz, &used, ")", 1);
	}
	return n;
}

/* Whether the comma-separated list has machine m. */
static int has_machine(const char *list, const char *m)
{
	size_t n = strlen(m);

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t k = end ? (size_t)(end - p) : strlen(p);

		if (n && k == n && !strncmp(p, m, n))
			return 1;
		p += k + (end != NULL);
	}
	return 0;
}

size_t romdevs_files_for_block(const struct romdevs *t, const char *block, const char *machine,
			       const char **files, size_t max, char *devs, size_t devsz)
{
	size_t nfiles = 0, used = 0;

	if (devsz)
		devs[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		const struct romdev *e = &t->e[i];
		const char *file = e->romfile;

		if (e->machines[0] || !e->block[0] || strcmp(e->block, block) != 0)
			continue;
		/* an older machine type may load another file for this device */
		for (size_t k = 0; k < t->n; k++)
			if (t->e[k].machines[0] && !strcmp(t->e[k].device, e->device) && has_machine(t->e[k].machines, machine))
				file = t->e[k].romfile;
		append(devs, devsz, &used, used ? " " : "", used ? 1 : 0);
		append(devs, devsz, &used, e->device, strlen(e->device));
		for (size_t k = 0; k < nfiles; k++)
			if (!strcmp(files[k], file))
				file = NULL;
		if (file && nfiles < max)
			files[nfiles++] = file;
	}
	return nfiles;
}
