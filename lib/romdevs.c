/* SPDX-License-Identifier: MIT */
/* The device -> default romfile table (see romdevs.h). */
#include "romdevs.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"

static enum lib_result parse_line(char **f, size_t nf, unsigned lineno, void *ctx, struct diag *d)
{
	struct romdevs *t = ctx;
	struct romdev *e;

	if (nf != 2)
		return diag_add(d, DIAG_ERROR, "line %u: %zu fields, expected DEVICE ROMFILE", lineno, nf);
	if (t->n == ROMDEVS_MAX)
		return diag_add(d, DIAG_ERROR, "line %u: more than %d entries", lineno, ROMDEVS_MAX);
	if (strlen(f[0]) >= ROMDEVS_NAME_MAX || strlen(f[1]) >= ROMDEVS_NAME_MAX || strchr(f[1], '/'))
		return diag_add(d, DIAG_ERROR, "line %u: '%.40s %.40s': names under %d characters, ROMFILE without a directory",
				lineno, f[0], f[1], ROMDEVS_NAME_MAX);
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].device, f[0]) == 0)
			return diag_add(d, DIAG_ERROR, "line %u: device %s listed again", lineno, f[0]);
	e = &t->e[t->n++];
	strcpy(e->device, f[0]);
	strcpy(e->romfile, f[1]);
	return LIB_OK;
}

enum lib_result romdevs_parse(const char *text, size_t len, struct romdevs *t, struct diag *d)
{
	memset(t, 0, sizeof(*t));
	return conf_parse(text, len, parse_line, t, d);
}

size_t romdevs_for(const struct romdevs *t, const char *file, char *buf, size_t bufsz)
{
	size_t n = 0, used = 0;

	if (bufsz)
		buf[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		int w;

		if (strcmp(t->e[i].romfile, file) != 0)
			continue;
		n++;
		if (used >= bufsz)
			continue;
		w = snprintf(buf + used, bufsz - used, "%s%s", used ? " " : "", t->e[i].device);
		used = w < 0 ? bufsz : used + (size_t)w;
	}
	return n;
}
