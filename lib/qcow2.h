/* SPDX-License-Identifier: MIT */
/* qcow2 internal snapshots: where each one's saved VM state is, and its first bytes. */
#ifndef FWSLOT_QCOW2_H
#define FWSLOT_QCOW2_H
/*
 * Sources: QEMU docs/interop/qcow2.txt (7.2 l.670: the snapshot table entry),
 * block/qcow2.h qcow2_vm_state_offset (7.2 l.704), block/qcow2-snapshot.c.
 * All integers big-endian. Header:
 *   0 "QFI\xfb"  4 be32 version (2, 3)  20 be32 cluster_bits  24 be64 size
 *   32 be32 crypt_method  36 be32 l1_size  40 be64 l1_table_offset
 *   60 be32 nb_snapshots  64 be64 snapshots_offset
 *   72 be64 incompatible_features (v3; bit 3: compression type, bit 4:
 *   extended L2 entries)  100 be32 header_length  104 u8 compression_type
 *   (0 zlib, 1 zstd; only with bit 3)
 * Snapshot entry: 0 be64 l1_table_offset, 8 be32 l1_size, 12 be16 id_str
 *   length, 14 be16 name length, 32 be32 vm_state_size, 36 be32 extra_data
 *   size, extra: 40 be64 vm_state_size_large, 48 be64 disk_size; then id,
 *   name, padding to 8.
 * The VM state is stored like guest data at virtual offset l1_vm_state_index
 * << (cluster_bits + l2_bits), l1_vm_state_index = ceil(disk_size / (cluster
 * size * L2 entries)), read through the snapshot's own L1 table. A compressed
 * cluster's L2 entry (bit 62; qcow2.txt "Compressed Clusters Descriptor",
 * qcow2_parse_compressed_l2_entry): x = 62 - (cluster_bits - 8), bits 0..x-1
 * the host offset, the x..61 the number of 512-byte sectors it spans less
 * one; it holds raw deflate (zlib, 4 KiB window) or one zstd frame that must
 * decode to the whole cluster (block/qcow2-threads.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define QCOW2_MAGIC          0x514649fbU
#define QCOW2_SNAPSHOTS_MAX  1024
#define QCOW2_NAME_MAX       128
#define QCOW2_OFFSET_MASK    UINT64_C(0x00fffffffffffe00) /* L1/L2 entries: bits 9-55 */
#define QCOW2_COMPRESSED     (UINT64_C(1) << 62)
#define QCOW2_ZERO           UINT64_C(1)
#define QCOW2_EXTENDED_L2    (UINT64_C(1) << 4)
#define QCOW2_COMPRESSION_BIT (UINT64_C(1) << 3)

/* Reads n bytes at off of the image into buf; returns 0, or -1 when they are not all there. */
typedef int (*qcow2_read_fn)(void *ctx, uint64_t off, uint8_t *buf, size_t n);

struct qcow2_snapshot {
	char id[QCOW2_NAME_MAX], name[QCOW2_NAME_MAX];
	uint64_t l1_offset, vm_state_size, disk_size;
	uint32_t l1_size;
};

struct qcow2 {
	uint32_t version, cluster_bits;
	uint64_t size;
	int extended_l2;
	uint8_t compression; /* 0 zlib, 1 zstd */
	size_t nsnap;
	struct qcow2_snapshot snap[QCOW2_SNAPSHOTS_MAX];
};

/* Reads the header and the snapshot table. LIB_OK, or LIB_REFUSED naming what is wrong. */
enum lib_result qcow2_open(qcow2_read_fn rd, void *ctx, struct qcow2 *q, struct diag *d);

/*
 * Reads the first n bytes of snapshot sn's VM state into buf (unallocated and
 * zero clusters read as zeros, compressed ones decoded as QEMU does). LIB_OK;
 * LIB_REFUSED when a table points outside the image or a compressed cluster
 * does not decode to a whole cluster; LIB_NO_MEMORY (a cluster's buffer).
 */
enum lib_result qcow2_vmstate(qcow2_read_fn rd, void *ctx, const struct qcow2 *q, const struct qcow2_snapshot *sn,
			      uint8_t *buf, size_t n, struct diag *d);

#endif
