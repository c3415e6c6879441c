/* SPDX-License-Identifier: MIT */
/* Diagnostics: what each add returns, the bound and its dropped count, appending one list to another. */
#include "diag.h"
#include "t.h"

/* An error is a refusal, a warning or a note is not; out of memory is its own result. */
static void test_results(void)
{
	struct diag d;

	diag_init(&d);
	CHECK(diag_add(&d, DIAG_ERROR, "e %d", 1) == LIB_REFUSED, "error");
	CHECK(diag_add(&d, DIAG_WARN, "w") == LIB_OK, "warning");
	CHECK(diag_add(&d, DIAG_NOTE, "n") == LIB_OK, "note");
	CHECK(diag_no_memory(&d, "out of memory for %d bytes", 7) == LIB_NO_MEMORY, "no memory");
	CHECK(d.n == 4 && diag_count(&d, DIAG_ERROR) == 2 && !strcmp(d.item[3].msg, "out of memory for 7 bytes"),
	      "%zu items, %zu errors", d.n, diag_count(&d, DIAG_ERROR));
	CHECK(lib_worse(LIB_OK, LIB_REFUSED) == LIB_REFUSED && lib_worse(LIB_NO_MEMORY, LIB_REFUSED) == LIB_NO_MEMORY &&
	      lib_worse(LIB_OK, LIB_OK) == LIB_OK, "lib_worse");
}

/* DIAG_MAX items are kept; past that they are counted, and counted as errors. */
static void test_bound(void)
{
	struct diag d;

	diag_init(&d);
	for (int i = 0; i < DIAG_MAX + 2; i++)
		diag_add(&d, DIAG_NOTE, "note %d", i);
	CHECK(d.n == DIAG_MAX && d.dropped == 2, "%zu kept, %zu dropped", d.n, d.dropped);
	CHECK(diag_count(&d, DIAG_ERROR) == 2, "dropped items may be errors: %zu", diag_count(&d, DIAG_ERROR));
}

/* Appending keeps each item's level and text, and what the source dropped. */
static void test_append(void)
{
	struct diag from, to;

	diag_init(&from);
	diag_init(&to);
	diag_add(&to, DIAG_NOTE, "first");
	diag_add(&from, DIAG_ERROR, "e");
	diag_add(&from, DIAG_WARN, "w");
	from.dropped = 3;
	diag_append(&to, &from);
	CHECK(to.n == 3 && to.item[1].level == DIAG_ERROR && !strcmp(to.item[1].msg, "e") &&
	      to.item[2].level == DIAG_WARN && to.dropped == 3, "%zu items, %zu dropped", to.n, to.dropped);
}

int main(void)
{
	T_RUN(test_results);
	T_RUN(test_bound);
	T_RUN(test_append);
	return T_END("diag");
}
