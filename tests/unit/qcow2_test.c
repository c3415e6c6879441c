/* SPDX-License-Identifier: MIT */
/* qcow2 internal snapshots' VM state (lib/qcow2.c), on images built byte by byte. */
#include <string.h>
#include <zstd.h>

#include "bytes.h"
#include "diag.h"
#include "qcow2.h"
#include "romgen.h"
#include "t.h"

/*
 * 512-byte clusters (64 L2 entries: one L1 entry spans 32 KiB), a 32 KiB
 * disk, so the VM state starts at virtual 0x8000 (L1 index 1):
 *   0x000 header  0x200 snapshot table  0x400 L1 (2 entries)  0x600 L2
 *   0x800 the state's first cluster ("QEVM..."), its second unallocated
 *   0xa00.. room for a compressed cluster
 */
#define IMG 0xc00
static uint8_t img[IMG];

static void be32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (24 - 8 * i)); }
static void be64(uint8_t *p, uint64_t v) { be32(p, (uint32_t)(v >> 32)); be32(p + 4, (uint32_t)v); }
static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void build(void)
{
	memset(img, 0, sizeof(img));
	be32(img, QCOW2_MAGIC);
	be32(img + 4, 3);
	be32(img + 20, 9);          /* cluster_bits */
	be64(img + 24, 0x8000);     /* size */
	be32(img + 60, 1);          /* nb_snapshots */
	be64(img + 64, 0x200);      /* snapshots_offset */
	/* the snapshot: L1 at 0x400, 2 entries, id "1", name "snap", 0x400 bytes of state, extra 16 */
	be64(img + 0x200, 0x400);
	be32(img + 0x208, 2);
	be16(img + 0x20c, 1);
	be16(img + 0x20e, 4);
	be32(img + 0x220, 0x400);
	be32(img + 0x224, 16);
	be64(img + 0x228, 0x400);   /* vm_state_size_large */
	be64(img + 0x230, 0x8000);  /* disk_size */
	memcpy(img + 0x238, "1snap", 5);
	be64(img + 0x408, 0x600);   /* L1[1] -> the L2 table */
	be64(img + 0x600, 0x800);   /* L2[0] -> the state's first cluster */
	memcpy(img + 0x800, "QEVM\0\0\0\3", 8);
}

static struct gen_mem file = { img, IMG }; /* file.n: where the image file ends */

static struct qcow2 q;

static void test_snapshot_and_state(void)
{
	struct diag d;
	uint8_t buf[0x400];

	build();
	diag_init(&d);
	CHECK(qcow2_open(gen_mem_read, &file, &q, &d) == LIB_OK && q.nsnap == 1 && q.cluster_bits == 9, "%s", diag_first(&d));
	CHECK(!strcmp(q.snap[0].id, "1") && !strcmp(q.snap[0].name, "snap") && q.snap[0].vm_state_size == 0x400 &&
	      q.snap[0].disk_size == 0x8000, "id '%s' name '%s'", q.snap[0].id, q.snap[0].name);
	memset(buf, 0xAA, sizeof(buf));
	CHECK(qcow2_vmstate(gen_mem_read, &file, &q, &q.snap[0], buf, sizeof(buf), &d) == LIB_OK, "%s", diag_first(&d));
	CHECK(!memcmp(buf, "QEVM\0\0\0\3", 8), "the state's first bytes through the snapshot's L1 and L2");
	CHECK(buf[0x200] == 0 && buf[0x3ff] == 0, "an unallocated cluster reads as zeros");
}

static const struct { const char *name; size_t off; uint64_t v; int width; int at_open; const char *says; } bad[] = {
	{ "magic", 0, 0x51464900, 4, 1, "not a qcow2 image" },
	{ "version 4", 4, 4, 4, 1, "qcow2 version 4" },
	{ "cluster_bits 30", 20, 30, 4, 1, "cluster_bits 30" },
	{ "encrypted", 32, 1, 4, 1, "encrypted" },
	{ "2000 snapshots", 60, 2000, 4, 1, "2000 snapshots" },
	{ "the table past the end", 64, 0x10000, 8, 1, "is not in the image" },
	{ "extra data of 64 KiB", 0x224, 0x10000, 4, 1, "extra data of 65536 bytes" },
	{ "L1 too short for the state", 0x208, 1, 4, 0, "past its L1 table" },
	{ "L1 past the end", 0x200, 0x100000, 8, 0, "L1 table at 0x100000" },
	{ "L2 past the end", 0x408, 0x100000, 8, 0, "L2 table at 0x100000" },
	{ "a compressed cluster that is not deflate", 0x600, UINT64_C(1) << 62 | 0x800, 8, 0,
	  "the compressed cluster at 0x800 (zlib, 0x200 bytes) of its VM state does not decode to the cluster's 0x200 bytes" },
	{ "a data cluster past the end", 0x600, 0x100000, 8, 0, "cluster at 0x100000" },
};

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct diag d;
		uint8_t buf[0x400];
		enum lib_result r;

		build();
		if (bad[i].width == 4)
			be32(img + bad[i].off, (uint32_t)bad[i].v);
		else
			be64(img + bad[i].off, bad[i].v);
		diag_init(&d);
		r = qcow2_open(gen_mem_read, &file, &q, &d);
		if (!bad[i].at_open && r == LIB_OK)
			r = qcow2_vmstate(gen_mem_read, &file, &q, &q.snap[0], buf, sizeof(buf), &d);
		CHECK(r == LIB_REFUSED && DIAG_HAS(&d, bad[i].says), "%s: '%s'", bad[i].name, diag_first(&d));
	}
}

/* The state's first cluster as QEMU's compressed writes leave it: at coff, 'sectors' 512-byte sectors spanned. */
static void compress_first_cluster(int zstd, size_t n, uint64_t coff)
{
	uint8_t clear[512] = "QEVM\0\0\0\3", packed[600];
	size_t len;

	for (size_t i = 8; i < sizeof(clear); i++)
		clear[i] = (uint8_t)(i % 7);
	if (zstd) {
		len = ZSTD_compress(packed, sizeof(packed), clear, n, 3);
	} else {
		len = gen_deflate(-12, clear, n, packed, sizeof(packed));
	}
	memcpy(img + coff, packed, len);
	/* cluster_bits 9: x = 61, one bit of "sectors spanned less one" */
	be64(img + 0x600, UINT64_C(1) << 62 | (uint64_t)(((coff + len - 1) >> 9) - (coff >> 9)) << 61 | coff);
	file.n = coff + len; /* the file ends with the data, inside its last sector */
}

static void test_compressed_clusters(void)
{
	for (int zstd = 0; zstd <= 1; zstd++) {
		struct diag d;
		uint8_t buf[0x400];

		build();
		if (zstd) { /* incompatible bit 3, header_length 112, compression_type 1 */
			be64(img + 72, 8);
			be32(img + 100, 112);
			img[104] = 1;
		}
		compress_first_cluster(zstd, 512, 0xa03);
		diag_init(&d);
		memset(buf, 0xAA, sizeof(buf));
		CHECK(qcow2_open(gen_mem_read, &file, &q, &d) == LIB_OK && q.compression == zstd &&
		      qcow2_vmstate(gen_mem_read, &file, &q, &q.snap[0], buf, sizeof(buf), &d) == LIB_OK && !memcmp(buf, "QEVM\0\0\0\3", 8) &&
		      buf[0x1ff] == 0x1ff % 7 && buf[0x200] == 0, "%s, unaligned, the file ending inside its sector: %s",
		      zstd ? "zstd" : "zlib", diag_first(&d));
		/* a cluster that decodes short is refused, as QEMU refuses it (-EIO) */
		compress_first_cluster(zstd, 256, 0xa03);
		diag_init(&d);
		CHECK(qcow2_open(gen_mem_read, &file, &q, &d) == LIB_OK &&
		      qcow2_vmstate(gen_mem_read, &file, &q, &q.snap[0], buf, sizeof(buf), &d) == LIB_REFUSED &&
		      DIAG_HAS(&d, "does not decode to the cluster's 0x200 bytes"), "%s, 256 bytes: %s", zstd ? "zstd" : "zlib",
		      diag_first(&d));
		file.n = IMG;
	}
	{ /* a compression type QEMU does not know */
		struct diag d;

		build();
		be64(img + 72, 8);
		be32(img + 100, 112);
		img[104] = 2;
		diag_init(&d);
		CHECK(qcow2_open(gen_mem_read, &file, &q, &d) == LIB_REFUSED && DIAG_HAS(&d, "qcow2 compression type 2 (0 zlib, 1 zstd)"),
		      "type 2: %s", diag_first(&d));
		be32(img + 100, 104);
		img[104] = 1;
		diag_init(&d);
		CHECK(qcow2_open(gen_mem_read, &file, &q, &d) == LIB_REFUSED && DIAG_HAS(&d, "header_length 104"), "no room for the type: %s",
		      diag_first(&d));
	}
}

int main(void)
{
	T_RUN(test_snapshot_and_state);
	T_RUN(test_refusals);
	T_RUN(test_compressed_clusters);
	return T_END("qcow2");
}
