/* SPDX-License-Identifier: MIT */
/* What a VM's Secure Boot keys trust, and what they lack against a reference template. */
#ifndef FWSLOT_KEYAUDIT_H
#define FWSLOT_KEYAUDIT_H
/*
 * Microsoft's UEFI CAs are known by the SHA-256 of their DER, never by name
 * (anyone can issue a certificate named "Microsoft UEFI CA 2023"). The
 * fingerprints are those of the certificates in Debian sid's ovmf-generic
 * 2026.08+ds-2 OVMF_VARS_4M.ms.fd, equal to python3-virt-firmware 26.9's
 * certs/microsoft.com (tests/keys/peer.py compares them). The 2011 KEK and
 * UEFI CAs expired in June 2026, the Windows PCA 2011 in October 2026.
 *
 * Two entries are the same when their signature type and the SHA-256 of
 * their data are (the owner GUID says who added one, not what it trusts or
 * revokes). PK is not compared: it is the VM owner's.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "secboot.h"

enum ms_ca_id {
	MS_KEK_CA_2011, MS_KEK_CA_2023, MS_WINDOWS_PCA_2011, MS_UEFI_CA_2011,
	MS_WINDOWS_UEFI_CA_2023, MS_UEFI_CA_2023, MS_OPTION_ROM_CA_2023, MS_NCAS,
};

struct ms_ca {
	const char *name;
	int year;                /* 2011 or 2023 */
	enum sb_key_id key;      /* where it belongs: KEK or db */
	uint8_t sha256[32];
};
extern const struct ms_ca ms_cas[MS_NCAS];

/* One entry as compared: its key, index in that key's sig_db, type, digest. */
struct key_entry {
	enum sb_key_id key;
	size_t entry;
	enum sig_type type;
	uint8_t digest[32];
};

struct key_audit {
	int secure_boot, setup_mode;
	unsigned ms;             /* bit (1 << enum ms_ca_id) for each CA the VM's KEK or db holds */
	int untrusted;           /* a KEK, db or dbx whose lists lie: what follows the lie is not compared */
	/* against a template (compared set): entries the template has and the VM lacks, and the reverse */
	int compared;
	size_t nmissing, nextra;
	struct key_entry *missing;   /* malloc'd; the template's entries */
	struct key_entry *extra;     /* malloc'd; the VM's entries */
};

/* The Microsoft CAs among a key's entries, as bits; p: the buffer sb was read from. */
unsigned ms_cas_held(const uint8_t *p, const struct sb_state *sb);
/* "none", "2011 only", "2023 only", "2011 and 2023": the Microsoft UEFI CAs the db holds. */
const char *ms_db_trust(unsigned ms);

/*
 * Audits vm (read from p) and, when tmpl is not NULL (read from tp), lists
 * the KEK, db and dbx entries each side lacks. LIB_OK or LIB_NO_MEMORY.
 * Free with key_audit_free.
 */
enum lib_result key_audit(const uint8_t *p, const struct sb_state *vm, const uint8_t *tp, const struct sb_state *tmpl,
			  struct key_audit *a, struct diag *d);
void key_audit_free(struct key_audit *a);

/* The digest two entries are compared by: SHA-256 of the entry's data. */
void key_entry_digest(const uint8_t *p, const struct sb_key *k, size_t entry, uint8_t out[32]);

#endif
