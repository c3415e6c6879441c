/* SPDX-License-Identifier: MIT */
/*
 * A saved VM as a host reads it before an upgrade: the migration stream's
 * block list (lib/migstream.c), the same bytes as a qcow2 image's snapshot
 * table and VM state (lib/qcow2.c, read through a callback over the input),
 * the verdict on the blocks found (lib/statejudge.c), and the same bytes as
 * a libvirt save image's header and domain XML (lib/libvirtsave.c), as
 * a running VM's info ramblock table (lib/ramtable.c), and as compressed
 * data in each format a saved state comes in (lib/unpack.c: the output
 * never passes its cap, whatever the input claims).
 */
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "libvirtsave.h"
#include "migstream.h"
#include "qcow2.h"
#include "ramtable.h"
#include "romdevs.h"
#include "statejudge.h"
#include "unpack.h"

struct buf {
	const uint8_t *p;
	size_t n;
};

static int rd(void *ctx, uint64_t off, uint8_t *out, size_t n)
{
	const struct buf *b = ctx;

	if (off > b->n || n > b->n - off)
		return -1;
	memcpy(out, b->p + off, n);
	return 0;
}

static const char TABLE[] = "machine bios-256k.bin block=pc.bios\ne1000 efi-e1000.rom block=e1000.rom\n"
			    "machine bios.bin pc-i440fx-1.4\ne1000 pxe-e1000.rom pc-i440fx-1.4\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mig_stream s;
	static struct qcow2 q;
	static struct romdevs t;
	static struct block_judgement out[MIG_BLOCKS_MAX];
	static uint8_t state[4096];
	const struct fw_size set[] = { { "bios-256k.bin", 262144 }, { "efi-e1000.rom", 249856 },
				       { "pxe-e1000.rom", 75264 }, { "OVMF_CODE_4M.fd", 0x37c000 } };
	struct buf b = { data, size };
	struct diag d;
	int sr;

	diag_init(&d);
	if (!t.n)
		romdevs_parse(TABLE, sizeof(TABLE) - 1, &t, &d);
	diag_init(&d);
	if (mig_stream_parse(data, size, &s, &sr, &d) == LIB_OK) {
		uint64_t sum = 0;

		FUZZ_ASSERT(s.n <= MIG_BLOCKS_MAX && s.end <= size);
		for (size_t i = 0; i < s.n; i++)
			sum += s.block[i].used;
		FUZZ_ASSERT(sum == s.total);
		diag_init(&d);
		state_judge(&s, &t, set, 4, "OVMF_CODE_4M.fd", out, &d);
		diag_init(&d);
		state_judge(&s, &t, set, 4, NULL, out, &d);
	}
	diag_init(&d);
	if (ramtable_parse(data, size, &s, &d) == LIB_OK) {
		FUZZ_ASSERT(s.n >= 1 && s.n <= MIG_BLOCKS_MAX && !s.has_config);
		for (size_t i = 0; i < s.n; i++)
			FUZZ_ASSERT(strlen(s.block[i].name) < MIG_NAME_MAX);
		diag_init(&d);
		state_judge(&s, &t, set, 4, NULL, out, &d);
	} else {
		FUZZ_ASSERT(d.n > 0);
	}
	{
		struct libvirt_save h;

		diag_init(&d);
		if (libvirt_save_parse(data, size, &h, &d) == LIB_OK)
			FUZZ_ASSERT(h.stream_off == 92 + (uint64_t)h.data_len && h.machine[sizeof(h.machine) - 1] == '\0' &&
				    strlen(h.loader) < sizeof(h.loader));
	}
	for (int f = UNPACK_GZIP; f <= UNPACK_DEFLATE; f++) {
		size_t got = 0;
		int ended = 0;

		diag_init(&d);
		memset(state, 0xa5, sizeof(state));
		if (unpack_prefix((enum unpack_format)f, rd, &b, 0, size, state, sizeof(state) - 1, &got, &ended, &d) == LIB_OK)
			FUZZ_ASSERT(got <= sizeof(state) - 1);
		else
			FUZZ_ASSERT(d.n > 0);
		FUZZ_ASSERT(state[sizeof(state) - 1] == 0xa5); /* nothing written past the cap */
	}
	diag_init(&d);
	if (qcow2_open(rd, &b, &q, &d) == LIB_OK) {
		FUZZ_ASSERT(q.nsnap <= QCOW2_SNAPSHOTS_MAX);
		for (size_t i = 0; i < q.nsnap && i < 4; i++) {
			diag_init(&d);
			qcow2_vmstate(rd, &b, &q, &q.snap[i], state, sizeof(state), &d);
		}
	}
	return 0;
}
