/* SPDX-License-Identifier: MIT */
/* Firmware volume header: a valid OVMF varstore header and each field broken at its limit. */
#include "bytes.h"
#include "diag.h"
#include "fv.h"
#include "guid.h"
#include "t.h"

static uint8_t buf[0x10000];

/* A header like OVMF's VARS: 4 blocks of 0x1000, HeaderLength 0x48. */
static void make_fv(uint16_t hlen, uint64_t fvlen)
{
	memset(buf, 0xFF, sizeof(buf));
	memset(buf, 0, hlen);
	memcpy(buf + FV_FS_GUID, GUID_SYSTEM_NV_DATA_FV, 16);
	wr_le64(buf + FV_LENGTH, fvlen);
	wr_le32(buf + FV_SIGNATURE, FV_SIG);
	wr_le32(buf + FV_ATTRIBUTES, 0x0004FEFF);
	wr_le16(buf + FV_HEADER_LENGTH, hlen);
	buf[FV_REVISION] = 2;
	wr_le32(buf + FV_BLOCK_MAP, (uint32_t)(fvlen / 0x1000));
	wr_le32(buf + FV_BLOCK_MAP + 4, 0x1000);
	wr_le16(buf + FV_CHECKSUM, 0);
	wr_le16(buf + FV_CHECKSUM, (uint16_t)(0x10000 - fv_sum16(buf, hlen)));
}

static void fix_sum(void)
{
	uint16_t hlen;

	rd_le16(buf, sizeof(buf), FV_HEADER_LENGTH, &hlen);
	wr_le16(buf + FV_CHECKSUM, 0);
	wr_le16(buf + FV_CHECKSUM, (uint16_t)(0x10000 - fv_sum16(buf, hlen)));
}

static void expect(const char *name, size_t len, const char *field)
{
	struct fv_header h;
	struct diag d;
	int rc;

	diag_init(&d);
	rc = fv_parse(buf, len, 0, &h, "varstore FV", &d);
	if (!field)
		CHECK(rc == 0 && d.n == 0, "%s: %s", name, diag_first(&d));
	else
		CHECK(rc < 0 && DIAG_HAS(&d, field), "%s: wanted '%s', got '%s'", name, field, diag_first(&d));
}

int main(void)
{
	struct fv_header h;
	struct diag d;

	make_fv(0x48, 0x4000);
	expect("valid", 0x4000, NULL);
	CHECK(fv_is_at(buf, 0x4000, 0), "signature at 0");
	{
		/* "_FVH" at 0: an unguarded off + 0x28 that wraps to 0 would find it */
		uint8_t w[0x40] = { 0 };

		wr_le32(w, FV_SIG);
		CHECK(!fv_is_at(w, sizeof(w), UINT64_MAX - 0x27), "an offset whose + 0x28 wraps to 0 is refused");
	}
	CHECK(!fv_is_at(buf, 0x4000, 0x4000 - 0x2b), "signature past the end");
	diag_init(&d);
	fv_parse(buf, 0x4000, 0, &h, "fv", &d);
	CHECK(h.nblocks == 1 && h.blocks[0].num == 4 && h.blocks[0].length == 0x1000, "block map");
	CHECK(h.checksum_ok && h.attributes == 0x0004FEFF && h.header_length == 0x48, "fields");
	CHECK(guid_eq(h.fs_guid, GUID_SYSTEM_NV_DATA_FV), "guid");

	/* FvLength: len (ok), len + 1 (runs past), below HeaderLength */
	expect("FvLength past the end by one block", 0x3000, "FvLength 0x4000 runs past the end");
	make_fv(0x48, 0x4000);
	wr_le64(buf + FV_LENGTH, 0x4001);
	fix_sum();
	expect("FvLength len+1", 0x4000, "FvLength 0x4001 runs past");
	wr_le64(buf + FV_LENGTH, 0x47);
	fix_sum();
	expect("FvLength < HeaderLength", 0x4000, "smaller than HeaderLength");
	wr_le64(buf + FV_LENGTH, UINT64_MAX);
	fix_sum();
	expect("FvLength UINT64_MAX", 0x4000, "runs past");

	/* HeaderLength: 0x47 odd, 0x46 too small, 0x48 ok, beyond the file */
	make_fv(0x48, 0x4000);
	wr_le16(buf + FV_HEADER_LENGTH, 0x46);
	fix_sum();
	expect("HeaderLength 0x46", 0x4000, "HeaderLength 0x46");
	wr_le16(buf + FV_HEADER_LENGTH, 0x47);
	expect("HeaderLength odd", 0x4000, "HeaderLength 0x47");
	make_fv(0x48, 0x4000);
	expect("truncated header (0x47 bytes)", 0x47, "header truncated");

	/* checksum, signature, revision, block map */
	make_fv(0x48, 0x4000);
	buf[FV_CHECKSUM] ^= 1;
	expect("checksum", 0x4000, "header checksum");
	make_fv(0x48, 0x4000);
	buf[FV_SIGNATURE] = 'X';
	expect("signature", 0x4000, "signature 0x48564658");
	make_fv(0x48, 0x4000);
	buf[FV_REVISION] = 1;
	fix_sum();
	expect("revision 1", 0x4000, "Revision 1");
	make_fv(0x48, 0x4000);
	wr_le32(buf + FV_BLOCK_MAP + 4, 0x800);
	fix_sum();
	expect("block size 0x800", 0x4000, "block map covers 0x2000 bytes, FvLength is 0x4000");
	make_fv(0x48, 0x4000);
	wr_le32(buf + FV_BLOCK_MAP + 8, 1); /* terminator gone: {1, 0x1000} */
	wr_le32(buf + FV_BLOCK_MAP + 12, 0x1000);
	fix_sum();
	expect("no terminator", 0x4000, "without a {0,0} terminator");
	make_fv(0x48, 0x4000);
	wr_le32(buf + FV_BLOCK_MAP, 0);
	fix_sum();
	expect("zero NumBlocks", 0x4000, "has a zero field");
	/* block map entries: FV_MAX_BLOCKMAP (8) accepted, 9 refused */
	for (int n = 8; n <= 9; n++) {
		make_fv(0x38 + 10 * 8, (uint64_t)n * 0x1000);
		for (int i = 0; i < n; i++) {
			wr_le32(buf + FV_BLOCK_MAP + i * 8, 1);
			wr_le32(buf + FV_BLOCK_MAP + i * 8 + 4, 0x1000);
		}
		fix_sum();
		expect(n == 8 ? "8 block map entries" : "9 block map entries", sizeof(buf),
		       n == 8 ? NULL : "more than 8 block map entries");
	}
	return T_END("fv");
}
