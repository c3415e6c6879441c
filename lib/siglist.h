/* SPDX-License-Identifier: MIT */
/* EFI_SIGNATURE_LIST sequences (PK, KEK, db, dbx): walked as EDK2's AuthVariableLib checks them. */
#ifndef FWSLOT_SIGLIST_H
#define FWSLOT_SIGLIST_H
/*
 * Sources: UEFI 2.10 32.4.1 "Signature Database", MdePkg/Include/Guid/
 * ImageAuthentication.h (EFI_SIGNATURE_LIST, EFI_SIGNATURE_DATA, EFI_CERT_*_GUID),
 * SecurityPkg/Library/AuthVariableLib/AuthService.c (CheckSignatureListFormat,
 * mSupportSigItem: the types and sizes the firmware accepts).
 *
 * A variable's data is a sequence of lists, each:
 *   0x00 GUID SignatureType
 *   0x10 u32  SignatureListSize    (this list, header included)
 *   0x14 u32  SignatureHeaderSize  (0 for every type EDK2 accepts)
 *   0x18 u32  SignatureSize        (each entry: 16-byte owner GUID + data)
 *   0x1C      SignatureHeader[SignatureHeaderSize]
 *   then (ListSize - 0x1C - HeaderSize) / SignatureSize entries:
 *   0x00 GUID SignatureOwner, 0x10 data (a DER certificate, or a hash)
 * EDK2 refuses a write whose lists do not tile the data exactly, whose
 * type it does not know, whose SignatureSize does not fit the type, or a PK
 * with more than one entry.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define SIGLIST_HDR_SIZE      0x1C
#define SIGLIST_SIZE_OFF      0x10
#define SIGLIST_HDRSIZE_OFF   0x14
#define SIGLIST_SIGSIZE_OFF   0x18
#define SIG_OWNER_SIZE        16

enum sig_type {
	SIG_SHA256, SIG_RSA2048, SIG_RSA2048_SHA256, SIG_SHA1, SIG_RSA2048_SHA1, SIG_X509,
	SIG_SHA224, SIG_SHA384, SIG_SHA512, SIG_X509_SHA256, SIG_X509_SHA384, SIG_X509_SHA512,
	SIG_UNKNOWN,
};

struct sig_list {
	uint64_t offset;           /* in the variable's data */
	uint8_t type_guid[16];
	enum sig_type type;
	uint32_t list_size, header_size, sig_size;
	size_t first, count;       /* its entries in sig_db.entry */
};

struct sig_entry {
	size_t list;               /* index in sig_db.list */
	enum sig_type type;
	uint8_t owner[16];
	uint64_t offset;           /* of the data (after the owner), in the variable's data */
	uint32_t len;
};

struct sig_db {
	size_t nlists, nentries;
	struct sig_list *list;     /* malloc'd; free with sig_db_free */
	struct sig_entry *entry;   /* malloc'd */
};

/*
 * Walks p[0..len) (a PK, KEK, db or dbx variable's data) into db. Returns LIB_OK
 * when the lists tile the data as EDK2 requires; LIB_REFUSED with a DIAG_ERROR
 * naming the list, field and numbers otherwise (lists before the bad one stay
 * in db; nothing after it is trusted); LIB_NO_MEMORY. max_entries: the most
 * entries the data may hold (1 for PK, as EDK2 enforces; 0 for no limit).
 * Entries are counted before anything is allocated, at most len / 16.
 */
enum lib_result sig_db_parse(const uint8_t *p, size_t len, size_t max_entries, struct sig_db *db, struct diag *d);
void sig_db_free(struct sig_db *db);

/* "x509", "sha256", ...; "unknown" for a type EDK2 does not accept. */
const char *sig_type_name(enum sig_type t);
/* The data size EDK2 requires for a type; 0 for X.509 (any) and unknown types. */
uint32_t sig_type_data_size(enum sig_type t);
/* Whether a type is a hash of an image (dbx, db) rather than a key or certificate. */
int sig_type_is_hash(enum sig_type t);
enum sig_type sig_type_from_guid(const uint8_t g[16]);
const uint8_t *sig_type_guid(enum sig_type t);

#endif
