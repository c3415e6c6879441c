/* SPDX-License-Identifier: MIT */
/* EFI_SIGNATURE_LIST sequences: framing and types checked as EDK2 checks them. */
#include "siglist.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "guid.h"

#define G GUID_BYTES

/* ImageAuthentication.h; data sizes from AuthService.c mSupportSigItem (0: any) */
static const struct {
	uint8_t guid[16];
	const char *name;
	uint32_t data_size;
	int hash;
} types[] = {
	[SIG_SHA256] = { G(0xc1c41626, 0x504c, 0x4092, 0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28), "sha256", 32, 1 },
	[SIG_RSA2048] = { G(0x3c5766e8, 0x269c, 0x4e34, 0xaa, 0x14, 0xed, 0x77, 0x6e, 0x85, 0xb3, 0xb6), "rsa2048", 256, 0 },
	[SIG_RSA2048_SHA256] = { G(0xe2b36190, 0x879b, 0x4a3d, 0xad, 0x8d, 0xf2, 0xe7, 0xbb, 0xa3, 0x27, 0x84), "rsa2048-sha256", 256, 0 },
	[SIG_SHA1] = { G(0x826ca512, 0xcf10, 0x4ac9, 0xb1, 0x87, 0xbe, 0x01, 0x49, 0x66, 0x31, 0xbd), "sha1", 20, 1 },
	[SIG_RSA2048_SHA1] = { G(0x67f8444f, 0x8743, 0x48f1, 0xa3, 0x28, 0x1e, 0xaa, 0xb8, 0x73, 0x60, 0x80), "rsa2048-sha1", 256, 0 },
	[SIG_X509] = { G(0xa5c059a1, 0x94e4, 0x4aa7, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72), "x509", 0, 0 },
	[SIG_SHA224] = { G(0x0b6e5233, 0xa65c, 0x44c9, 0x94, 0x07, 0xd9, 0xab, 0x83, 0xbf, 0xc8, 0xbd), "sha224", 28, 1 },
	[SIG_SHA384] = { G(0xff3e5307, 0x9fd0, 0x48c9, 0x85, 0xf1, 0x8a, 0xd5, 0x6c, 0x70, 0x1e, 0x01), "sha384", 48, 1 },
	[SIG_SHA512] = { G(0x093e0fae, 0xa6c4, 0x4f50, 0x9f, 0x1b, 0xd4, 0x1e, 0x2b, 0x89, 0xc1, 0x9a), "sha512", 64, 1 },
	/* a certificate's TBS hash and a revocation time */
	[SIG_X509_SHA256] = { G(0x3bd2a492, 0x96c0, 0x4079, 0xb4, 0x20, 0xfc, 0xf9, 0x8e, 0xf1, 0x03, 0xed), "x509-sha256", 48, 1 },
	[SIG_X509_SHA384] = { G(0x7076876e, 0x80c2, 0x4ee6, 0xaa, 0xd2, 0x28, 0xb3, 0x49, 0xa6, 0x86, 0x5b), "x509-sha384", 64, 1 },
	[SIG_X509_SHA512] = { G(0x446dbf63, 0x2502, 0x4cda, 0xbc, 0xfa, 0x24, 0x65, 0xd2, 0xb0, 0xfe, 0x9d), "x509-sha512", 80, 1 },
};

enum sig_type sig_type_from_guid(const uint8_t g[16])
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (memcmp(types[i].guid, g, 16) == 0)
			return (enum sig_type)i;
	return SIG_UNKNOWN;
}

const uint8_t *sig_type_guid(enum sig_type t)
{
	return t < SIG_UNKNOWN ? types[t].guid : NULL;
}

const char *sig_type_name(enum sig_type t)
{
	return t < SIG_UNKNOWN ? types[t].name : "unknown";
}

uint32_t sig_type_data_size(enum sig_type t)
{
	return t < SIG_UNKNOWN ? types[t].data_size : 0;
}

int sig_type_is_hash(enum sig_type t)
{
	return t < SIG_UNKNOWN && types[t].hash;
}

/*
 * One walk, run twice: to count (db NULL), then to fill. Stops at the first
 * list whose framing cannot be trusted; findings are added on the counting
 * walk only.
 */
static enum lib_result walk(const uint8_t *p, size_t len, struct sig_db *db, size_t *nlists, size_t *nentries,
			    struct diag *d)
{
	enum lib_result r = LIB_OK;
	uint64_t off = 0;
	size_t nl = 0, ne = 0;

	while (off < len) {
		struct sig_list l;
		uint64_t body;

		memset(&l, 0, sizeof(l));
		l.offset = off;
		if (!in_bounds(len, off, SIGLIST_HDR_SIZE)) {
			r = d ? diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: 0x%llx bytes left, a list header needs 0x%x",
					 nl, (unsigned long long)off, (unsigned long long)(len - off), SIGLIST_HDR_SIZE) : LIB_REFUSED;
			break;
		}
		memcpy(l.type_guid, p + off, 16);
		rd_le32(p, len, off + SIGLIST_SIZE_OFF, &l.list_size);
		rd_le32(p, len, off + SIGLIST_HDRSIZE_OFF, &l.header_size);
		rd_le32(p, len, off + SIGLIST_SIGSIZE_OFF, &l.sig_size);
		l.type = sig_type_from_guid(l.type_guid);
		if (l.list_size > len - off) {
			r = d ? diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: SignatureListSize 0x%x exceeds the 0x%llx bytes left",
					 nl, (unsigned long long)off, l.list_size, (unsigned long long)(len - off)) : LIB_REFUSED;
			break;
		}
		if (l.list_size < SIGLIST_HDR_SIZE || l.header_size > l.list_size - SIGLIST_HDR_SIZE) {
			r = d ? diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: SignatureListSize 0x%x cannot hold the 0x%x-byte header and SignatureHeaderSize 0x%x",
					 nl, (unsigned long long)off, l.list_size, SIGLIST_HDR_SIZE, l.header_size) : LIB_REFUSED;
			break;
		}
		if (l.sig_size < SIG_OWNER_SIZE) {
			r = d ? diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: SignatureSize 0x%x is smaller than the 16-byte owner GUID",
					 nl, (unsigned long long)off, l.sig_size) : LIB_REFUSED;
			break;
		}
		body = l.list_size - SIGLIST_HDR_SIZE - l.header_size;
		if (body % l.sig_size != 0) {
			r = d ? diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: 0x%llx bytes of entries are not a multiple of SignatureSize 0x%x",
					 nl, (unsigned long long)off, (unsigned long long)body, l.sig_size) : LIB_REFUSED;
			break;
		}
		/* the framing holds: what follows is reported but does not stop the walk */
		if (d && l.type == SIG_UNKNOWN) {
			char g[GUID_STR_LEN];

			guid_format(l.type_guid, g);
			r = lib_worse(r, diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: SignatureType %s is none EDK2 accepts",
						  nl, (unsigned long long)off, g));
		}
		if (d && l.type != SIG_UNKNOWN && sig_type_data_size(l.type) &&
		    l.sig_size - SIG_OWNER_SIZE != sig_type_data_size(l.type))
			r = lib_worse(r, diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: %s entries of 0x%x data bytes, the type has 0x%x",
						  nl, (unsigned long long)off, sig_type_name(l.type), l.sig_size - SIG_OWNER_SIZE,
						  sig_type_data_size(l.type)));
		if (d && l.header_size != 0)
			r = lib_worse(r, diag_add(d, DIAG_ERROR, "signature list %zu at 0x%llx: SignatureHeaderSize 0x%x, EDK2 accepts 0",
						  nl, (unsigned long long)off, l.header_size));
		l.first = ne;
		l.count = (size_t)(body / l.sig_size);
		if (db) {
			db->list[nl] = l;
			for (size_t i = 0; i < l.count; i++) {
				struct sig_entry *e = &db->entry[ne + i];
				uint64_t eo = off + SIGLIST_HDR_SIZE + l.header_size + (uint64_t)i * l.sig_size;

				e->list = nl;
				e->type = l.type;
				memcpy(e->owner, p + eo, 16);
				e->offset = eo + SIG_OWNER_SIZE;
				e->len = l.sig_size - SIG_OWNER_SIZE;
			}
		}
		ne += l.count;
		nl++;
		off += l.list_size;
		if (l.list_size == 0) /* cannot happen past the header check; the walk must progress */
			break;
	}
	*nlists = nl;
	*nentries = ne;
	return r;
}

enum lib_result sig_db_parse(const uint8_t *p, size_t len, size_t max_entries, struct sig_db *db, struct diag *d)
{
	enum lib_result r;
	size_t nl, ne, nl2, ne2;

	memset(db, 0, sizeof(*db));
	r = walk(p, len, NULL, &nl, &ne, d);
	/* each list is at least 0x1C bytes and each entry at least 16: no header can inflate these */
	if (nl) {
		db->list = calloc(nl, sizeof(*db->list));
		if (!db->list)
			return diag_no_memory(d, "out of memory for %zu signature lists", nl);
	}
	if (ne) {
		db->entry = calloc(ne, sizeof(*db->entry));
		if (!db->entry) {
			sig_db_free(db);
			return diag_no_memory(d, "out of memory for %zu signatures", ne);
		}
	}
	walk(p, len, db, &nl2, &ne2, NULL);
	db->nlists = nl2;
	db->nentries = ne2;
	if (max_entries && ne > max_entries)
		r = lib_worse(r, diag_add(d, DIAG_ERROR, "%zu signatures, at most %zu allowed here", ne, max_entries));
	return r;
}

void sig_db_free(struct sig_db *db)
{
	free(db->list);
	free(db->entry);
	db->list = NULL;
	db->entry = NULL;
	db->nlists = db->nentries = 0;
}
