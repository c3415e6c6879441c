/* SPDX-License-Identifier: MIT */
/* What OVMF writes to a varstore's flash at boot, before its variable driver reads it. */
#ifndef FWSLOT_FTWBOOT_H
#define FWSLOT_FTWBOOT_H
/*
 * Sources (EDK2 as Debian 12 builds it):
 *   OvmfPkg/QemuFlashFvbServicesRuntimeDxe/FwBlockService.c ValidateFvHeader,
 *     InitializeVariableFvHeader: the flash driver erases the whole varstore
 *     when the FV header at 0 is not valid, before anything else reads it;
 *   MdeModulePkg/Universal/FaultTolerantWriteDxe FtwMisc.c InitFtwProtocol,
 *     WorkSpaceRefresh, FtwGetLastWriteHeader/Record, FtwReclaimWorkSpace,
 *     FlushSpareBlockToWorkingBlock, FlushSpareBlockToTargetBlock;
 *     FaultTolerantWrite.c FtwRestart, FtwWriteRecord, FtwAbort; FtwWorkSpace.c
 *     IsValidWorkSpace (a header is valid only when it equals the canonical one).
 * In OVMF builds with SMM, FaultTolerantWritePei (PEI) hands the pending
 * write to VariablePei and the SMM variable driver (gEdkiiFaultTolerantWriteGuid
 * HOB), so the variables are read as these steps leave the flash. Builds
 * without SMM have no FTW PEI module: their variable driver (depex TRUE) is
 * dispatched with the flash driver, before the FTW driver (which waits for the
 * flash driver's protocol), and caches the torn store before FTW restores it.
 * Measured with Debian 12's OVMF_CODE_4M.fd (tests/migrate): it then wrote
 * over the restored store, or stopped. The view below is what SMM builds read.
 *
 * OVMF places the FTW areas by PCD, not by the store header (VarStore.fdf.inc):
 * for a VARS image of L bytes the working block is the 0x1000 bytes at
 * L/2 - 0x1000 (one block, so FtwWorkSpaceBaseInSpare is 0) and the spare is
 * L/2 .. L. A torn store header therefore does not move them.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum ftw_boot_action {
	FTW_BOOT_IDLE,      /* no write in progress: the store stays as it is */
	FTW_BOOT_RESTART,   /* spare complete, target not: the spare is copied onto the target */
	FTW_BOOT_DISCARD,   /* the write stopped before its spare copy was complete: dropped */
	FTW_BOOT_FINISH,    /* every record written, only the header's Complete bit missing */
	FTW_BOOT_LEFT,      /* a later record of a multi-record write is not spare-complete: left to its caller */
	FTW_BOOT_REFORMAT,  /* the flash driver erases the whole varstore */
	FTW_BOOT_UNKNOWN    /* the firmware would read or write out of bounds: no prediction */
};

enum ftw_boot_workspace {
	FTW_WS_AS_IS,       /* the working block is valid and compact */
	FTW_WS_FROM_SPARE,  /* not valid; restored from the spare's copy (an interrupted reclaim) */
	FTW_WS_RESET,       /* not valid in either place: an empty write queue is written */
	FTW_WS_COMPACTED    /* the queue was full or dirty past its last write: rewritten */
};

struct ftw_boot {
	enum ftw_boot_action action;
	enum ftw_boot_workspace workspace;
	int pending_restart;        /* REFORMAT: a spare-complete write was waiting (view holds it applied) */
	uint64_t target, length;    /* RESTART: spare bytes [0, length) copied to target */
	char why[DIAG_MSG];         /* REFORMAT, UNKNOWN: the reason, with the numbers */
};

/*
 * Copies p (len bytes, a VARS image or a unified image's VARS part) to view
 * (caller-allocated, len bytes) and applies what OVMF's flash and FTW drivers
 * write there at boot: the pending write restarted from the spare, a write
 * dropped or marked complete, the working block restored or rebuilt, the
 * spare erased after a restart. Returns LIB_OK; LIB_REFUSED for REFORMAT and UNKNOWN, where
 * view is what the FTW steps alone would leave (for REFORMAT) or a copy of p.
 */
enum lib_result ftw_boot(const uint8_t *p, size_t len, uint8_t *view, struct ftw_boot *b);

const char *ftw_boot_action_name(enum ftw_boot_action a);
const char *ftw_boot_workspace_name(enum ftw_boot_workspace w);

#endif
