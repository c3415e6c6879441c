/* SPDX-License-Identifier: MIT */
/* Moving a VM's variables into another varstore layout (2M -> 4M and back), losing none. */
#ifndef FWSLOT_VARMIGRATE_H
#define FWSLOT_VARMIGRATE_H
/*
 * The result is the template's bytes (FV header, block map, store header,
 * event log, FTW working block with its CRC, spare) with the variable region
 * written anew: the template's live variables that the old store does not
 * replace, then every live variable of the old store in its order, each record
 * copied exactly (name, GUID, attributes, data, and for authenticated
 * variables MonotonicCount, TimeStamp and PubKeyIndex), state "added",
 * compactly (headers 4-byte aligned, gaps and free space 0xFF).
 *
 * Live is what OVMF's variable driver would find: state 0x3F (added), and a
 * record in deleted transition (0x3E/0x3C...) whose replacement never became
 * live (no 0x3F record of the same name and GUID).
 *
 * The variable header's fields are named in varstore.h (VAR_*_OFF).
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "varstore.h"

#define VAR_HEADER_ALIGN    4
/* EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | TIME_BASED_AUTHENTICATED_WRITE_ACCESS */
#define VAR_ATTR_AUTH_MASK  0x30

#define MIGRATE_NAMES_MAX   16

struct migrate_opts {
	/* names (ASCII) whose template copy wins over the old store's */
	const char *prefer_template[MIGRATE_NAMES_MAX];
	size_t nprefer;
};

struct migrate_report {
	size_t copied;        /* live variables of the old store written */
	size_t kept;          /* template variables the old store does not have */
	size_t replaced;      /* template variables the old store's copy replaced */
	size_t preferred;     /* old variables dropped for the template's (--prefer-template) */
	size_t duplicates;    /* later live copies of a name the old store already had */
	uint64_t used, free;  /* bytes of the new variable region */
	char replaced_names[256];  /* ", "-separated, cut at the end */
};

/*
 * Builds into out[0..tlen) the template t[0..tlen) (parsed as tvs) holding the
 * live variables of the old store o (parsed as ovs, from the same bytes).
 * Refuses (LIB_REFUSED, a DIAG_ERROR with the numbers, out's contents undefined) when
 * they do not fit the template's store, or an authenticated variable would go
 * into a plain store; LIB_NO_MEMORY when its table of variables cannot be
 * allocated. The caller verifies out with varstore_parse.
 */
enum lib_result varstore_migrate(const uint8_t *o, const struct varstore *ovs, const uint8_t *t, size_t tlen,
		     const struct varstore *tvs, const struct migrate_opts *opts, uint8_t *out,
		     struct migrate_report *r, struct diag *d);

#endif
