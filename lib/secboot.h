/* SPDX-License-Identifier: MIT */
/* A varstore's Secure Boot state and keys, as EDK2's AuthVariableLib will see them at boot. */
#ifndef FWSLOT_SECBOOT_H
#define FWSLOT_SECBOOT_H
/*
 * Source: SecurityPkg/Library/AuthVariableLib/AuthVariableLib.c
 * (AuthVariableLibInitialize): SetupMode is 1 when no PK exists (it is not
 * stored); in user mode a missing SecureBootEnable is created as 1; the
 * SecureBoot variable is 1 only in user mode with SecureBootEnable 1. A CODE
 * built without SECURE_BOOT_ENABLE ignores all of it.
 * Variables: PK, KEK (EfiGlobalVariable), db, dbx (EfiImageSecurityDatabase),
 * SecureBootEnable (EfiSecureBootEnableDisable, u8), CustomMode
 * (EfiCustomModeEnable, u8). The firmware reads the first live copy.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "siglist.h"
#include "varstore.h"

enum sb_key_id { SB_PK, SB_KEK, SB_DB, SB_DBX, SB_NKEYS };

struct sb_key {
	const struct variable *var;  /* NULL when the store has no live copy */
	struct sig_db sigs;
	enum lib_result parsed;      /* sig_db_parse's verdict */
	struct diag d;               /* what the walk found */
};

struct sb_state {
	struct sb_key key[SB_NKEYS];
	int setup_mode;              /* no PK */
	int enable;                  /* SecureBootEnable: its first byte, -1 absent, -2 empty */
	int custom_mode;             /* CustomMode: its first byte, -1 absent, -2 empty */
	int secure_boot;             /* what the SecureBoot variable will say with a Secure Boot CODE */
};

/* The first live variable named name (UTF-8) with vendor guid, or NULL. */
const struct variable *varstore_find(const struct varstore *vs, const char *name, const uint8_t guid[16]);

/*
 * Reads the Secure Boot variables of vs, whose data lie in p[0..len) (the
 * buffer vs was parsed from). Each key's lists are walked (sig_db_parse; PK
 * at most one entry); a key whose lists lie gets its findings in its own
 * diag, not trusted further. LIB_OK, or LIB_NO_MEMORY. Free with sb_free.
 */
enum lib_result sb_read(const uint8_t *p, size_t len, const struct varstore *vs, struct sb_state *sb, struct diag *d);
void sb_free(struct sb_state *sb);

const char *sb_key_name(enum sb_key_id k);

extern const uint8_t GUID_GLOBAL_VARIABLE[16];      /* 8be4df61-93ca-11d2-aa0d-00e098032b8c */
extern const uint8_t GUID_IMAGE_SECURITY_DB[16];    /* d719b2cb-3d3a-4596-a3bc-dad00e67656f */

#endif
