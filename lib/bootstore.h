/* SPDX-License-Identifier: MIT */
/* A varstore as OVMF's variable driver will read it at boot, and the verdict on that. */
#ifndef FWSLOT_BOOTSTORE_H
#define FWSLOT_BOOTSTORE_H
/*
 * The bytes on disk with what OVMF's flash and FTW drivers write first
 * (ftw_boot, lib/ftwboot.h) applied, both parsed (lib/varstore.h), and the
 * verdicts fdsplit's info, check and migrate share: a store OVMF erases or
 * whose start-up cannot be predicted is refused; a write in progress is
 * restored only by CODE with FaultTolerantWritePei (SMM builds, measured in
 * tests/migrate), so against CODE without it that store is refused.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ftwboot.h"
#include "fvmodule.h"
#include "varstore.h"

struct boot_store {
	struct ftw_boot fb;
	uint8_t *buf;           /* the flash after the FTW start-up; malloc'd */
	struct varstore vs;     /* buf parsed; for REFORMAT and UNKNOWN, the disk's bytes unless
				 * the spare holds a complete interrupted write (then buf is that) */
	struct varstore disk;   /* the bytes on disk parsed */
	int disk_bad;           /* they fail varstore_parse */
	size_t spare_live;      /* REFORMAT with a pending restart: live variables of the lost copy */
};

/*
 * Reads p[0..len) as the firmware will at boot, into bs (boot_store_free it
 * whatever the result). Returns LIB_OK when that store passes; LIB_REFUSED
 * when it does not, OVMF erases it, its start-up cannot be predicted, or the
 * CODE it is judged against reads a pending write before restoring it;
 * LIB_NO_MEMORY. d gets the findings on what the firmware reads; findings on
 * disk that the start-up repairs come as notes. ftw_pei: whether the CODE
 * carries FaultTolerantWritePei (FV_MODULE_FOUND, FV_MODULE_ABSENT; anything
 * else is unknown, as with no CODE: a pending write then gets a warning).
 */
enum lib_result boot_store_read(const uint8_t *p, size_t len, enum fv_module_result ftw_pei,
				struct boot_store *bs, struct diag *d);

void boot_store_free(struct boot_store *bs);

/* Whether the FTW start-up changed the bytes the variable driver reads. */
int boot_store_changed(const struct boot_store *bs);

/* One clause on what OVMF's start-up does with this store into s; "" when nothing. */
void boot_store_clause(const struct boot_store *bs, char *s, size_t n);

#endif
