/* SPDX-License-Identifier: MIT */
/* OVMF varstore (OVMF_VARS.fd): FV header, variable store, variables, event log, FTW. */
#ifndef FWSLOT_VARSTORE_H
#define FWSLOT_VARSTORE_H
/*
 * Sources: EDK2 MdeModulePkg/Include/Guid/VariableFormat.h (VARIABLE_STORE_HEADER,
 * VARIABLE_HEADER, AUTHENTICATED_VARIABLE_HEADER), Guid/SystemNvDataGuid.h
 * (EFI_FAULT_TOLERANT_WORKING_BLOCK_HEADER), OvmfPkg/Include/Fdf/VarStore.fdf.inc.
 *
 * Layout of the FV (offsets from its start):
 *   0                 EFI_FIRMWARE_VOLUME_HEADER (fv.h), HeaderLength 0x48
 *   HeaderLength      VARIABLE_STORE_HEADER, 28 bytes:
 *                       0x00 GUID (authenticated or plain format)
 *                       0x10 u32 Size (from this header to the store's end)
 *                       0x14 u8 Format 0x5A (formatted)  0x15 u8 State 0xFE (healthy)
 *   + 28, 4-aligned   variables; 0xFF is free space
 *   store end         event log, 0x1000 (OVMF: PcdOvmfFlashNvStorageEventLogSize)
 *   + 0x1000          FTW working block, 0x1000, header:
 *                       0x00 GUID EdkiiWorkingBlockSignature  0x10 u32 Crc
 *                       0x14 u8 WorkingBlockValid:1, WorkingBlockInvalid:1 (0xFE valid)
 *                       0x15 3 reserved  0x18 u64 WriteQueueSize
 *   + 0x1000          FTW spare area, as large as store + event log + working block
 * Variable header (authenticated, 60 bytes / plain, 32 bytes):
 *   0x00 u16 StartId 0x55AA  0x02 u8 State  0x03 reserved  0x04 u32 Attributes
 *   auth: 0x08 u64 MonotonicCount 0x10 EFI_TIME 0x20 u32 PubKeyIndex
 *         0x24 u32 NameSize 0x28 u32 DataSize 0x2C GUID VendorGuid
 *   plain: 0x08 u32 NameSize 0x0C u32 DataSize 0x10 GUID VendorGuid
 *   then the UCS-2 name (NameSize bytes, NUL included), then the data.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "fv.h"

#define VS_HDR_SIZE          28
#define VS_SIZE_OFF          0x10
#define VS_FORMAT_OFF        0x14
#define VS_STATE_OFF         0x15
#define VS_FORMATTED         0x5A
#define VS_HEALTHY           0xFE
#define VAR_START_ID         0x55AA
/* variable header fields (VariableFormat.h VARIABLE_HEADER, AUTHENTICATED_VARIABLE_HEADER) */
#define VAR_STATE_OFF        0x02 /* u8 State */
#define VAR_ATTR_OFF         0x04 /* u32 Attributes */
#define VAR_AUTH_MONO_OFF    0x08 /* u64 MonotonicCount */
#define VAR_AUTH_TIME_OFF    0x10 /* EFI_TIME: u16 Year, u8 Month, Day, Hour, Minute, Second, Pad1,
				   * u32 Nanosecond, i16 TimeZone, u8 Daylight, Pad2 (UEFI 8.3) */
#define VAR_AUTH_PUBKEY_OFF  0x20 /* u32 PubKeyIndex */
#define VAR_AUTH_NSIZE_OFF   0x24 /* u32 NameSize */
#define VAR_AUTH_DSIZE_OFF   0x28 /* u32 DataSize */
#define VAR_AUTH_GUID_OFF    0x2C /* VendorGuid */
#define VAR_PLAIN_NSIZE_OFF  0x08
#define VAR_PLAIN_DSIZE_OFF  0x0C
#define VAR_PLAIN_GUID_OFF   0x10
#define VAR_HDR_AUTH         60
#define VAR_HDR_PLAIN        32
#define VAR_ADDED            0x3F
#define VAR_HEADER_ONLY      0x7F
#define VAR_DELETED          0x3D
#define VAR_IN_DELETED_TRANSITION 0x3E
#define VAR_NAME_BYTES       256 /* UTF-8 bytes kept for reporting, NUL included */

#define OVMF_BLOCK_SIZE      0x1000
#define OVMF_EVENT_LOG_SIZE  0x1000
#define OVMF_FTW_WORK_SIZE   0x1000
#define OVMF_FV_ATTRIBUTES   0x0004FEFF

#define FTW_HDR_SIZE         32
#define FTW_CRC_OFF          0x10
#define FTW_STATE_OFF        0x14
#define FTW_QUEUE_SIZE_OFF   0x18
#define FTW_VALID_STATE      0xFE
#define FTW_STATE_BITS       0x03 /* WorkingBlockValid (bit 0), WorkingBlockInvalid (bit 1) */
/* write queue (MdeModulePkg/Include/Guid/SystemNvDataGuid.h): a 0x28-byte header
 * { flags: HeaderAllocated, WritesAllocated, Complete (bit clear = set),
 *   CallerId @4, NumberOfWrites @0x18, PrivateDataSize @0x20 }, then
 * NumberOfWrites records of 0x28 bytes + PrivateDataSize
 * { flags: BootBlockUpdate, SpareComplete, DestinationComplete; Lba @8,
 *   Offset @0x10, Length @0x18, RelativeOffset @0x20 } */
/* flag bits of a write header and a write record; a bit is set when it reads 0
 * (FaultTolerantWrite.h, FTW_VALID_STATE 0) */
#define FTW_HDR_ALLOCATED    0x1  /* HeaderAllocated */
#define FTW_HDR_WRITES_ALLOC 0x2  /* WritesAllocated */
#define FTW_HDR_COMPLETE     0x4  /* Complete */
#define FTW_REC_BOOT_BLOCK   0x1  /* BootBlockUpdate */
#define FTW_REC_SPARE_DONE   0x2  /* SpareComplete */
#define FTW_REC_DEST_DONE    0x4  /* DestinationComplete */
#define FTW_WRITE_HDR_SIZE   0x28
#define FTW_NWRITES_OFF      0x18 /* u64 NumberOfWrites, in a write header */
#define FTW_PRIVSIZE_OFF     0x20 /* u64 PrivateDataSize */
#define FTW_RECORD_SIZE      0x28

enum var_state_kind { VSTATE_LIVE, VSTATE_DELETED, VSTATE_HEADER_ONLY, VSTATE_TRANSITION, VSTATE_OTHER };

struct variable {
	uint64_t offset;     /* of the header, from the start of the file */
	uint8_t state;
	enum var_state_kind kind;
	int live;            /* what OVMF reads: added, or in transition with no added twin */
	uint32_t attributes;
	uint32_t name_size, data_size;
	uint64_t data_offset; /* of the data, from the start of the file (header + name) */
	uint8_t guid[16];
	/* authenticated stores: the header's MonotonicCount, TimeStamp and PubKeyIndex */
	uint64_t monotonic;
	struct efi_time {
		uint16_t year;
		uint8_t month, day, hour, minute, second;
		uint32_t nanosecond;
		int16_t timezone;
		uint8_t daylight;
	} time;
	uint32_t pubkey_index;
	char name[VAR_NAME_BYTES]; /* UTF-8 of the UCS-2 name; controls as '?', lone surrogates U+FFFD */
};

struct varstore {
	struct fv_header fv;
	int authenticated;
	uint8_t store_guid[16];
	uint32_t store_size;        /* VARIABLE_STORE_HEADER.Size */
	uint8_t format, state;
	uint64_t store_end;         /* FV HeaderLength + Size: the variable region */
	size_t nvars, nlive, ndeleted;
	struct variable *vars;      /* malloc'd, nvars entries; free with varstore_free */
	uint64_t vars_end;          /* where the last variable ends */
	uint64_t free_bytes;        /* 0xFF bytes from vars_end to store_end */
	/* the areas after the store */
	uint64_t event_log_off, ftw_off, spare_off, spare_size;
	int event_log_erased;
	int ftw_present;            /* working block signature found */
	uint32_t ftw_crc, ftw_crc_expected;
	uint8_t ftw_state;
	uint64_t ftw_queue_size;
	uint64_t ftw_queue_used;    /* the write queue's extent: headers walked and their records */
	/* the write queue decoded (EFI_FAULT_TOLERANT_WRITE_HEADER / _RECORD) */
	size_t ftw_writes;          /* write headers */
	size_t ftw_records;         /* records under them */
	size_t ftw_pending;         /* records whose destination write is not complete */
	int ftw_last_in_progress;   /* the last header is allocated but not Complete */
	int spare_erased;
};

/*
 * Parses an OVMF varstore at p[0..len) (len is the VARS size; a unified
 * image's caller passes FvLength). Applies OVMF's own tests: NvData FV GUID,
 * header, block size 0x1000, attributes, FvLength = store + event log + FTW
 * working + spare, store header, variable walk, FTW signature and CRC. Each
 * failure is a DIAG_ERROR naming the field. Returns LIB_OK or LIB_REFUSED; on LIB_REFUSED
 * whatever was parsed stays filled in for reporting. LIB_NO_MEMORY when the
 * table of variables cannot be allocated (up to one entry per 32 bytes).
 */
enum lib_result varstore_parse(const uint8_t *p, size_t len, struct varstore *vs, struct diag *d);
void varstore_free(struct varstore *vs);

/* CRC-32 of a working block header as EDK2 computes it (Crc and the two state bits erased). */
/*
 * Where OVMF keeps the FTW areas of a VARS image of len bytes: by PCD, not by
 * the store header (OvmfPkg VarStore.fdf.inc): the working block is the block
 * before the middle, the spare the second half.
 */
static inline uint64_t ovmf_ftw_work_off(uint64_t len) { return len / 2 - OVMF_FTW_WORK_SIZE; }
static inline uint64_t ovmf_ftw_spare_off(uint64_t len) { return len / 2; }

uint32_t ftw_header_crc(const uint8_t hdr[FTW_HDR_SIZE]);

const char *var_state_name(uint8_t state);

/*
 * Compares a varstore's layout with a template's, field by field (FvLength,
 * block map, attributes, header length, store format and size, event log,
 * FTW working block and spare offsets, WriteQueueSize). One DIAG_ERROR per
 * difference with both values. Returns LIB_OK if equal, LIB_REFUSED otherwise.
 */
enum lib_result varstore_compare_layout(const struct varstore *a, const struct varstore *tmpl, struct diag *d);

#endif
