/* SPDX-License-Identifier: MIT */
/* Signature lists (lib/siglist.c): framing and types as EDK2's AuthVariableLib checks them. */
#include <stdlib.h>

#include "bytes.h"
#include "diag.h"
#include "siglist.h"
#include "t.h"

static uint8_t buf[4096];

/* appends a list of type t with n entries of sig_size bytes (owner + data) at off; returns the new end */
static size_t put_list(size_t off, enum sig_type t, uint32_t header_size, uint32_t sig_size, uint32_t n)
{
	uint32_t size = SIGLIST_HDR_SIZE + header_size + sig_size * n;

	memcpy(buf + off, sig_type_guid(t), 16);
	wr_le32(buf + off + SIGLIST_SIZE_OFF, size);
	wr_le32(buf + off + SIGLIST_HDRSIZE_OFF, header_size);
	wr_le32(buf + off + SIGLIST_SIGSIZE_OFF, sig_size);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = buf + off + SIGLIST_HDR_SIZE + header_size + (size_t)i * sig_size;

		memset(e, 0x11 * (i + 1), 16);        /* owner */
		memset(e + 16, 0xA0 + i, sig_size - 16u); /* data */
	}
	return off + size;
}

static enum lib_result parse(size_t len, size_t max, struct sig_db *db, struct diag *d)
{
	diag_init(d);
	return sig_db_parse(buf, len, max, db, d);
}

static void test_lists_tile_the_data(void)
{
	struct sig_db db;
	struct diag d;
	size_t end = put_list(0, SIG_SHA256, 0, 16 + 32, 2);

	end = put_list(end, SIG_X509, 0, 16 + 100, 1);
	CHECK(parse(end, 0, &db, &d) == LIB_OK, "two lists that tile the data: %s", diag_first(&d));
	CHECK(db.nlists == 2 && db.nentries == 3, "2 lists, 3 entries: %zu %zu", db.nlists, db.nentries);
	CHECK(db.list[0].type == SIG_SHA256 && db.list[1].type == SIG_X509 && db.list[1].offset == 0x1C + 96,
	      "types and offsets: list 1 at 0x%llx", (unsigned long long)db.list[1].offset);
	CHECK(db.entry[1].offset == 0x1C + 48 + 16 && db.entry[1].len == 32 && db.entry[1].owner[0] == 0x22,
	      "entry 1: data after its owner GUID at 0x%llx", (unsigned long long)db.entry[1].offset);
	CHECK(db.entry[2].list == 1 && db.entry[2].len == 100 && buf[db.entry[2].offset] == 0xA0,
	      "the certificate entry: any size for x509");
	sig_db_free(&db);
	CHECK(parse(0, 0, &db, &d) == LIB_OK && db.nlists == 0, "no data: no lists (a deleted key)");
}

static void test_list_size_limits(void)
{
	struct sig_db db;
	struct diag d;
	size_t end = put_list(0, SIG_SHA256, 0, 48, 1);

	/* SignatureListSize exactly the bytes left, one more, and all ones */
	CHECK(parse(end, 0, &db, &d) == LIB_OK, "ListSize == bytes left");
	sig_db_free(&db);
	wr_le32(buf + SIGLIST_SIZE_OFF, (uint32_t)end + 1);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "exceeds the 0x4c bytes left") && db.nlists == 0,
	      "ListSize one past the data: %s", diag_first(&d));
	sig_db_free(&db);
	wr_le32(buf + SIGLIST_SIZE_OFF, 0xFFFFFFFF);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "SignatureListSize 0xffffffff"), "ListSize all ones");
	sig_db_free(&db);
	/* below the header, and a header size that would wrap the body */
	wr_le32(buf + SIGLIST_SIZE_OFF, SIGLIST_HDR_SIZE - 1);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "cannot hold"), "ListSize 0x1b: %s", diag_first(&d));
	sig_db_free(&db);
	wr_le32(buf + SIGLIST_SIZE_OFF, (uint32_t)end);
	wr_le32(buf + SIGLIST_HDRSIZE_OFF, 0xFFFFFFF0);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "SignatureHeaderSize 0xfffffff0"),
	      "HeaderSize past the list, no wrap: %s", diag_first(&d));
	sig_db_free(&db);
}

static void test_entry_sizes(void)
{
	struct sig_db db;
	struct diag d;
	size_t end = put_list(0, SIG_SHA256, 0, 48, 2);

	wr_le32(buf + SIGLIST_SIGSIZE_OFF, 0);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "SignatureSize 0x0 is smaller"),
	      "SignatureSize 0: refused, never divided by: %s", diag_first(&d));
	sig_db_free(&db);
	wr_le32(buf + SIGLIST_SIGSIZE_OFF, 15);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED, "SignatureSize 15: no room for the owner");
	sig_db_free(&db);
	wr_le32(buf + SIGLIST_SIGSIZE_OFF, 47);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "not a multiple of SignatureSize 0x2f"),
	      "96 bytes of entries, SignatureSize 47: %s", diag_first(&d));
	sig_db_free(&db);
	/* framing holds, the size does not fit the type: reported, the walk goes on */
	end = put_list(0, SIG_SHA256, 0, 16 + 31, 2);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "sha256 entries of 0x1f data bytes, the type has 0x20") &&
	      db.nentries == 2, "sha256 with 31-byte hashes: %s", diag_first(&d));
	sig_db_free(&db);
	end = put_list(0, SIG_SHA256, 4, 48, 1);
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "SignatureHeaderSize 0x4, EDK2 accepts 0") &&
	      db.entry[0].offset == 0x1C + 4 + 16, "a signature header: skipped, reported: %s", diag_first(&d));
	sig_db_free(&db);
}

static void test_types_and_pk(void)
{
	struct sig_db db;
	struct diag d;
	size_t end = put_list(0, SIG_X509, 0, 16 + 40, 2);

	CHECK(parse(end, 1, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "2 signatures, at most 1"), "PK with two entries");
	sig_db_free(&db);
	CHECK(parse(end, 2, &db, &d) == LIB_OK, "the limit itself passes");
	sig_db_free(&db);
	buf[0] ^= 0xFF;
	CHECK(parse(end, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "is none EDK2 accepts") && db.nentries == 2 &&
	      db.entry[0].type == SIG_UNKNOWN, "an unknown type: reported, framing still walked: %s", diag_first(&d));
	sig_db_free(&db);
	/* a list header cut short after a good list */
	end = put_list(0, SIG_SHA1, 0, 36, 1);
	memset(buf + end, 0, 10);
	CHECK(parse(end + 10, 0, &db, &d) == LIB_REFUSED && DIAG_HAS(&d, "0xa bytes left, a list header needs 0x1c") &&
	      db.nlists == 1, "10 stray bytes after a list: %s", diag_first(&d));
	sig_db_free(&db);
	CHECK(sig_type_from_guid(sig_type_guid(SIG_X509_SHA512)) == SIG_X509_SHA512 && sig_type_data_size(SIG_X509_SHA256) == 48 &&
	      sig_type_is_hash(SIG_SHA384) && !sig_type_is_hash(SIG_X509), "the type table round-trips");
}

int main(void)
{
	T_RUN(test_lists_tile_the_data);
	T_RUN(test_list_size_limits);
	T_RUN(test_entry_sizes);
	T_RUN(test_types_and_pk);
	return T_END("siglist");
}
