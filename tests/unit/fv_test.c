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

/* One behaviour of fv_parse: the valid header changed by `mutate`, parsed with len bytes. */
struct fv_case {
	const char *name;
	void (*mutate)(void);
	size_t len;
	enum fv_result want;
	const char *msg; /* in a DIAG_ERROR; NULL: no message at all */
};

static void valid(void) { }
static void fvlength_len_plus_1(void) { wr_le64(buf + FV_LENGTH, 0x4001); fix_sum(); }
static void fvlength_below_header(void) { wr_le64(buf + FV_LENGTH, 0x47); fix_sum(); }
static void fvlength_max(void) { wr_le64(buf + FV_LENGTH, UINT64_MAX); fix_sum(); }
static void header_length_0x46(void) { wr_le16(buf + FV_HEADER_LENGTH, 0x46); fix_sum(); }
static void header_length_odd(void) { wr_le16(buf + FV_HEADER_LENGTH, 0x47); }
static void checksum_off_by_one(void) { buf[FV_CHECKSUM] ^= 1; }
static void signature_broken(void) { buf[FV_SIGNATURE] = 'X'; }
static void revision_1(void) { buf[FV_REVISION] = 1; fix_sum(); }
static void block_size_half(void) { wr_le32(buf + FV_BLOCK_MAP + 4, 0x800); fix_sum(); }
static void no_terminator(void)
{
	wr_le32(buf + FV_BLOCK_MAP + 8, 1); /* terminator gone: {1, 0x1000} */
	wr_le32(buf + FV_BLOCK_MAP + 12, 0x1000);
	fix_sum();
}
static void zero_num_blocks(void) { wr_le32(buf + FV_BLOCK_MAP, 0); fix_sum(); }

static const struct fv_case cases[] = {
	{ "valid OVMF VARS header", valid, 0x4000, FV_OK, NULL },
	/* FvLength: the file (ok), past it, below HeaderLength, UINT64_MAX */
	{ "FvLength past the end by one block", valid, 0x3000, FV_UNUSABLE, "FvLength 0x4000 runs past the end" },
	{ "FvLength len + 1", fvlength_len_plus_1, 0x4000, FV_UNUSABLE, "FvLength 0x4001 runs past" },
	{ "FvLength < HeaderLength", fvlength_below_header, 0x4000, FV_UNUSABLE, "smaller than HeaderLength" },
	{ "FvLength UINT64_MAX", fvlength_max, 0x4000, FV_UNUSABLE, "runs past" },
	/* HeaderLength: 0x46 too small, 0x47 odd, more than the file */
	{ "HeaderLength 0x46", header_length_0x46, 0x4000, FV_UNUSABLE, "HeaderLength 0x46" },
	{ "HeaderLength odd", header_length_odd, 0x4000, FV_UNUSABLE, "HeaderLength 0x47" },
	{ "header truncated at 0x47 bytes", valid, 0x47, FV_UNUSABLE, "header truncated" },
	{ "signature", signature_broken, 0x4000, FV_UNUSABLE, "signature 0x48564658" },
	{ "block map without terminator", no_terminator, 0x4000, FV_UNUSABLE, "without a {0,0} terminator" },
	{ "block map NumBlocks 0", zero_num_blocks, 0x4000, FV_UNUSABLE, "has a zero field" },
	/* defects that leave the header usable */
	{ "checksum", checksum_off_by_one, 0x4000, FV_DEFECTIVE, "header checksum" },
	{ "Revision 1", revision_1, 0x4000, FV_DEFECTIVE, "Revision 1" },
	{ "block map total != FvLength", block_size_half, 0x4000, FV_DEFECTIVE,
	  "block map covers 0x2000 bytes, FvLength is 0x4000" },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fv_case *c = &cases[i];
		struct fv_header h;
		struct diag d;
		enum fv_result r;

		make_fv(0x48, 0x4000);
		c->mutate();
		diag_init(&d);
		r = fv_parse(buf, c->len, 0, &h, "varstore FV", &d);
		CHECK(r == c->want, "%s: result %d, expected %d (%s)", c->name, (int)r, (int)c->want, diag_first(&d));
		if (c->msg)
			CHECK(DIAG_HAS(&d, c->msg), "%s: wanted '%s', got '%s'", c->name, c->msg, diag_first(&d));
		else
			CHECK(d.n == 0, "%s: %s", c->name, diag_first(&d));
	}
}

/* A defective header still has every field filled in (reports show them). */
static void test_fields_of_a_defective_header(void)
{
	struct fv_header h;
	struct diag d;

	make_fv(0x48, 0x4000);
	buf[FV_CHECKSUM] ^= 1;
	diag_init(&d);
	CHECK(fv_parse(buf, 0x4000, 0, &h, "fv", &d) == FV_DEFECTIVE, "checksum");
	CHECK(h.nblocks == 1 && h.blocks[0].num == 4 && h.blocks[0].length == 0x1000, "block map");
	CHECK(!h.checksum_ok && h.attributes == 0x0004FEFF && h.header_length == 0x48, "fields");
	CHECK(guid_eq(h.fs_guid, GUID_SYSTEM_NV_DATA_FV), "guid");
}

static void test_signature_lookup(void)
{
	/* "_FVH" at 0: an unguarded off + 0x28 that wraps to 0 would find it */
	uint8_t w[0x40] = { 0 };

	make_fv(0x48, 0x4000);
	CHECK(fv_is_at(buf, 0x4000, 0), "signature at 0");
	wr_le32(w, FV_SIG);
	CHECK(!fv_is_at(w, sizeof(w), UINT64_MAX - 0x27), "an offset whose + 0x28 wraps to 0 is refused");
	CHECK(!fv_is_at(buf, 0x4000, 0x4000 - 0x2b), "signature past the end");
}

/* Block map entries: FV_MAX_BLOCKMAP (8) accepted, 9 refused. */
static void test_block_map_limit(void)
{
	for (int n = 8; n <= 9; n++) {
		struct fv_header h;
		struct diag d;
		enum fv_result r;

		make_fv(0x38 + 10 * 8, (uint64_t)n * 0x1000);
		for (int i = 0; i < n; i++) {
			wr_le32(buf + FV_BLOCK_MAP + i * 8, 1);
			wr_le32(buf + FV_BLOCK_MAP + i * 8 + 4, 0x1000);
		}
		fix_sum();
		diag_init(&d);
		r = fv_parse(buf, sizeof(buf), 0, &h, "fv", &d);
		if (n == 8)
			CHECK(r == FV_OK && d.n == 0, "8 entries: %s", diag_first(&d));
		else
			CHECK(r == FV_UNUSABLE && DIAG_HAS(&d, "more than 8 block map entries"), "9 entries: %s",
			      diag_first(&d));
	}
}

int main(void)
{
	T_RUN(test_cases);
	T_RUN(test_fields_of_a_defective_header);
	T_RUN(test_signature_lookup);
	T_RUN(test_block_map_limit);
	return T_END("fv");
}
