/* SPDX-License-Identifier: MIT */
/*
 * OVMF CODE: the firmware volumes from offset 0, the reset-vector GUID table
 * read backwards from end - 0x30, and the TDX metadata it points at, built
 * byte by byte (tests/gen/romgen.c) as EDK2's ResetVectorVtf0.asm and
 * IntelTdxMetadata.asm lay them out; then each length and offset broken at
 * its limit.
 */
#include "bytes.h"
#include "diag.h"
#include "fv.h"
#include "guid.h"
#include "ovmfcode.h"
#include "romgen.h"
#include "t.h"

#define IMG GEN_CODE_SIZE
#define TDVF_OFF GEN_CODE_TDVF_OFF
static uint8_t img[IMG];

static void good(void)
{
	gen_code_good(img);
}

static void put_table(uint16_t table_len_delta, uint32_t tdx_from_end, uint32_t nsec, uint32_t tdvf_len)
{
	gen_code_table(img, table_len_delta, tdx_from_end, nsec, tdvf_len);
}

static int parse(size_t len, struct ovmf_code *c, struct diag *d)
{
	diag_init(d);
	return ovmf_code_parse(img, len, c, d);
}

static void expect_err(const char *name, const char *needle)
{
	static struct ovmf_code c;
	struct diag d;
	int rc = parse(IMG, &c, &d);

	CHECK(rc < 0 && DIAG_HAS(&d, needle), "%s: wanted '%s', got rc %d '%s'", name, needle, rc, diag_first(&d));
}

/* a well-formed CODE: two volumes, a two-entry table, TDX with a CFV */
static void test_good_code(void)
{
	static struct ovmf_code c;
	struct diag d;

	good();
	CHECK(parse(IMG, &c, &d) == 0 && d.n == 0, "good image: %s", diag_first(&d));
	CHECK(c.nfv == 2 && c.fv[1].fv_length == 0x1000, "two volumes back to back (got %zu)", c.nfv);
	CHECK(c.has_table && c.table_len == 16 + 2 + 22 + 22, "table length 0x%x", c.table_len);
	CHECK(c.nentries == 2, "two entries, got %zu", c.nentries);
	CHECK(c.entry[0].len == 22 && c.entry[0].offset == IMG - 0x32 - 22, "entry 0 at 0x%llx",
	      (unsigned long long)c.entry[0].offset);
	CHECK(guid_eq(c.entry[1].guid, GUID_TDX_METADATA_OFF), "entry 1 is the TDX offset");
	CHECK(c.has_tdx && c.tdx_off == TDVF_OFF && c.tdx_version == 1, "TDVF at 0x%llx", (unsigned long long)c.tdx_off);
	CHECK(c.nsections == 2 && c.sec[0].type == TDX_TYPE_BFV && c.sec[0].raw_offset == 0x2000, "BFV section");
	CHECK(c.has_cfv && c.cfv.raw_size == 0x20000 && c.cfv.mem_base == 0xffe00000, "the CFV is the varstore");
	CHECK(!strcmp(tdx_type_name(TDX_TYPE_CFV), "CFV") && !strcmp(tdx_type_name(99), "other"), "type names");
}

/* no footer GUID: no table, and that is not an error (IA32X64 builds) */
static void test_no_footer(void)
{
	static struct ovmf_code c;
	struct diag d;

	good();
	img[IMG - 0x30] ^= 1;
	CHECK(parse(IMG, &c, &d) == 0 && !c.has_table && !c.has_tdx, "no footer: %s", diag_first(&d));
	/* an image too short to hold a footer is still parsed for its volume */
	good();
	CHECK(parse(0x1000, &c, &d) == 0 && c.nfv == 1 && !c.has_table, "0x1000 bytes: %s", diag_first(&d));
}

/* the table length: below one entry, and past the start of the image */
static void test_table_length(void)
{
	good();
	wr_le16(img + IMG - 0x32, 17);
	expect_err("table length 17", "GUID table: length 0x11 does not fit");
	good();
	wr_le16(img + IMG - 0x32, 0xFFFF);
	expect_err("table length 0xffff", "GUID table: length 0xffff does not fit");
}

/* an entry length that runs past the table, or is below a GUID + length */
static void test_entry_length(void)
{
	good();
	wr_le16(img + IMG - 0x32 - 18, 23 + 22);
	expect_err("entry longer than the table", "has length 0x2d (must be 18..0x2c)");
	good();
	wr_le16(img + IMG - 0x32 - 18, 17);
	expect_err("entry shorter than 18", "has length 0x11");
}

/* Stray bytes at the end of the GUID table. */
static void test_stray_bytes_in_the_table(void)
{
	static struct ovmf_code c;
	struct diag d;

	/* a table claiming more room than its entries use: fewer than 18 left
	 * over bytes end the walk as in QEMU's pc_system_parse_ovmf_flash; 18
	 * or more are read as one more entry (here 0xFFFF long: refused) */
	good();
	put_table(4, IMG - TDVF_OFF, 2, 16 + 2 * 32);
	CHECK(parse(IMG, &c, &d) == 0 && c.nentries == 2, "4 stray bytes: %s", diag_first(&d));
	good();
	put_table(20, IMG - TDVF_OFF, 2, 16 + 2 * 32);
	expect_err("20 stray bytes in the table", "has length 0xffff");
}

/* the TDX offset: outside the image, too small, pointing to no GUID */
static void test_tdx_offset(void)
{
	good();
	put_table(0, IMG + 1, 2, 16 + 2 * 32);
	expect_err("TDX offset past the start", "outside the image");
	good();
	put_table(0, 8, 2, 16 + 2 * 32);
	expect_err("TDX offset 8", "outside the image");
	good();
	put_table(0, IMG, 2, 16 + 2 * 32); /* descriptor at 0: no room for the GUID before it */
	expect_err("TDX descriptor at offset 0", "outside the image");
	good();
	put_table(0, IMG - 8, 2, 16 + 2 * 32);
	expect_err("TDX descriptor at 8", "outside the image");
	good();
	img[TDVF_OFF - 1] ^= 1;
	expect_err("TDX GUID damaged", "no TDX metadata GUID before it");
	good();
	img[TDVF_OFF] = 'X';
	expect_err("no TDVF", "signature 0x46564458, expected 0x46564454 (\"TDVF\")");
}

/* section count against the descriptor length and the image */
static void test_tdx_section_count(void)
{
	good();
	put_table(0, IMG - TDVF_OFF, 3, 16 + 2 * 32);
	expect_err("3 sections in a 2-section length", "3 sections take 0x70 bytes with the header, more than its length 0x50");
	good();
	put_table(0, IMG - TDVF_OFF, 2, 0x2000);
	expect_err("descriptor past the end", "its length 0x2000 runs past the image end 0x4000");
	good();
	put_table(0, IMG - TDVF_OFF, TDX_MAX_SECTIONS + 1, 0xFFFFFFFF);
	expect_err("too many sections", "33 sections, at most 32");
	good();
	put_table(0, IMG - TDVF_OFF, 0x08000000, 16);
	expect_err("section count that would wrap", "134217728 sections, at most 32");
}

/* the CODE must start with a volume */
static void test_code_starts_with_a_volume(void)
{
	good();
	memset(img, 0xFF, 0x48);
	expect_err("no volume at 0", "CODE: no firmware volume at 0x0");
}

/* the known layouts (OvmfPkgDefines.fdf.inc) */
static void test_known_layouts(void)
{
	const char *layout;

	CHECK(ovmf_vars_size_for_code(0x1E0000, &layout) == 0x20000 && !strcmp(layout, "2M"), "2M");
	CHECK(ovmf_vars_size_for_code(0x37C000, &layout) == 0x84000 && !strcmp(layout, "4M"), "4M");
	CHECK(ovmf_vars_size_for_code(0x37C001, &layout) == 0 && layout == NULL, "unknown size");
}

int main(void)
{
	T_RUN(test_good_code);
	T_RUN(test_no_footer);
	T_RUN(test_table_length);
	T_RUN(test_entry_length);
	T_RUN(test_stray_bytes_in_the_table);
	T_RUN(test_tdx_offset);
	T_RUN(test_tdx_section_count);
	T_RUN(test_code_starts_with_a_volume);
	T_RUN(test_known_layouts);
	return T_END("ovmfcode");
}
