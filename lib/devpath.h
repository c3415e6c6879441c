/* SPDX-License-Identifier: MIT */
/* UEFI device paths as text, and load options (Boot####): what a VM boots, as an admin reads it. */
#ifndef FWSLOT_DEVPATH_H
#define FWSLOT_DEVPATH_H
/*
 * Sources: UEFI 2.10 10.3 (device path nodes), 10.6 (text forms), 3.1.3
 * (EFI_LOAD_OPTION); EDK2 MdePkg/Library/UefiDevicePathLib/DevicePathToText.c,
 * whose output this follows node for node (hex in upper case, as EDK2's
 * PrintLib prints it), for the nodes OVMF writes and the common others;
 * every other node in UEFI's generic form: Path(type,subtype,hex) or
 * HardwarePath/AcpiPath/Msg/MediaPath/BbsPath(subtype,hex).
 *
 * A node: u8 Type, u8 SubType, u16 Length (header included, >= 4); the path
 * ends with Type 0x7F SubType 0xFF (0x01 ends one instance: ",").
 *
 * EFI_LOAD_OPTION:
 *   0x00 u32 Attributes (bit 0 ACTIVE, bit 3 FORCE_RECONNECT, bit 8 HIDDEN)
 *   0x04 u16 FilePathListLength
 *   0x06 CHAR16 Description[], NUL-terminated
 *   then FilePathList[FilePathListLength bytes], then OptionalData to the end
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define DP_TYPE_END          0x7F
#define DP_END_ENTIRE        0xFF
#define DP_END_INSTANCE      0x01
#define DP_NODE_HDR          4
#define LOAD_OPT_ACTIVE      0x00000001
#define LOAD_OPT_HIDDEN      0x00000008
#define LOAD_OPT_PATHLEN_OFF 0x04
#define LOAD_OPT_DESC_OFF    0x06
#define DEVPATH_TEXT         1024

/*
 * The text form of the device path at p[0..len) into s (n > 0 bytes, always
 * NUL-terminated; a text too long ends in "..."). LIB_OK; LIB_REFUSED with
 * a DIAG_ERROR when a node's Length is below 4 or runs past len, or the path
 * has no end node (the text holds the nodes before the fault).
 */
enum lib_result devpath_text(const uint8_t *p, size_t len, char *s, size_t n, struct diag *d);

struct load_option {
	uint32_t attributes;
	uint16_t path_len;
	char description[256];      /* UTF-8 */
	char path[DEVPATH_TEXT];
	uint64_t optional_offset;   /* in the variable's data */
	uint64_t optional_len;
};

/* Decodes a Boot#### (or Driver####, SysPrep####) variable's data. LIB_OK; LIB_REFUSED
 * with a DIAG_ERROR naming the field and numbers when a length lies. */
enum lib_result load_option_parse(const uint8_t *p, size_t len, struct load_option *lo, struct diag *d);

#endif
