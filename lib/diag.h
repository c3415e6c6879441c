/* SPDX-License-Identifier: MIT */
/* Caller-owned diagnostics: lib/ fills them, only main() prints them. */
#ifndef FWSLOT_DIAG_H
#define FWSLOT_DIAG_H

#include <stddef.h>

#include "result.h"

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
/* Appends a printf-style message; returns LIB_REFUSED for DIAG_ERROR, LIB_OK otherwise. */
enum lib_result diag_add(struct diag *d, enum diag_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends a DIAG_ERROR saying what could not be allocated; returns LIB_NO_MEMORY. */
enum lib_result diag_no_memory(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t diag_count(const struct diag *d, enum diag_level lvl);
/* Appends every item of from to to, each at its level (and from's dropped count). */
void diag_append(struct diag *to, const struct diag *from);

#endif
