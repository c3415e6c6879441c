/* SPDX-License-Identifier: MIT */
/* Varstore parser on a built 2M-layout store: variables, limits, FTW CRC, layout compare. */
#include <stdlib.h>

#include "bytes.h"
#include "diag.h"
#include "fv.h"
#include "guid.h"
#include "romgen.h"
#include "t.h"
#include "varstore.h"

#define VLEN 0x20000
static uint8_t buf[VLEN];

static void fix_fv_sum(void)
{
	wr_le16(buf + FV_CHECKSUM, 0);
	wr_le16(buf + FV_CHECKSUM, (uint16_t)(0x10000 - fv_sum16(buf, 0x48)));
}

/* An empty OVMF 2M varstore, as the template ships. */
static void make_store(void)
{
	gen_vars_empty(buf, VLEN);
}

static size_t add_var(size_t off, const char *name, uint8_t state, uint32_t dsize)
{
	return gen_var_add(buf, off, name, state, dsize);
}

static int parse(struct varstore *vs, struct diag *d)
{
	diag_init(d);
	return varstore_parse(buf, VLEN, vs, d);
}

/*
 * A guest owns its varstore: records all in deleted transition, with no live
 * copy, each count as live. (That a 16 MiB store of them parses in
 * near-linear time is measured by bench/varstore-transitions.sh, not here:
 * wall-clock bounds under ASan flake on a slow machine.)
 */
static void many_transitions(void)
{
	const size_t len = 1u << 20;
	uint8_t *b = malloc(len);
	struct varstore vs;
	struct diag d;
	size_t n;

	if (!b) {
		CHECK(0, "no memory for the store");
		return;
	}
	n = gen_vars_transitions(b, len);
	diag_init(&d);
	varstore_parse(b, len, &vs, &d); /* a store as large as the file: no FTW area, which is reported */
	CHECK(n > 10000 && vs.nvars == n && vs.nlive == n && vs.ndeleted == 0, "%zu records: nvars %zu live %zu deleted %zu",
	      n, vs.nvars, vs.nlive, vs.ndeleted);
	varstore_free(&vs);
	free(b);
}

/* A write header at q in the 2M store's FTW queue (0xF020..0x10000). */
static size_t ftw_write(size_t q, uint8_t flags, uint64_t nwrites, uint64_t priv, const uint8_t *rec_flags)
{
	return gen_ftw_write(buf, q, flags, nwrites, priv, rec_flags);
}

static void ftw_queue(void)
{
	/* flags: a bit cleared means set (FTW_VALID_STATE 0) */
	static const uint8_t done[2] = { 0xF8, 0xF8 }, half[2] = { 0xF8, 0xFC };
	struct varstore vs;
	struct diag d;
	size_t q;

	make_store();
	q = ftw_write(0xF020, 0xF8, 2, 0, done);      /* a finished write of two blocks */
	ftw_write(q, 0xFC, 2, 8, half);               /* one in progress: second record pending */
	CHECK(parse(&vs, &d) == 0 && vs.ftw_writes == 2 && vs.ftw_records == 4 && vs.ftw_pending == 1 &&
	      vs.ftw_last_in_progress, "two writes: %s (writes %zu records %zu pending %zu)", diag_first(&d),
	      vs.ftw_writes, vs.ftw_records, vs.ftw_pending);
	varstore_free(&vs);

	make_store();
	ftw_write(0xF020, 0xF8, UINT64_C(1) << 62, 0, NULL); /* NumberOfWrites * 0x28 would wrap */
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "FTW write 0 at 0xf020: NumberOfWrites 4611686018427387904 x (0x28 + PrivateDataSize 0x0) runs past the write queue end 0x10000"),
	      "huge NumberOfWrites: %s", diag_first(&d));
	varstore_free(&vs);

	make_store();
	ftw_write(0xF020, 0xF8, 1, UINT64_MAX - 0x10, NULL);
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "PrivateDataSize 0xffffffffffffffef) runs past"), "huge PrivateDataSize: %s",
	      diag_first(&d));
	varstore_free(&vs);

	make_store();
	ftw_write(0xF020, 0xF8, 100, 0, NULL); /* 0x28 + 100 * 0x28 = 0xFD0 of 0xFE0: fits */
	CHECK(parse(&vs, &d) == 0 && vs.ftw_records == 100, "a write filling the queue: %s", diag_first(&d));
	varstore_free(&vs);
	make_store();
	ftw_write(0xF020, 0xF8, 101, 0, NULL); /* one record more does not */
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "NumberOfWrites 101 x"), "one record past the queue: %s", diag_first(&d));
	varstore_free(&vs);

	/* completed empty writes all the way: the walk ends at the queue end */
	make_store();
	for (q = 0xF020; q + FTW_WRITE_HDR_SIZE <= 0x10000; q += FTW_WRITE_HDR_SIZE)
		ftw_write(q, 0xF8, 0, 0, NULL);
	CHECK(parse(&vs, &d) == 0 && vs.ftw_writes == 101 && !vs.ftw_last_in_progress, "101 empty writes: %zu, %s",
	      vs.ftw_writes, diag_first(&d));
	varstore_free(&vs);
}

/* UCS-2 names come out as UTF-8: é (U+00E9), 中 (U+4E2D), 😀 as a surrogate
 * pair, a lone surrogate as U+FFFD, a control character as '?' */
static void utf8_names(void)
{
	static const uint16_t name[] = { 'V', 0xE9, 0x4E2D, 0xD83D, 0xDE00, 0xD800, 'x', 0x01, 0 };
	const char want[] = "V\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xef\xbf\xbdx?";
	const uint32_t nsize = sizeof(name);
	struct varstore vs;
	struct diag d;

	make_store();
	add_var(0x64, "placeholder-name", VAR_ADDED, 4); /* 17 characters: room for 9 */
	wr_le32(buf + 0x64 + 0x24, nsize);
	for (size_t i = 0; i < sizeof(name) / 2; i++)
		wr_le16(buf + 0x64 + VAR_HDR_AUTH + 2 * i, name[i]);
	memset(buf + 0x64 + VAR_HDR_AUTH + nsize, 0xA5, 4 + (17 * 2 - nsize));
	wr_le32(buf + 0x64 + 0x28, 4 + (17 * 2 - nsize)); /* the same record length */
	CHECK(parse(&vs, &d) == 0 && vs.nvars == 1 && strcmp(vs.vars[0].name, want) == 0,
	      "name %s: %s", vs.nvars ? vs.vars[0].name : "-", diag_first(&d));
	varstore_free(&vs);
	/* a name longer than VAR_NAME_BYTES is cut at a character, never inside one */
	{
		size_t off = 0x64, n = 200; /* 200 x 中: 600 UTF-8 bytes */

		make_store();
		memset(buf + off, 0, VAR_HDR_AUTH);
		wr_le16(buf + off, VAR_START_ID);
		buf[off + 2] = VAR_ADDED;
		wr_le32(buf + off + 4, 7);
		wr_le32(buf + off + 0x24, (uint32_t)(n + 1) * 2);
		wr_le32(buf + off + 0x28, 0);
		for (size_t i = 0; i < n; i++)
			wr_le16(buf + off + VAR_HDR_AUTH + 2 * i, 0x4E2D);
		wr_le16(buf + off + VAR_HDR_AUTH + 2 * n, 0);
		CHECK(parse(&vs, &d) == 0 && vs.nvars == 1 && strlen(vs.vars[0].name) == 255 / 3 * 3,
		      "long name: %zu bytes: %s", vs.nvars ? strlen(vs.vars[0].name) : 0, diag_first(&d));
		varstore_free(&vs);
	}
	make_store();
}

/* the empty 2M template: store, event log, FTW working block, spare; the CRC OVMF writes */
static void test_empty_template(void)
{
	struct varstore vs;
	struct diag d;

	make_store();
	CHECK(parse(&vs, &d) == 0 && vs.nvars == 0 && vs.authenticated && vs.store_end == 0xE000 &&
	      vs.ftw_off == 0xF000 && vs.spare_off == 0x10000 && vs.spare_size == 0x10000 &&
	      vs.free_bytes == 0xE000 - 0x64, "empty store: %s", diag_first(&d));
	CHECK(vs.ftw_crc == 0x642CAF2C, "FTW CRC of OVMF's working block 0x%08x", vs.ftw_crc);
	varstore_free(&vs);
}

/* The FTW working block CRC: what EDK2 masks and what it does not. */
static void test_ftw_crc_masking(void)
{
	struct varstore vs;
	struct diag d;

	/* EDK2 masks only Crc and the WorkingBlockValid/Invalid bits: a reserved
	 * byte, or a reserved bit of the state byte, changes the header */
	{
		static const struct { size_t at; uint8_t xor; const char *what; } flips[] = {
			{ 0xF015, 0x01, "reserved byte 0x15" }, { 0xF017, 0x80, "reserved byte 0x17" },
			{ 0xF014, 0x04, "reserved bit 2 of the state byte" },
		};

		for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
			make_store();
			buf[flips[i].at] ^= flips[i].xor;
			CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "FTW working block CRC 0x642caf2c, expected"),
			      "%s: %s", flips[i].what, diag_first(&d));
			varstore_free(&vs);
		}
		/* the two state bits are left out of the CRC (their value is checked apart) */
		make_store();
		buf[0xF014] ^= FTW_STATE_BITS;
		CHECK(parse(&vs, &d) < 0 && !DIAG_HAS(&d, "CRC") && DIAG_HAS(&d, "state 0xfd"),
		      "state bits: %s", diag_first(&d));
		varstore_free(&vs);
		make_store();
	}
}

/* which copy of a variable OVMF reads */
static void test_which_copy_is_live(void)
{
	struct varstore vs;
	struct diag d;
	size_t off;

	make_store();
	off = add_var(0x64, "BootOrder", VAR_ADDED, 2);
	off = add_var(off, "Boot0000", VAR_DELETED, 50);
	off = add_var(off, "Boot0000", VAR_IN_DELETED_TRANSITION, 50);  /* no live copy: still live */
	off = add_var(off, "Lang", VAR_IN_DELETED_TRANSITION, 3);
	off = add_var(off, "Lang", VAR_ADDED, 3);                       /* replaced: counts as deleted */
	CHECK(parse(&vs, &d) == 0 && vs.nvars == 5 && vs.nlive == 3 && vs.ndeleted == 2,
	      "records %zu live %zu deleted %zu: %s", vs.nvars, vs.nlive, vs.ndeleted, diag_first(&d));
	CHECK(strcmp(vs.vars[0].name, "BootOrder") == 0 && vs.vars[0].data_size == 2, "name");
	varstore_free(&vs);
}

/* DataSize: the last byte of the store fits, one more runs past */
static void test_data_size(void)
{
	struct varstore vs;
	struct diag d;

	make_store();
	{
		uint32_t room = 0xE000 - 0x64 - VAR_HDR_AUTH - 4;

		add_var(0x64, "A", VAR_ADDED, room);
		CHECK(parse(&vs, &d) == 0 && vs.free_bytes == 0, "fills the store: %s", diag_first(&d));
		varstore_free(&vs);
		wr_le32(buf + 0x64 + 0x28, room + 1);
		CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "run past the store end 0xe000 by 0x1"), "%s", diag_first(&d));
		varstore_free(&vs);
		wr_le32(buf + 0x64 + 0x28, 0xFFFFFFFF);
		wr_le32(buf + 0x64 + 0x24, 0xFFFFFFFF);
		CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "NameSize 0xffffffff + DataSize 0xffffffff"), "%s", diag_first(&d));
		varstore_free(&vs);
	}
}

/* a header that does not fit before the store end */
static void test_header_past_the_store_end(void)
{
	struct varstore vs;
	struct diag d;

	make_store();
	wr_le16(buf + 0xE000 - 8, VAR_START_ID);
	memset(buf + 0x64, 0xFF, 4);
	{
		size_t o = 0xE000 - 8;
		/* walk reaches it only through a variable that ends there */
		add_var(0x64, "A", VAR_ADDED, (uint32_t)(o - 0x64 - VAR_HDR_AUTH - 4));
		wr_le16(buf + o, VAR_START_ID);
		CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "header (60 bytes) runs past the store end"), "%s", diag_first(&d));
		varstore_free(&vs);
	}
}

/* name not NUL-terminated, odd NameSize */
static void test_names(void)
{
	struct varstore vs;
	struct diag d;

	make_store();
	add_var(0x64, "AB", VAR_ADDED, 0);
	buf[0x64 + VAR_HDR_AUTH + 4] = 'C';
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "NUL-terminated UCS-2"), "%s", diag_first(&d));
	varstore_free(&vs);
	make_store();
	add_var(0x64, "AB", VAR_ADDED, 0);
	wr_le32(buf + 0x64 + 0x24, 5);
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "NameSize 0x5"), "%s", diag_first(&d));
	varstore_free(&vs);
}

/* OVMF's own tests: attributes, block size, FvLength, store state, FTW */
static void test_ovmf_rules(void)
{
	struct varstore vs;
	struct diag d;

	make_store();
	wr_le32(buf + FV_ATTRIBUTES, 0x4FEFE);
	fix_fv_sum();
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "Attributes 0x0004fefe, expected 0x0004feff"), "%s", diag_first(&d));
	varstore_free(&vs);
	make_store();
	wr_le32(buf + 0x48 + VS_SIZE_OFF, 0xCFB8);
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "FvLength 0x20000, but store 0xd000"), "%s", diag_first(&d));
	varstore_free(&vs);
	make_store();
	buf[0xF000 + FTW_STATE_OFF] = 0xFC;
	CHECK(parse(&vs, &d) < 0 && DIAG_HAS(&d, "FTW working block state 0xfc"), "%s", diag_first(&d));
	varstore_free(&vs);
	make_store();
	buf[0xF000 + 0x40] = 0x00; /* a stray byte: no write header is allocated */
	CHECK(parse(&vs, &d) == 0 && vs.ftw_queue_used == 0 && vs.ftw_writes == 0, "stray byte: %llu used",
	      (unsigned long long)vs.ftw_queue_used);
	varstore_free(&vs);
}

/* a header with its one record allocated: the queue's extent is both, not its non-0xFF bytes */
static void test_ftw_queue_extent(void)
{
	struct varstore vs;
	struct diag d;

	make_store();
	buf[0xF020] = 0xFC;                       /* HeaderAllocated, WritesAllocated */
	wr_le64(buf + 0xF020 + 0x18, 1);          /* NumberOfWrites */
	wr_le64(buf + 0xF020 + 0x20, 0);          /* PrivateDataSize */
	buf[0xF020 + FTW_WRITE_HDR_SIZE] = 0xFE;  /* the record: BootBlockUpdate, nothing complete */
	CHECK(parse(&vs, &d) == 0 && vs.ftw_queue_used == FTW_WRITE_HDR_SIZE + FTW_RECORD_SIZE &&
	      vs.ftw_records == 1 && vs.ftw_pending == 1 && vs.ftw_last_in_progress,
	      "one write: %llu used, %zu records, %zu pending", (unsigned long long)vs.ftw_queue_used,
	      vs.ftw_records, vs.ftw_pending);
	varstore_free(&vs);
}

/* a plain (not authenticated) store */
static void test_plain_store(void)
{
	struct varstore vs;
	struct diag d;

	make_store();
	memcpy(buf + 0x48, GUID_VARIABLE, 16);
	CHECK(parse(&vs, &d) == 0 && !vs.authenticated, "plain store: %s", diag_first(&d));
	varstore_free(&vs);
}

/* layout compare: equal, then a different store size */
static void test_layout_compare(void)
{
	struct varstore vs, t;
	struct diag d;

	make_store();
	parse(&t, &d);
	CHECK(parse(&vs, &d) == 0 && varstore_compare_layout(&vs, &t, &d) == 0, "same layout");
	vs.store_size = 0x3FFB8;
	diag_init(&d);
	CHECK(varstore_compare_layout(&vs, &t, &d) < 0 &&
	      DIAG_HAS(&d, "variable store Size 0x3ffb8, template has 0xdfb8"), "%s", diag_first(&d));
	varstore_free(&vs);
	varstore_free(&t);
}

int main(void)
{
	T_RUN(test_empty_template);
	T_RUN(test_ftw_crc_masking);
	T_RUN(test_which_copy_is_live);
	T_RUN(test_data_size);
	T_RUN(test_header_past_the_store_end);
	T_RUN(test_names);
	T_RUN(test_ovmf_rules);
	T_RUN(test_ftw_queue_extent);
	T_RUN(test_plain_store);
	T_RUN(test_layout_compare);
	T_RUN(ftw_queue);
	T_RUN(many_transitions);
	T_RUN(utf8_names);
	return T_END("varstore");
}
