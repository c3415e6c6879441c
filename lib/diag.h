/* SPDX-License-Identifier: MIT */
/* Caller-owned diagnostics: lib/ fills them, only main() prints them. */
#ifndef FWSLOT_DIAG_H
#define FWSLOT_DIAG_H

#include <stddef.h>

#define DIAG_MAX 48
#define DIAG_MSG 200

enum diag_level { DIAG_ERROR, DIAG_WARN, DIAG_NOTE };

struct diag_item {
	enum diag_level level;
	char msg[DIAG_MSG];
};

/* A bounded list of findings; items past DIAG_MAX are counted in dropped. */
struct diag {
	struct diag_item item[DIAG_MAX];
	size_t n;
	size_t dropped;
};

void diag_init(struct diag *d);
/* Appends a printf-style message; returns -1 for DIAG_ERROR, 0 otherwise. */
int diag_add(struct diag *d, enum diag_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t diag_count(const struct diag *d, enum diag_level lvl);

#endif
