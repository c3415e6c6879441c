/* SPDX-License-Identifier: MIT */
/* A varstore as OVMF's variable driver will read it at boot (see bootstore.h). */
#include "bootstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void boot_store_free(struct boot_store *bs)
{
	varstore_free(&bs->vs);
	varstore_free(&bs->disk);
	free(bs->buf);
	bs->buf = NULL;
}

int boot_store_changed(const struct boot_store *bs)
{
	return bs->fb.action == FTW_BOOT_RESTART || bs->fb.workspace != FTW_WS_AS_IS;
}

enum lib_result boot_store_read(const uint8_t *p, size_t len, enum fv_module_result ftw_pei,
				struct boot_store *bs, struct diag *d)
{
	struct diag dd, scratch;
	enum lib_result disk, rc;

	memset(bs, 0, sizeof(*bs));
	diag_init(&dd);
	disk = varstore_parse(p, len, &bs->disk, &dd);
	if (disk == LIB_NO_MEMORY) {
		diag_append(d, &dd);
		return LIB_NO_MEMORY;
	}
	bs->disk_bad = disk != LIB_OK;
	if (!(bs->buf = malloc(len ? len : 1)))
		return diag_no_memory(d, "out of memory for 0x%zx bytes", len);
	if (ftw_boot(p, len, bs->buf, &bs->fb) != LIB_OK) {
		diag_append(d, &dd);
		/* vs: the interrupted write's copy when there is one (what --force-readable rescues), else the disk */
		enum lib_result spare = LIB_REFUSED;

		diag_init(&scratch);
		if (bs->fb.pending_restart)
			spare = varstore_parse(bs->buf, len, &bs->vs, &scratch);
		if (spare == LIB_OK) {
			bs->spare_live = bs->vs.nlive;
		} else {
			varstore_free(&bs->vs);
			bs->fb.pending_restart = 0;
			memcpy(bs->buf, p, len);
			diag_init(&scratch);
			if (spare == LIB_NO_MEMORY || varstore_parse(p, len, &bs->vs, &scratch) == LIB_NO_MEMORY) {
				diag_append(d, &scratch);
				return LIB_NO_MEMORY;
			}
		}
		if (bs->fb.action == FTW_BOOT_REFORMAT)
			diag_add(d, DIAG_ERROR, "OVMF erases this varstore at boot, every variable lost (its flash driver finds the FV header not valid: %s)",
				 bs->fb.why);
		else
			diag_add(d, DIAG_ERROR, "cannot tell what OVMF makes of this varstore at boot: %s", bs->fb.why);
		if (bs->spare_live)
			diag_add(d, DIAG_NOTE, "the interrupted write's copy in the spare holds %zu variables; OVMF does not restore them (fdsplit migrate --force-readable does)",
				 bs->spare_live);
		return LIB_REFUSED;
	}
	rc = varstore_parse(bs->buf, len, &bs->vs, d);
	if (rc == LIB_NO_MEMORY)
		return rc;
	if (bs->fb.workspace == FTW_WS_RESET) {
		/* OVMF's own interrupted writes always leave one valid copy of the
		 * work space (FlushSpareBlockToWorkingBlock validates the spare's
		 * first): this is damage, and whatever the queue held is dropped */
		diag_append(d, &dd);
		diag_add(d, DIAG_ERROR, "the FTW working block at 0x%zx is not valid and the spare holds no copy of it: OVMF starts an empty write queue at boot, which no interrupted write of its own leaves behind",
			 (size_t)ovmf_ftw_work_off(len));
		rc = LIB_REFUSED;
	} else if (rc == LIB_OK && bs->disk_bad && boot_store_changed(bs)) {
		for (size_t i = 0; i < dd.n; i++)
			diag_add(d, DIAG_NOTE, "on disk, replaced at boot: %s", dd.item[i].msg);
	}
	/* measured (tests/migrate): without FaultTolerantWritePei the variable
	 * driver is dispatched before the FTW driver and caches the torn store */
	if (bs->fb.action == FTW_BOOT_RESTART && ftw_pei != FV_MODULE_FOUND && ftw_pei != FV_MODULE_ABSENT)
		diag_add(d, DIAG_WARN, "a build without SMM (as Debian's OVMF_CODE_4M.fd) reads the torn store before FTW restores it, then writes over it: boot this VM on an SMM build first, or fdsplit migrate it");
	if (bs->fb.action == FTW_BOOT_RESTART && ftw_pei == FV_MODULE_ABSENT) {
		diag_add(d, DIAG_ERROR, "the CODE has no FaultTolerantWritePei (a build without SMM): it reads the torn store before FTW restores it, then writes over it; boot this VM on an SMM build first, or fdsplit migrate it");
		rc = LIB_REFUSED;
	}
	return rc;
}

void boot_store_clause(const struct boot_store *bs, char *s, size_t n)
{
	const char *ws = NULL, *act = NULL;
	char buf[DIAG_MSG];

	switch (bs->fb.workspace) {
	case FTW_WS_FROM_SPARE: ws = "the FTW working block is not valid: the firmware restores it from the spare's copy"; break;
	case FTW_WS_RESET: ws = "the FTW working block is not valid and the spare holds no copy: the firmware starts an empty write queue"; break;
	case FTW_WS_COMPACTED: ws = "the FTW write queue is full or holds bytes after its last write: the firmware compacts it"; break;
	default: break;
	}
	switch (bs->fb.action) {
	case FTW_BOOT_RESTART:
		snprintf(buf, sizeof(buf), "write in progress: the firmware will restore %zu variables from the spare (SMM builds; 0x%llx bytes to 0x%llx; %zu live on disk)",
			 bs->vs.nlive, (unsigned long long)bs->fb.length, (unsigned long long)bs->fb.target, bs->disk.nlive);
		act = buf;
		break;
	case FTW_BOOT_DISCARD: act = "an interrupted write whose spare copy was not complete: the firmware drops it and reads the store as it is"; break;
	case FTW_BOOT_FINISH: act = "a finished write without its Complete bit: the firmware marks it complete"; break;
	case FTW_BOOT_LEFT: act = "a multi-record write in progress: the firmware leaves it to the driver that started it"; break;
	default: break;
	}
	snprintf(s, n, "%s%s%s", ws ? ws : "", ws && act ? "; " : "", act ? act : "");
}
