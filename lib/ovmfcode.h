/* SPDX-License-Identifier: MIT */
/* OVMF_CODE.fd: its firmware volumes, the reset-vector GUID table and TDX metadata. */
#ifndef FWSLOT_OVMFCODE_H
#define FWSLOT_OVMFCODE_H
/*
 * Sources: EDK2 OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm (GUIDed structure
 * table), OvmfPkg/ResetVector/X64/IntelTdxMetadata.asm; QEMU
 * hw/i386/pc_sysfw_ovmf.c pc_system_parse_ovmf_flash (how it is walked).
 *   end - 0x30  16-byte footer GUID 96b582de-1fb2-45f7-baea-a366c55a082d
 *   end - 0x32  u16 total table length (footer GUID and this field included)
 *   entries before it, walked backwards: data, u16 length, GUID (the length
 *   covers the whole entry). TDX metadata offset entry (e47a6535-...): u32
 *   offset from the end of the image to the "TDVF" descriptor:
 *   "TDVF", u32 length, u32 version 1, u32 section count, then 32-byte sections
 *   { u32 raw offset, u32 raw size, u64 memory base, u64 memory size, u32 type,
 *     u32 attributes }; type 1 (CFV) is the varstore, 0 (BFV) the code.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "fv.h"

#define OVMF_TABLE_FOOTER_FROM_END 0x30
/* the GUIDed table, read backwards: each entry ends with u16 length, GUID */
#define GUID_SIZE 16
#define GUID_ENTRY_TAIL 18            /* u16 length + GUID */
/* "TDVF" descriptor (IntelTdxMetadata.asm): u32 signature, length, version, section count */
#define TDVF_SIG 0x46564454           /* "TDVF" little-endian */
#define TDVF_SIG_OFF 0
#define TDVF_LEN_OFF 4
#define TDVF_VERSION_OFF 8
#define TDVF_NSEC_OFF 12
#define TDVF_HDR_SIZE 16
/* a section: u32 raw offset, u32 raw size, u64 memory base, u64 memory size, u32 type, u32 attributes */
#define TDX_SEC_RAW_OFF 0
#define TDX_SEC_RAW_SIZE 4
#define TDX_SEC_MEM_BASE 8
#define TDX_SEC_MEM_SIZE 16
#define TDX_SEC_TYPE 24
#define TDX_SEC_ATTR 28
#define TDX_SECTION_SIZE 32
#define TDX_MAX_SECTIONS 32
#define TDX_TYPE_BFV 0
#define TDX_TYPE_CFV 1
#define CODE_MAX_FVS 16
#define GUID_TABLE_MAX 32

struct tdx_section {
	uint32_t raw_offset, raw_size;
	uint64_t mem_base, mem_size;
	uint32_t type, attributes;
};

struct ovmf_code {
	size_t nfv;
	struct fv_header fv[CODE_MAX_FVS];
	int has_table;
	uint16_t table_len;
	size_t nentries;
	struct { uint8_t guid[16]; uint16_t len; uint64_t offset; } entry[GUID_TABLE_MAX];
	int has_tdx;
	uint64_t tdx_off;            /* of "TDVF" from the start of the file */
	uint32_t tdx_version;
	size_t nsections;
	struct tdx_section sec[TDX_MAX_SECTIONS];
	int has_cfv;
	struct tdx_section cfv;      /* the varstore the CODE expects */
};

/*
 * Parses a CODE image at p[0..len). The FVs from offset 0 must parse; the GUID
 * table and TDX metadata are optional (their absence is not an error), but a
 * present table that is malformed is. Returns LIB_OK or LIB_REFUSED.
 */
enum lib_result ovmf_code_parse(const uint8_t *p, size_t len, struct ovmf_code *c, struct diag *d);

/* The VARS size a CODE of this size implies in EDK2's known layouts, or 0. */
uint64_t ovmf_vars_size_for_code(uint64_t code_len, const char **layout);

/*
 * Does a CODE (c, parsed from code_len bytes) expect exactly a varstore of
 * vars_len bytes, sized and mapped as it reads it? By its TDX metadata's CFV
 * section when it has one, else by EDK2's layout for its size. how gets the
 * rule used ("CODE's TDX metadata: ...", "judged by CODE size ..."). Returns
 * LIB_OK, or LIB_REFUSED with a DIAG_ERROR giving both sizes.
 */
enum lib_result ovmf_code_expects(const struct ovmf_code *c, uint64_t code_len, uint64_t vars_len,
				  struct diag *d, char *how, size_t howsz);

enum ovmf_kind {
	OVMF_VARS,     /* a varstore (EfiSystemNvDataFv filling the file, or torn where its FTW areas say so) */
	OVMF_CODE,     /* a firmware volume at 0 that is not the varstore */
	OVMF_UNIFIED,  /* the varstore, then another firmware volume at FvLength: OVMF.fd */
	OVMF_OTHER     /* no firmware volume at 0 */
};

/*
 * What an OVMF image is, from its first firmware volume. *vars_len: the
 * varstore's FvLength (OVMF_VARS, OVMF_UNIFIED), else 0. A varstore whose FV
 * header was erased mid-write is still OVMF_VARS when its FTW working block
 * sits where OVMF keeps it (ovmf_ftw_work_off).
 */
enum ovmf_kind ovmf_classify(const uint8_t *p, size_t len, uint64_t *vars_len);

const char *tdx_type_name(uint32_t t);

#endif
