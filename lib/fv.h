/* SPDX-License-Identifier: MIT */
/* EFI firmware volume header (PI spec vol. 3, EFI_FIRMWARE_VOLUME_HEADER). */
#ifndef FWSLOT_FV_H
#define FWSLOT_FV_H
/*
 * Source: EDK2 MdePkg/Include/Pi/PiFirmwareVolume.h.
 *   0x00 u8[16] ZeroVector
 *   0x10 GUID   FileSystemGuid
 *   0x20 u64    FvLength (whole volume, header included)
 *   0x28 u32    Signature "_FVH"
 *   0x2C u32    Attributes (EFI_FVB_ATTRIBUTES_2)
 *   0x30 u16    HeaderLength (including the block map)
 *   0x32 u16    Checksum (16-bit words over HeaderLength sum to 0)
 *   0x34 u16    ExtHeaderOffset (0 = none)
 *   0x36 u8     Reserved
 *   0x37 u8     Revision (2)
 *   0x38        BlockMap[] { u32 NumBlocks, u32 Length }, ended by { 0, 0 }
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define FV_ZERO_VECTOR    0x00
#define FV_FS_GUID        0x10
#define FV_LENGTH         0x20
#define FV_SIGNATURE      0x28
#define FV_SIG            0x4856465F /* "_FVH" little-endian */
#define FV_ATTRIBUTES     0x2C
#define FV_HEADER_LENGTH  0x30
#define FV_CHECKSUM       0x32
#define FV_EXT_HDR_OFF    0x34
#define FV_REVISION       0x37
#define FV_BLOCK_MAP      0x38
#define FV_BLOCK_ENTRY    8
#define FV_HEADER_MIN     (FV_BLOCK_MAP + 2 * FV_BLOCK_ENTRY) /* one entry + terminator */
#define FV_MAX_BLOCKMAP   8

/* What fv_parse found: each defect is a DIAG_ERROR naming the field. */
enum fv_result {
	FV_OK,        /* a valid header */
	FV_DEFECTIVE, /* checksum, revision or block map total wrong: every field is
		       * filled in and the header can still be followed */
	FV_UNUSABLE,  /* the signature, lengths or block map cannot be followed */
};

struct fv_header {
	uint64_t offset;          /* where the header starts in the buffer */
	uint8_t fs_guid[16];
	uint64_t fv_length;
	uint32_t attributes;
	uint16_t header_length;
	uint16_t checksum;        /* stored value */
	int checksum_ok;
	uint16_t ext_header_off;
	uint8_t revision;
	size_t nblocks;           /* block map entries before the terminator */
	struct { uint32_t num, length; } blocks[FV_MAX_BLOCKMAP];
	uint64_t blockmap_bytes;  /* sum of num * length */
};

/* 1 if "_FVH" sits at off + 0x28 inside len. */
int fv_is_at(const uint8_t *p, size_t len, uint64_t off);

/*
 * Parses the header at p[off..len). `what` names the volume in messages
 * ("varstore FV"). Every defect is a DIAG_ERROR naming the field.
 */
enum fv_result fv_parse(const uint8_t *p, size_t len, uint64_t off, struct fv_header *h,
	     const char *what, struct diag *d);

/* 16-bit word sum of n bytes (n even) at p; 0 means a valid FV checksum. */
uint16_t fv_sum16(const uint8_t *p, size_t n);

#endif
