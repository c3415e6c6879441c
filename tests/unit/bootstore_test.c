/* SPDX-License-Identifier: MIT */
/* The verdict on a varstore as OVMF reads it at boot (lib/bootstore.c), by CODE kind. */
#include "bootstore.h"
#include "diag.h"
#include "romgen.h"
#include "t.h"

static uint8_t disk[GEN_TORN_LEN];

static enum lib_result judge(enum gen_torn kind, enum fv_module_result pei, struct boot_store *bs, struct diag *d)
{
	gen_vars_torn(disk, kind);
	diag_init(d);
	return boot_store_read(disk, sizeof(disk), pei, bs, d);
}

static size_t count(const struct diag *d, enum diag_level l)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->item[i].level == l;
	return n;
}

/* a write in progress: restored by SMM builds (FaultTolerantWritePei), refused against one without, warned when unknown */
static void test_restart_by_code(void)
{
	struct boot_store bs;
	struct diag d;

	CHECK(judge(GEN_TORN_RESTART, FV_MODULE_FOUND, &bs, &d) == LIB_OK && count(&d, DIAG_ERROR) == 0 &&
	      count(&d, DIAG_WARN) == 0 && bs.vs.nlive == GEN_TORN_VARS && boot_store_changed(&bs),
	      "SMM CODE: %s", diag_first(&d));
	boot_store_free(&bs);
	CHECK(judge(GEN_TORN_RESTART, FV_MODULE_ABSENT, &bs, &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "the CODE has no FaultTolerantWritePei"), "CODE without SMM: %s", diag_first(&d));
	boot_store_free(&bs);
	CHECK(judge(GEN_TORN_RESTART, FV_MODULE_UNDECODED, &bs, &d) == LIB_OK && count(&d, DIAG_WARN) == 1 &&
	      count(&d, DIAG_ERROR) == 0, "no CODE: %s", diag_first(&d));
	/* the disk's own findings are notes: the start-up replaces them */
	CHECK(count(&d, DIAG_NOTE) > 0 && DIAG_HAS(&d, "on disk, replaced at boot"), "notes: %zu",
	      count(&d, DIAG_NOTE));
	boot_store_free(&bs);
}

static void test_refusals(void)
{
	struct boot_store bs;
	struct diag d;
	char clause[2 * DIAG_MSG];

	CHECK(judge(GEN_TORN_REFORMAT, FV_MODULE_FOUND, &bs, &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "OVMF erases this varstore at boot"), "reformat: %s", diag_first(&d));
	boot_store_free(&bs);
	CHECK(judge(GEN_TORN_UNKNOWN, FV_MODULE_FOUND, &bs, &d) == LIB_REFUSED &&
	      DIAG_HAS(&d, "cannot tell what OVMF makes of this varstore"), "unknown: %s", diag_first(&d));
	boot_store_free(&bs);
	CHECK(judge(GEN_TORN_DISCARD, FV_MODULE_FOUND, &bs, &d) == LIB_OK && !boot_store_changed(&bs), "discard: %s",
	      diag_first(&d));
	boot_store_clause(&bs, clause, sizeof(clause));
	CHECK(strstr(clause, "drops it") != NULL, "discard's clause: '%s'", clause);
	boot_store_free(&bs);
}

int main(void)
{
	T_RUN(test_restart_by_code);
	T_RUN(test_refusals);
	return T_END("bootstore");
}
