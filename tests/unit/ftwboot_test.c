/* SPDX-License-Identifier: MIT */
/* What OVMF makes of a varstore at boot: stores torn mid-write, built byte by byte. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "diag.h"
#include "ftwboot.h"
#include "romgen.h"
#include "t.h"
#include "varstore.h"

#define LEN GEN_TORN_LEN
#define WSO (LEN / 2 - 0x1000)   /* working block */
static uint8_t disk[LEN], view[LEN];

/* live variables of b, or -1 when it does not parse */
static long live(const uint8_t *b)
{
	struct varstore vs;
	struct diag d;
	long n;

	diag_init(&d);
	n = varstore_parse(b, LEN, &vs, &d) != LIB_OK ? -1 : (long)vs.nlive;
	varstore_free(&vs);
	return n;
}

static const struct {
	enum gen_torn kind;
	enum lib_result rc;
	enum ftw_boot_action action;
	enum ftw_boot_workspace ws;
	long disk_live, boot_live;  /* -1: does not parse */
	const char *why;
} torn[] = {
	/* the reclaim's new store is complete in the spare: OVMF copies it back */
	{ GEN_TORN_RESTART, LIB_OK, FTW_BOOT_RESTART, FTW_WS_AS_IS, -1, GEN_TORN_VARS, "" },
	/* the spare copy was cut: OVMF drops the write and reads the untouched store */
	{ GEN_TORN_DISCARD, LIB_OK, FTW_BOOT_DISCARD, FTW_WS_AS_IS, GEN_TORN_VARS, GEN_TORN_VARS, "" },
	/* the FV header is gone: the flash driver erases everything before FTW runs */
	{ GEN_TORN_REFORMAT, LIB_REFUSED, FTW_BOOT_REFORMAT, FTW_WS_AS_IS, -1, -1,
	  "FV signature 0xffffffff at 0x28, expected 0x4856465f (\"_FVH\")" },
	{ GEN_TORN_WORKSPACE, LIB_OK, FTW_BOOT_IDLE, FTW_WS_FROM_SPARE, -1, GEN_TORN_VARS, "" },
	{ GEN_TORN_UNKNOWN, LIB_REFUSED, FTW_BOOT_UNKNOWN, FTW_WS_AS_IS, -1, -1,
	  "the pending FTW write to Lba 0x1000 (0xe000 bytes) would overwrite the FTW working block or spare at 0xf000" },
};

static void torn_stores(void)
{
	for (size_t i = 0; i < sizeof(torn) / sizeof(torn[0]); i++) {
		struct ftw_boot b;
		enum lib_result rc;

		gen_vars_torn(disk, torn[i].kind);
		rc = ftw_boot(disk, LEN, view, &b);
		CHECK(rc == torn[i].rc && b.action == torn[i].action && b.workspace == torn[i].ws,
		      "torn kind %d: rc %d action %s workspace %s (%s)", torn[i].kind, rc,
		      ftw_boot_action_name(b.action), ftw_boot_workspace_name(b.workspace), b.why);
		CHECK(!strcmp(b.why, torn[i].why), "torn kind %d: why \"%s\"", torn[i].kind, b.why);
		CHECK(live(disk) == torn[i].disk_live, "torn kind %d: %ld live on disk", torn[i].kind, live(disk));
		if (rc == LIB_OK)
			CHECK(live(view) == torn[i].boot_live, "torn kind %d: %ld live at boot", torn[i].kind, live(view));
	}

	/* RESTART: the target equals the spare's copy, the write is complete, the spare erased */
	{
		struct ftw_boot b;
		struct varstore vs;
		struct diag d;

		gen_vars_torn(disk, GEN_TORN_RESTART);
		ftw_boot(disk, LEN, view, &b);
		CHECK(b.target == 0 && b.length == 0xE000 && !memcmp(view, disk + LEN / 2, 0xE000),
		      "restart copies 0x%llx bytes to 0x%llx", (unsigned long long)b.length, (unsigned long long)b.target);
		diag_init(&d);
		CHECK(varstore_parse(view, LEN, &vs, &d) == 0 && vs.ftw_writes == 1 && vs.ftw_pending == 0 &&
		      !vs.ftw_last_in_progress && vs.spare_erased,
		      "after the restart: %zu writes, %zu pending, spare %s: %s", vs.ftw_writes, vs.ftw_pending,
		      vs.spare_erased ? "erased" : "not erased", diag_first(&d));
		varstore_free(&vs);
		/* the disk is not touched */
		gen_vars_torn(view, GEN_TORN_RESTART);
		CHECK(!memcmp(view, disk, LEN), "ftw_boot leaves its input alone");
	}
	/* REFORMAT still tells what the spare held */
	{
		struct ftw_boot b;

		gen_vars_torn(disk, GEN_TORN_REFORMAT);
		ftw_boot(disk, LEN, view, &b);
		CHECK(b.pending_restart && live(view) == GEN_TORN_VARS, "reformat: pending %d, spare holds %ld",
		      b.pending_restart, live(view));
	}
}

/* The 4M layout: the same reclaim cut, its working block and spare where the
 * 4M store has them (0x41000, 0x42000), 0x40000 bytes copied back. */
static void torn_4m(void)
{
	static uint8_t disk4[GEN_TORN_LEN_4M], view4[GEN_TORN_LEN_4M];
	struct ftw_boot b;
	struct varstore vs;
	struct diag d;
	enum lib_result rc;

	gen_vars_torn_len(disk4, sizeof(disk4), GEN_TORN_RESTART);
	rc = ftw_boot(disk4, sizeof(disk4), view4, &b);
	CHECK(rc == LIB_OK && b.action == FTW_BOOT_RESTART && b.target == 0 && b.length == 0x40000 &&
	      !memcmp(view4, disk4 + sizeof(disk4) / 2, 0x40000),
	      "4M: rc %d action %s, 0x%llx bytes to 0x%llx (%s)", rc, ftw_boot_action_name(b.action),
	      (unsigned long long)b.length, (unsigned long long)b.target, b.why);
	diag_init(&d);
	CHECK(varstore_parse(view4, sizeof(view4), &vs, &d) == LIB_OK && vs.nlive == GEN_TORN_VARS && vs.spare_erased,
	      "4M, after the restart: %zu live, spare %s: %s", vs.nlive, vs.spare_erased ? "erased" : "not erased",
	      diag_first(&d));
	varstore_free(&vs);
}

/* The queue as the FTW driver walks it, including what a guest could write there. */
static void queues(void)
{
	static const uint8_t done = 0xF8, first_writing = 0xFF;
	struct ftw_boot b;
	size_t q;

	/* an idle template */
	gen_vars_empty(disk, LEN);
	CHECK(ftw_boot(disk, LEN, view, &b) == 0 && b.action == FTW_BOOT_IDLE && b.workspace == FTW_WS_AS_IS &&
	      !memcmp(view, disk, LEN), "empty template: %s", ftw_boot_action_name(b.action));

	/* a finished write whose header lost its Complete bit: marked complete */
	gen_vars_empty(disk, LEN);
	gen_ftw_write(disk, WSO + 0x20, 0xFC, 1, 0, &done);
	CHECK(ftw_boot(disk, LEN, view, &b) == 0 && b.action == FTW_BOOT_FINISH && view[WSO + 0x20] == 0xF8,
	      "finish: %s, header flags 0x%02x", ftw_boot_action_name(b.action), view[WSO + 0x20]);

	/* allocated, no record written yet: dropped */
	gen_vars_empty(disk, LEN);
	gen_ftw_write(disk, WSO + 0x20, 0xFE, 1, 0, &first_writing);
	CHECK(ftw_boot(disk, LEN, view, &b) == 0 && b.action == FTW_BOOT_DISCARD, "header only: %s",
	      ftw_boot_action_name(b.action));

	/* a full queue of finished writes: the driver compacts it to an empty one */
	gen_vars_empty(disk, LEN);
	for (q = WSO + 0x20; q + 0x50 <= WSO + 0x1000; )
		q = gen_ftw_write(disk, q, 0xF8, 1, 0, &done);
	CHECK(ftw_boot(disk, LEN, view, &b) == 0 && b.workspace == FTW_WS_COMPACTED &&
	      view[WSO + 0x20] == 0xFF, "full queue: %s, first header 0x%02x", ftw_boot_workspace_name(b.workspace),
	      view[WSO + 0x20]);

	/* bytes after the last write: compacted, the pending write kept at the front */
	gen_vars_torn(disk, GEN_TORN_RESTART);
	disk[WSO + 0x800] = 0x00;
	CHECK(ftw_boot(disk, LEN, view, &b) == 0 && b.workspace == FTW_WS_COMPACTED && b.action == FTW_BOOT_RESTART &&
	      live(view) == GEN_TORN_VARS, "dirty queue: %s %s", ftw_boot_workspace_name(b.workspace),
	      ftw_boot_action_name(b.action));

	/* a header whose size wraps to 0: the firmware would walk it for ever */
	gen_vars_empty(disk, LEN);
	gen_ftw_write(disk, WSO + 0x20, 0xF8, UINT64_MAX - 0x27, UINT64_MAX - 0x26, NULL);
	CHECK(ftw_boot(disk, LEN, view, &b) != LIB_OK && b.action == FTW_BOOT_UNKNOWN && strstr(b.why, "loops"),
	      "wrapping header: %s", b.why);

	/* working block and spare both invalid: an empty queue is written */
	gen_vars_empty(disk, LEN);
	disk[WSO + 0x11] ^= 1; /* CRC */
	CHECK(ftw_boot(disk, LEN, view, &b) == 0 && b.workspace == FTW_WS_RESET && live(view) == 0,
	      "both invalid: %s", ftw_boot_workspace_name(b.workspace));

	/* a reserved header byte differs: not the canonical header, even with a matching CRC */
	gen_vars_empty(disk, LEN);
	disk[WSO + 0x15] = 0xFE;
	wr_le32(disk + WSO + FTW_CRC_OFF, ftw_header_crc(disk + WSO));
	CHECK(ftw_boot(disk, LEN, view, &b) == 0 && b.workspace == FTW_WS_RESET && view[WSO + 0x15] == 0xFF,
	      "reserved byte: %s", ftw_boot_workspace_name(b.workspace));

	/* not an OVMF size */
	CHECK(ftw_boot(disk, 0x3000, view, &b) != LIB_OK && b.action == FTW_BOOT_UNKNOWN, "size 0x3000: %s", b.why);
}

/*
 * Every byte of the working block and its first records, set to 16 values:
 * sanitizers catch a read out of bounds; these checks hold each answer to the
 * contract (the result agrees with the action, the input is left alone, an
 * unknown says why, the same bytes give the same view) and prove that the
 * sweep reached more than one path of the start-up.
 */
static void sweep(void)
{
	static uint8_t before[LEN], again[LEN];
	struct ftw_boot b, b2;
	size_t total = 0, bad_rc = 0, bad_why = 0, touched = 0, unstable = 0;
	unsigned seen_action = 0, seen_ws = 0;

	for (size_t off = WSO; off < WSO + 0x80; off++)
		for (int v = 0; v < 256; v += 17) {
			enum lib_result r;

			gen_vars_torn(disk, GEN_TORN_RESTART);
			disk[off] = (uint8_t)v;
			memcpy(before, disk, LEN);
			r = ftw_boot(disk, LEN, view, &b);
			total++;
			seen_action |= 1u << b.action;
			seen_ws |= 1u << b.workspace;
			bad_rc += (r == LIB_OK) != (b.action != FTW_BOOT_REFORMAT && b.action != FTW_BOOT_UNKNOWN);
			bad_why += (b.action == FTW_BOOT_UNKNOWN || b.action == FTW_BOOT_REFORMAT) && !b.why[0];
			touched += memcmp(before, disk, LEN) != 0;
			if (ftw_boot(disk, LEN, again, &b2) != r || b2.action != b.action || memcmp(view, again, LEN))
				unstable++;
		}
	CHECK(bad_rc == 0, "%zu of %zu answers whose result disagrees with their action", bad_rc, total);
	CHECK(bad_why == 0, "%zu of %zu refusals without a reason", bad_why, total);
	CHECK(touched == 0 && unstable == 0, "%zu inputs changed, %zu answers not the same twice", touched, unstable);
	/* the flips reach the restart, dropping it, unknown, and a working block restored or rebuilt */
	CHECK((seen_action & (1u << FTW_BOOT_RESTART)) && (seen_action & (1u << FTW_BOOT_UNKNOWN)) &&
	      (seen_action & (1u << FTW_BOOT_IDLE)) && (seen_ws & ~(1u << FTW_WS_AS_IS)),
	      "paths reached: actions 0x%x, working block 0x%x", seen_action, seen_ws);
}

int main(void)
{
	T_RUN(torn_stores);
	T_RUN(torn_4m);
	T_RUN(queues);
	T_RUN(sweep);
	return T_END("ftwboot");
}
