/* SPDX-License-Identifier: MIT */
/* What a firmware file is (BIOS, option ROM chain, VGA ROM, flash) and whether it fits its slot. */
#ifndef FWSLOT_IMAGE_H
#define FWSLOT_IMAGE_H
/*
 * QEMU's sizing rules (hw/i386/x86.c x86_bios_rom_init, hw/pci/pci.c
 * pci_add_option_rom, hw/i386/pc_sysfw.c):
 *   -bios FILE: RAM block "pc.bios" = file size, a non-zero multiple of 64 KiB,
 *               mapped to end at 4 GiB; the reset vector is the last 16 bytes.
 *   romfile=:   ROM BAR = pow2ceil(file size) unless romsize= pins it.
 *   pflash:     each unit a non-zero multiple of 4 KiB, sized exactly.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "fv.h"
#include "optrom.h"

#define BIOS_ALIGN          0x10000 /* QEMU: "could not load PC BIOS" otherwise */
#define BIOS_RESET_FROM_TOP 16      /* F000:FFF0 is 16 bytes below the top */
#define FLASH_ALIGN         0x1000  /* pflash sector size QEMU requires */
#define VGA_IBM_SIG_OFF     0x1E    /* "IBM" in VGA BIOS ROMs, also ISA-style ones */
#define PCI_CLASS_DISPLAY   0x03

enum image_kind { KIND_UNKNOWN, KIND_BIOS, KIND_OPTROM, KIND_VGA, KIND_FLASH };

struct bios_info {
	uint64_t lead_zero;   /* zero bytes before the first non-zero byte */
	int mult64k;
	uint8_t reset_op;     /* first byte of the reset vector */
	int reset_ok;         /* a jmp (EA far, E9 near, EB short) at size - 16 */
	uint16_t reset_seg, reset_off; /* for a far jump */
};

struct flash_info {
	struct fv_header fv;  /* the first volume, at offset 0 */
	int fv_ok;
	int is_varstore;      /* first FV has the EfiSystemNvDataFv GUID */
	uint64_t next_fv;     /* offset of a second FV right after the first, or 0 */
};

struct image_report {
	enum image_kind kind;
	uint64_t size;
	uint64_t region;      /* what QEMU maps: exact, or pow2ceil for ROMs */
	uint64_t used;        /* bytes that carry the image */
	struct optrom rom;
	struct bios_info bios;
	struct flash_info flash;
	int parse_ok;         /* no structural error */
};

/* What the slot manifest (or --slot) promises for one file. */
struct slot_spec {
	uint64_t slot;        /* 0 = none known */
	int kind;             /* enum image_kind, or -1 for any */
	int has_id;
	uint16_t vendor, device;
};

/* Classifies and parses p[0..len); every defect goes to d. Returns LIB_OK or LIB_REFUSED. */
enum lib_result image_analyse(const uint8_t *p, size_t len, struct image_report *r, struct diag *d);

/* How strictly image_check judges an image against its slot. */
struct check_opts {
	uint64_t min_free;    /* headroom wanted in the slot; 0 = none */
	int strict;           /* too little headroom is an error, not a warning */
	int padded;           /* option ROMs must fill the slot exactly (our own gate) */
};

/*
 * Adds the slot findings for an analysed image against QEMU's question: does
 * it map to the region the slot promises? BIOS and flash images must equal the
 * slot; an option ROM passes when pow2ceil(size) equals the slot, with a note
 * when it is shorter (unpadded), or only at the exact size with o->padded.
 * Also QEMU's alignment rules, kind and PCI id as the spec says, and free space
 * against o->min_free. Returns LIB_REFUSED if any error.
 */
enum lib_result image_check(const struct image_report *r, const struct slot_spec *s,
		const struct check_opts *o, struct diag *d);

/*
 * Whether QEMU can map a slot of this size for an image of kind k: a BIOS
 * slot a non-zero multiple of 64 KiB, an option ROM slot a power of two (the
 * BAR); flash is sized exactly by its own layout. One DIAG_ERROR naming the
 * slot when not. The rule romsize check and romsize pad both apply. LIB_OK or LIB_REFUSED.
 */
enum lib_result image_slot_rule(enum image_kind k, uint64_t slot, struct diag *d);

/* The region QEMU maps for an image of kind k and len bytes: pow2ceil(len)
 * for option ROMs (the ROM BAR), len itself for BIOS and flash. */
uint64_t image_region(enum image_kind k, uint64_t len);

/* Free bytes in a slot of the given size: slot minus what the image needs. */
uint64_t image_free(const struct image_report *r, uint64_t slot);

const char *image_kind_name(enum image_kind k);
/* Parses "bios", "optionrom", "vga", "flash"; -1 if unknown. */
int image_kind_parse(const char *s);

#endif
