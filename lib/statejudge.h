/* SPDX-License-Identifier: MIT */
/* Whether a saved VM's RAM blocks will load on a firmware set, block by block, as QEMU judges them. */
#ifndef FWSLOT_STATEJUDGE_H
#define FWSLOT_STATEJUDGE_H
/*
 * QEMU 7.2 ram_load_precopy -> qemu_ram_resize (softmmu/physmem.c l.1832):
 * for each block of the stream, by name, the destination's block must have
 * the same used length (HOST_PAGE_ALIGN), unless it is resizeable (the
 * fw_cfg blobs /rom@...), which QEMU resizes up to its own maximum; a block
 * the destination lacks is refused ("Unknown ramblock"). The destination's
 * sizes follow from its files (../shared/SAVED-STATES.md 1.7):
 *   pc.bios                the machine type's BIOS file (romdevs "machine"): its size
 *   DEVPATH/NAME.rom       the file the device mapping NAME.rom loads on the
 *                          stream's machine type (romdevs block=): pow2ceil(size)
 *   system.flash0          the CODE the VM's command line names (by name): its size
 *   system.flash1, isa-bios, RAM, VRAM, pc.rom: not firmware files of a package
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "migstream.h"
#include "romdevs.h"

#define HOST_PAGE 0x1000

/* A file of the new firmware set, by name. */
struct fw_size {
	const char *name;
	uint64_t size;
};

enum block_kind { BLOCK_BIOS, BLOCK_ROM, BLOCK_CODE, BLOCK_RESIZABLE, BLOCK_OTHER };
enum block_verdict {
	BV_SAME,         /* the new set maps the same size */
	BV_CHANGED,      /* it maps another size: "Size mismatch" */
	BV_MISSING,      /* the new set has no such file: QEMU would not even start */
	BV_UNKNOWN,      /* no device of the romfile table maps this ROM block: not judged */
	BV_RESIZABLE,    /* QEMU resizes it: not a firmware file's size */
	BV_NOT_FIRMWARE  /* RAM, VRAM, the VM's own varstore: no package changes it */
};

struct block_judgement {
	enum block_kind kind;
	enum block_verdict v;
	uint64_t used;             /* the stream's */
	uint64_t new_used;         /* what the new set maps, 0 when nothing */
	char files[160];           /* the files the new set would load, with their sizes */
	char devices[160];
};

/*
 * Judges each of s's n blocks (out[0..n)) against the new set's files
 * (loader: the CODE file name the VM's pflash names, from a libvirt save
 * image's XML or the user; without it a CODE block has no verdict, for the
 * state does not say which file it was). Returns LIB_OK when
 * every block will load, LIB_REFUSED otherwise, a DIAG_ERROR per block that
 * will not.
 */
enum lib_result state_judge(const struct mig_stream *s, const struct romdevs *t, const struct fw_size *set, size_t nset,
			    const char *loader, struct block_judgement *out, struct diag *d);

const char *block_verdict_name(enum block_verdict v);

#endif
