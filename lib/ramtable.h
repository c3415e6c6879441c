/* SPDX-License-Identifier: MIT */
/* A running VM's RAM blocks as QEMU's monitor lists them ("info ramblock"): what it needs of the firmware. */
#ifndef FWSLOT_RAMTABLE_H
#define FWSLOT_RAMTABLE_H
/*
 * Source: QEMU 7.2 softmmu/physmem.c ram_block_format(), printed by HMP
 * "info ramblock" and QMP x-query-ramblock (libvirt: virsh
 * qemu-monitor-command DOM --hmp 'info ramblock'); lines may end in \r\n:
 *
 *               Block Name    PSize              Offset               Used              Total
 *                   pc.ram    4 KiB  0x0000000000000000 0x0000000008000000 0x0000000008000000
 *  0000:00:02.0/e1000.rom    4 KiB  0x0000000008080000 0x0000000000040000 0x0000000000040000
 *
 * The name is right-aligned in 24 columns (longer ones push the rest right),
 * PSize is a number and a unit ("4 KiB"), then Offset and Used (the
 * used_length a migration sends and QEMU compares on load) in hex; later
 * QEMU versions add columns after Total. The machine type is not in it.
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "migstream.h"

/* Whether p[0..len) starts (after blanks) with the table's header, "Block Name". */
int ramtable_detect(const uint8_t *p, size_t len);

/*
 * Reads the table into s as a stream without a configuration section (no
 * machine type: the caller supplies it). LIB_OK; LIB_REFUSED with the line
 * and the reason (a header without Offset then Used, a row without them, a
 * name of MIG_NAME_MAX bytes or more, more than MIG_BLOCKS_MAX rows, no rows).
 */
enum lib_result ramtable_parse(const uint8_t *p, size_t len, struct mig_stream *s, struct diag *d);

#endif
