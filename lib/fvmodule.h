/* SPDX-License-Identifier: MIT */
/* Whether an OVMF CODE image carries a firmware module, by its FILE_GUID. */
#ifndef FWSLOT_FVMODULE_H
#define FWSLOT_FVMODULE_H
/*
 * OVMF keeps its PEI and DXE volumes LZMA-compressed inside FVMAIN_COMPACT,
 * in a GUID-defined section (PI spec vol. 3, EFI_GUID_DEFINED_SECTION: u24
 * Size, u8 Type 0x02, GUID SectionDefinitionGuid, u16 DataOffset, u16
 * Attributes) whose GUID is EE4E5898-3914-4259-9D6E-DC7BD79403CF
 * (MdeModulePkg LzmaCustomDecompressLib): its data is 5 LZMA property bytes,
 * the u64 uncompressed size and the LZMA stream, the ".lzma" format. Every
 * such section is decoded (liblzma, bounded) and searched for the module's
 * FILE_GUID, which its FFS file header carries as the file name.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define SECTION_GUID_DEFINED 0x02
#define GUIDED_HDR_SIZE      24      /* common header 4 + GUID 16 + DataOffset 2 + Attributes 2 */
#define GUIDED_DATA_OFF      20      /* u16 DataOffset, from the section's start */
#define LZMA_HDR_SIZE        13      /* 5 property bytes + u64 uncompressed size */
#define LZMA_OUT_MAX         (256u << 20) /* no OVMF volume set is larger */

/* FILE_GUIDs of the modules that decide how a varstore is read at boot */
extern const uint8_t GUID_FTW_PEI[16];      /* FaultTolerantWritePei: AAC33064-9ED0-4b89-A5AD-3EA767960B22 */

/*
 * Searches the LZMA sections of p[0..len) for a file named guid.
 */
enum fv_module_result {
	FV_MODULE_FOUND,      /* a decoded section holds the GUID */
	FV_MODULE_ABSENT,     /* sections decoded, none holds it */
	FV_MODULE_UNDECODED,  /* no section could be decoded: the diag says why */
	FV_MODULE_NO_MEMORY,  /* an allocation failed: the diag says how much */
};
enum fv_module_result fv_find_module(const uint8_t *p, size_t len, const uint8_t guid[16], struct diag *d);

#endif
