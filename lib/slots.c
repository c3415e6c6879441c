/* SPDX-License-Identifier: MIT */
/* Slot manifest parser (see slots.h). */
#include "slots.h"

#include <string.h>

#include "bytes.h"
#include "conf.h"
#include "size.h"

#define FIELD_MAX 4

static enum lib_result parse_id(const char *s, uint16_t *ven, uint16_t *dev)
{
	unsigned v[2] = { 0, 0 };
	size_t k = 0, nd = 0;

	for (; *s; s++) {
		int x;

		if (*s == ':') {
			if (k == 1 || nd != 4)
				return LIB_REFUSED;
			k = 1;
			nd = 0;
			continue;
		}
		x = hex_digit(*s);
		if (x < 0)
			return LIB_REFUSED;
		if (++nd > 4)
			return LIB_REFUSED;
		v[k] = v[k] << 4 | (unsigned)x;
	}
	if (k != 1 || nd != 4)
		return LIB_REFUSED;
	*ven = (uint16_t)v[0];
	*dev = (uint16_t)v[1];
	return LIB_OK;
}

static enum lib_result parse_line(char **f, size_t nf, unsigned lineno, void *ctx, struct diag *d)
{
	struct slot_manifest *m = ctx;
	struct slot_entry *e;
	enum size_result sr;
	int kind;

	if (nf < 3 || nf > FIELD_MAX)
		return diag_add(d, DIAG_ERROR, "line %u: %zu fields, expected NAME SLOT KIND [VENDOR:DEVICE]",
				lineno, nf);
	if (m->n == SLOTS_MAX)
		return diag_add(d, DIAG_ERROR, "line %u: more than %d entries", lineno, SLOTS_MAX);
	if (strlen(f[0]) >= SLOTS_NAME_MAX || strchr(f[0], '/'))
		return diag_add(d, DIAG_ERROR, "line %u: name '%.40s' must be a file name under %d characters",
				lineno, f[0], SLOTS_NAME_MAX);
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, f[0]) == 0)
			return diag_add(d, DIAG_ERROR, "line %u: %s listed again (first on line %u)",
					lineno, f[0], m->e[i].line);
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	strcpy(e->name, f[0]);
	e->line = lineno;
	sr = size_parse(f[1], &e->spec.slot);
	if (sr != SIZE_OK)
		return diag_add(d, DIAG_ERROR, "line %u: slot '%.40s': %s; a size is " SIZE_FORMS,
				lineno, f[1], size_result_text(sr));
	kind = image_kind_parse(f[2]);
	if (kind < 0)
		return diag_add(d, DIAG_ERROR, "line %u: unknown kind '%.40s' (bios, optionrom, vga, flash)",
				lineno, f[2]);
	e->spec.kind = kind;
	if (nf == 4 && strcmp(f[3], "-") != 0) {
		if (kind != KIND_OPTROM && kind != KIND_VGA)
			return diag_add(d, DIAG_ERROR, "line %u: a PCI id only applies to optionrom and vga", lineno);
		if (parse_id(f[3], &e->spec.vendor, &e->spec.device) != LIB_OK)
			return diag_add(d, DIAG_ERROR, "line %u: PCI id '%.40s' is not VVVV:DDDD in hex",
					lineno, f[3]);
		e->spec.has_id = 1;
	}
	m->n++;
	return LIB_OK;
}

enum lib_result slots_parse(const char *text, size_t len, struct slot_manifest *m, struct diag *d)
{
	memset(m, 0, sizeof(*m));
	return conf_parse(text, len, parse_line, m, d);
}

const struct slot_entry *slots_find(const struct slot_manifest *m, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, base) == 0)
			return &m->e[i];
	return NULL;
}
