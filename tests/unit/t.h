/* SPDX-License-Identifier: MIT */
/* Minimal unit test harness: CHECK counts and prints failures, T_RUN names a behaviour, T_END prints the tally. */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond, ...) do { \
	if (cond) { t_pass++; } else { t_fail++; \
		printf("not ok %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__); printf("\n"); } } while (0)

/* a diag holds a message containing `needle` */
#define DIAG_HAS(d, needle) diag_has_(d, needle)
static inline int diag_has_(const struct diag *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->item[i].msg, needle))
			return 1;
	return 0;
}
static inline const char *diag_first(const struct diag *d)
{
	return d->n ? d->item[0].msg : "(no message)";
}

/* Runs one behaviour's test function and reports it by name with its count. */
#define T_RUN(fn) t_run_(#fn, fn)
static inline void t_run_(const char *name, void (*fn)(void))
{
	int p = t_pass, f = t_fail;

	fn();
	printf("%s %s: %d checks%s\n", t_fail == f ? "ok  " : "FAIL", name, t_pass - p + t_fail - f,
	       t_fail == f ? "" : ", some failed (above)");
}

#define T_END(name) (printf("# %s: %d passed, %d failed\n", name, t_pass, t_fail), t_fail ? 1 : 0)

#endif
