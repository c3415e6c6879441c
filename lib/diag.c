/* SPDX-License-Identifier: MIT */
/* Bounded diagnostic list (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

static void add(struct diag *d, enum diag_level lvl, const char *fmt, va_list ap)
{
	if (d->n >= DIAG_MAX) {
		d->dropped++;
	} else {
		struct diag_item *it = &d->item[d->n++];

		it->level = lvl;
		vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
	}
}

enum lib_result diag_add(struct diag *d, enum diag_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, lvl, fmt, ap);
	va_end(ap);
	return lvl == DIAG_ERROR ? LIB_REFUSED : LIB_OK;
}

enum lib_result diag_no_memory(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(d, DIAG_ERROR, fmt, ap);
	va_end(ap);
	return LIB_NO_MEMORY;
}

void diag_append(struct diag *to, const struct diag *from)
{
	for (size_t i = 0; i < from->n; i++)
		diag_add(to, from->item[i].level, "%s", from->item[i].msg);
	to->dropped += from->dropped;
}

size_t diag_count(const struct diag *d, enum diag_level lvl)
{
	size_t c = 0;

	for (size_t i = 0; i < d->n; i++)
		c += d->item[i].level == lvl;
	if (lvl == DIAG_ERROR)
		c += d->dropped; /* conservative: a dropped item may be an error */
	return c;
}
