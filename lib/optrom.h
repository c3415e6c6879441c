/* SPDX-License-Identifier: MIT */
/* PCI option ROM chains: legacy x86, EFI and ISA-style images. */
#ifndef FWSLOT_OPTROM_H
#define FWSLOT_OPTROM_H
/*
 * Sources: PCI Firmware Specification 3.0 section 5.1; EDK2
 * MdePkg/Include/IndustryStandard/Pci22.h (PCI_EXPANSION_ROM_HEADER,
 * EFI_PCI_EXPANSION_ROM_HEADER, PCI_DATA_STRUCTURE), Pci30.h (PCI_3_0_DATA_STRUCTURE).
 *
 * Image header (each image starts 512-byte aligned):
 *   0x00 u16 signature 0xAA55 (bytes 55 AA)
 *   0x02 u8  legacy: initialization size, 512-byte units (checksum range)
 *   0x02 u16 EFI: InitializationSize, 512-byte units
 *   0x04 u32 EFI: EfiSignature 0x0EF1
 *   0x08 u16 EFI: EfiSubsystem; 0x0A u16 EfiMachineType; 0x0C u16 CompressionType
 *   0x16 u16 EFI: EfiImageHeaderOffset (PE/COFF "MZ")
 *   0x18 u16 offset of the PCI data structure (0 on ISA-style ROMs)
 * PCI data structure ("PCIR"):
 *   0x00 "PCIR"; 0x04 u16 vendor; 0x06 u16 device; 0x0A u16 structure length;
 *   0x0C u8 revision; 0x0D u8[3] class code (prog-if, sub, base);
 *   0x10 u16 image length (512 units); 0x12 u16 code revision;
 *   0x14 u8 code type; 0x15 u8 indicator (bit 7: last image)
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define ROM_SIG_OFF        0x00 /* u16 0xAA55 */
#define ROM_SIG            0xAA55
#define ROM_LEGACY_SIZE    0x02 /* u8, 512-byte units */
#define ROM_EFI_INIT_SIZE  0x02 /* u16, 512-byte units */
#define ROM_EFI_SIG_OFF    0x04 /* u32 EfiSignature */
#define ROM_EFI_SIG        0x0EF1
#define ROM_EFI_SUBSYSTEM  0x08
#define ROM_EFI_MACHINE    0x0A
#define ROM_EFI_COMPRESS   0x0C
#define ROM_EFI_PE_OFF     0x16
#define ROM_EFI_UNCOMPRESSED 0
#define ROM_EFI_COMPRESSED 1    /* UEFI compression (efidecomp.h) */
#define ROM_EFI_MAX_IMAGE  (16u << 20) /* a decompressed driver larger than this is refused */

/* PE/COFF (Microsoft PE format; EDK2 MdePkg/Include/IndustryStandard/PeImage.h) */
#define PE_DOS_LFANEW      0x3C /* u32 offset of "PE\0\0" */
#define PE_SIG             0x00004550
#define PE_MACHINE         0x04 /* u16, after the signature */
#define PE_OPT_HDR         0x18 /* optional header, after the signature */
#define PE_OPT_SUBSYSTEM   0x44 /* u16, same place in PE32 and PE32+ */
#define ROM_PCIR_PTR       0x18 /* u16 */
#define ROM_HDR_MIN        0x1A /* header bytes up to and including the PCIR pointer */
#define ROM_UNIT           512

#define PCIR_SIG           0x52494350 /* "PCIR" little-endian */
#define PCIR_VENDOR        0x04
#define PCIR_DEVICE        0x06
#define PCIR_STRUCT_LEN    0x0A
#define PCIR_REVISION      0x0C
#define PCIR_CLASS         0x0D /* 3 bytes */
#define PCIR_IMAGE_LEN     0x10 /* PCI FW 3.0 5.1.2, 512-byte units */
#define PCIR_CODE_REV      0x12
#define PCIR_CODE_TYPE     0x14
#define PCIR_INDICATOR     0x15
#define PCIR_MIN_LEN       0x18 /* PCI 2.x structure; 3.0 is 0x1C */
#define PCIR_LAST_IMAGE    0x80

#define ROM_CODE_X86       0
#define ROM_CODE_OPENFW    1
#define ROM_CODE_HPPA      2
#define ROM_CODE_EFI       3

#define OPTROM_MAX_IMAGES  16

struct optrom_image {
	uint64_t offset;      /* from the start of the file */
	uint64_t length;      /* bytes (PCIR image length, or ISA size byte) */
	uint64_t init_size;   /* bytes covered by the header size field */
	int has_pcir;
	uint16_t pcir_off;    /* relative to the image */
	uint16_t vendor, device;
	uint16_t pcir_len;
	uint8_t pcir_rev;
	uint32_t class_code;  /* base << 16 | sub << 8 | prog-if */
	uint16_t code_rev;
	uint8_t code_type;
	uint8_t indicator;
	int last;
	int checksum_applies; /* x86 legacy images */
	uint8_t checksum;     /* byte sum mod 256 over init_size; 0 is valid */
	int is_efi;
	uint16_t efi_subsystem, efi_machine, efi_compression, efi_pe_off;
	int efi_pe_ok;        /* a PE image (MZ, PE signature) at efi_pe_off, decompressed first if need be */
	uint64_t efi_stored;  /* bytes of the EFI image as stored (compressed or not) */
	uint64_t efi_size;    /* bytes of the PE image once decompressed (= stored if uncompressed) */
	uint16_t pe_machine, pe_subsystem; /* from the PE/COFF headers, when efi_pe_ok */
};

struct optrom {
	size_t n;
	struct optrom_image img[OPTROM_MAX_IMAGES];
	uint64_t used;        /* end of the last parsed image */
	uint64_t trailing;    /* bytes after used */
	int trailing_pad;     /* trailing bytes are all 0x00 or all 0xFF */
	int complete;         /* chain ended with a last-image flag */
};

/*
 * Walks the chain in p[0..len). Fills *r with every image parsed (also after an
 * error, for reporting) and adds one DIAG_ERROR per defect, naming the field.
 * Returns LIB_OK for a well-formed chain, LIB_REFUSED otherwise, LIB_NO_MEMORY
 * when an EFI image's decompression could not be allocated.
 */
enum lib_result optrom_parse(const uint8_t *p, size_t len, struct optrom *r, struct diag *d);

const char *optrom_code_type_name(uint8_t t);
const char *optrom_efi_machine_name(uint16_t m);

#endif
