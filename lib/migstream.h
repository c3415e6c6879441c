/* SPDX-License-Identifier: MIT */
/* The RAM-block list at the start of a QEMU migration stream: what a saved VM needs of the firmware. */
#ifndef FWSLOT_MIGSTREAM_H
#define FWSLOT_MIGSTREAM_H
/*
 * Sources: QEMU 7.2 migration/savevm.c qemu_savevm_state_header (l.1138),
 * vmstate_configuration (l.503), save_section_header/footer (l.914/936),
 * qemu_savevm_command_send (l.953); migration/ram.c ram_save_setup (l.3209)
 * and ram_load_precopy's RAM_SAVE_FLAG_MEM_SIZE case (l.4295); QEMU 10.2's
 * mapped-ram. Map: ../shared/SAVED-STATES.md. All integers big-endian.
 *
 *   0     be32 0x5145564d "QEVM", be32 3
 *   8     [0x07 configuration: be32 len, machine type; 0x05 subsections]
 *         (machine types 2.4 and newer; without it, no section footers)
 *         [0x08 commands: be16 cmd, be16 len, data] (postcopy: cmd 3)
 *         0x01 START: be32 section id, u8 len, "ram", be32 instance, be32 version
 *         be64 total | 0x04 (RAM_SAVE_FLAG_MEM_SIZE)
 *         blocks until their lengths add up to total:
 *           u8 len, name, be64 used_length, [be64 page size: postcopy],
 *           [be64 address: x-ignore-shared]
 *         be64 0x10 (EOS), [0x7e, be32 section id]
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define MIG_MAGIC          0x5145564dU
#define MIG_VERSION        3
#define MIG_CONFIGURATION  0x07
#define MIG_SUBSECTION     0x05
#define MIG_COMMAND        0x08
#define MIG_SECTION_START  0x01
#define MIG_SECTION_FULL   0x04
#define MIG_FOOTER         0x7e
#define MIG_CMD_POSTCOPY_ADVISE 3
#define RAM_FLAG_MEM_SIZE  0x04
#define RAM_FLAG_EOS       0x10
#define RAM_FLAG_MULTIFD_FLUSH 0x200
#define RAM_FLAG_MASK      0x3ff   /* no flag exceeds 0x200: QEMU assumes pages of 1 KiB or more */
#define MIG_NAME_MAX       256     /* RAMBlock idstr is char[256]; a counted string is at most 255 */
#define MIG_BLOCKS_MAX     256
#define MIG_COMMANDS_MAX   16
#define MIG_CAPS_MAX       64

struct mig_block {
	char name[MIG_NAME_MAX];
	uint64_t used;           /* used_length: what QEMU compares on load */
};

struct mig_stream {
	int has_config;          /* a configuration section (machine types 2.4 and newer) */
	char machine[MIG_NAME_MAX]; /* its machine type ("pc-i440fx-7.2"), "" without one */
	int x_ignore_shared, postcopy;
	uint64_t total;          /* the sum of every block's used_length */
	size_t n;
	struct mig_block block[MIG_BLOCKS_MAX];
	uint64_t end;            /* offset just past the list (and its footer) */
};

/*
 * Reads the RAM-block list of the stream p[0..len) (a prefix of the stream is
 * enough: the list comes before any page or device state). Returns LIB_OK, or
 * LIB_REFUSED with the reason: not a stream, a layout this reader does not
 * know (mapped-ram, a first section that is not "ram"), or a list that does
 * not end within len bytes (then *short_read is set: more bytes may help).
 */
enum lib_result mig_stream_parse(const uint8_t *p, size_t len, struct mig_stream *s, int *short_read, struct diag *d);

#endif
