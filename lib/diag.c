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

int diag_add(struct diag *d, enum diag_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (d->n >= DIAG_MAX) {
		d->dropped++;
	} else {
		struct diag_item *it = &d->item[d->n++];

		it->level = lvl;
		va_start(ap, fmt);
		vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
		va_end(ap);
	}
	return lvl == DIAG_ERROR ? -1 : 0;
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
