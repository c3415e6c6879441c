/* SPDX-License-Identifier: MIT */
/* Bringing a VM's KEK, db and dbx up to a template's, offline, as OVMF's authenticated appends would. */
#ifndef FWSLOT_KEYUPDATE_H
#define FWSLOT_KEYUPDATE_H
/*
 * Sources: SecurityPkg/Library/AuthVariableLib/AuthService.c (an
 * EFI_VARIABLE_APPEND_WRITE to KEK, db or dbx adds the payload's signature
 * data the variable lacks, FilterSignatureList; the TimeStamp becomes the
 * later of the two), MdeModulePkg/Universal/Variable/RuntimeDxe/Variable.c
 * (UpdateVariable: the new record is written after the last one, 4-byte
 * aligned, state VAR_ADDED 0x3F; the old one ends VAR_ADDED & VAR_IN_DELETED_
 * TRANSITION & VAR_DELETED = 0x3C; when the store has no room it is reclaimed:
 * live records rewritten compactly).
 *
 * The union: the VM's data byte for byte, then each template entry it lacks
 * (same type and data; owner GUID kept from the template), one list per
 * certificate and one per hash type, in the template's order. Nothing the VM
 * holds is removed: a revocation the guest applied itself stays in dbx.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "secboot.h"
#include "varstore.h"

struct key_update {
	enum sb_key_id key;
	uint8_t *data;              /* the new data, malloc'd (key_update_free) */
	size_t size;
	size_t added;               /* entries the VM lacked */
	const struct variable *tmpl;/* the template's record: a VM without the key takes its header */
	const uint8_t *tmpl_buf;
	struct efi_time time;       /* the later of the VM's and the template's */
};

/*
 * The union of the VM's key (from p, may be absent) and the template's (from
 * tp) into u. LIB_REFUSED when either side's lists lie (d names which);
 * LIB_NO_MEMORY. replace: the template's data instead of a union (PK).
 */
enum lib_result key_union(const uint8_t *p, const struct sb_key *vm, const uint8_t *tp, const struct sb_key *t,
			  int replace, struct key_update *u, struct diag *d);
void key_update_free(struct key_update *u);

/*
 * Writes into out[0..len) the store p[0..len) (parsed as vs) with the updates
 * (those with added > 0, or replacing) appended as new records and the old
 * ones marked deleted; every other byte unchanged. LIB_REFUSED with the
 * numbers when they do not fit the free space (*need and *room set), or the
 * store is not authenticated. The caller compacts (varstore_migrate onto its
 * own layout) and tries again, as OVMF reclaims.
 */
enum lib_result varstore_append_updates(const uint8_t *p, size_t len, const struct varstore *vs,
					const struct key_update *u, size_t n, uint8_t *out, uint64_t *need,
					uint64_t *room, struct diag *d);

/* a before b (year to nanosecond); equal is not before */
int efi_time_before(const struct efi_time *a, const struct efi_time *b);

#endif
