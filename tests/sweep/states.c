/* SPDX-License-Identifier: MIT */
/*
 * Malformed-input sweep over real saved VMs (QEMU-made at test time by
 * tests/states/states.py): a migration stream, a libvirt save image (any
 * compression), a qcow2 image with a savevm snapshot (plain or compressed
 * clusters). Every truncation inside what the readers need and every byte of
 * the stream's block list flipped must give a verdict (never a crash: ASan and
 * UBSan watch), and each header field corrupted must be refused naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "diag.h"
#include "libvirtsave.h"
#include "migstream.h"
#include "qcow2.h"
#include "romgen.h"
#include "sweep.h"
#include "t.h"
#include "unpack.h"

#define PREFIX (1u << 20) /* what romsize reads of a stream at most */

static void wr_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void wr_be64(uint8_t *p, uint64_t v)
{
	wr_be32(p, (uint32_t)(v >> 32));
	wr_be32(p + 4, (uint32_t)v);
}

static struct mig_stream ms;
static uint8_t prefix[PREFIX];

/* The stream's block list: LIB_OK, or LIB_REFUSED with a message. */
static enum lib_result stream_verdict(const uint8_t *p, size_t n, int *short_read, struct diag *d)
{
	enum lib_result r;

	*short_read = 0;
	r = mig_stream_parse(p, n, &ms, short_read, d);
	if (r == LIB_OK) {
		uint64_t sum = 0;

		for (size_t i = 0; i < ms.n; i++)
			sum += ms.block[i].used;
		CHECK(sum == ms.total && ms.end <= n, "a list accepted is whole: 0x%llx of 0x%llx, end 0x%llx of 0x%zx",
		      (unsigned long long)sum, (unsigned long long)ms.total, (unsigned long long)ms.end, n);
	} else {
		CHECK(d->n > 0, "a refusal says why");
	}
	return r;
}

static void sweep_stream(const char *file, const uint8_t *p, size_t len)
{
	struct diag d;
	int sr;
	uint64_t end;
	uint8_t *b;

	diag_init(&d);
	if (len > PREFIX)
		len = PREFIX;
	CHECK(stream_verdict(p, len, &sr, &d) == LIB_OK, "%s: the pristine stream: %s", file, diag_first(&d));
	end = ms.end;
	for (size_t k = 0; k < end; k++) { /* cut anywhere inside the list: refused as a short read */
		diag_init(&d);
		CHECK(stream_verdict(p, k, &sr, &d) == LIB_REFUSED && (sr || k < 4), "%s: cut at 0x%zx: %s", file, k,
		      diag_first(&d));
	}
	if (!(b = malloc(end)))
		return;
	for (size_t k = 0; k < end; k++) { /* each byte of the list flipped: a verdict either way */
		memcpy(b, p, end);
		b[k] ^= 0xff;
		diag_init(&d);
		stream_verdict(b, end, &sr, &d);
	}
	memcpy(b, p, end);
	b[0] = 'X';
	diag_init(&d);
	CHECK(stream_verdict(b, end, &sr, &d) == LIB_REFUSED && DIAG_HAS(&d, "no \"QEVM\" at 0x0"), "%s: magic: %s", file,
	      diag_first(&d));
	memcpy(b, p, end);
	b[7] = 4;
	diag_init(&d);
	CHECK(stream_verdict(b, end, &sr, &d) == LIB_REFUSED && DIAG_HAS(&d, "stream version 4, expected 3"),
	      "%s: version: %s", file, diag_first(&d));
	free(b);
}

/* The compressed stream at off cut k bytes in: its block list decoded, or refused. */
static enum lib_result cut_verdict(enum unpack_format f, const uint8_t *p, uint64_t off, uint64_t k, struct diag *d)
{
	struct gen_mem m = { p, (size_t)(off + k) };
	size_t got = 0;
	int ended = 0, sr = 0;
	enum lib_result r;

	diag_init(d);
	r = unpack_prefix(f, gen_mem_read, &m, off, k, prefix, sizeof(prefix), &got, &ended, d);
	if (r == LIB_OK) {
		diag_init(d);
		r = stream_verdict(prefix, got, &sr, d);
	}
	return r;
}

/* A libvirt save image: the header's fields, cuts in header, XML and compressed stream. */
static void sweep_libvirt(const char *file, const uint8_t *p, size_t len)
{
	static const struct { size_t off; uint32_t v; const char *says; } field[] = {
		{ 16, 1, "version 1, data length" }, { 20, 0, "data length 0" }, { 20, LIBVIRT_SAVE_DATA_MAX + 1, "data length 16777217" },
		{ 28, LV_FORMATS, "unknown format 7" },
	};
	struct libvirt_save h;
	struct diag d;
	uint8_t *b = malloc(len < 4096 ? len : 4096);
	uint64_t list_in = 0;

	diag_init(&d);
	CHECK(b && libvirt_save_parse(p, len, &h, &d) == LIB_OK, "%s: the pristine header: %s", file, diag_first(&d));
	if (!b || d.n)
		goto out;
	for (size_t k = 0; k < LIBVIRT_SAVE_HDR; k += 4) {
		diag_init(&d);
		CHECK(libvirt_save_parse(p, k, &h, &d) == LIB_REFUSED && DIAG_HAS(&d, "shorter than 92"), "%s: cut at 0x%zx: %s",
		      file, k, diag_first(&d));
	}
	for (size_t i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
		memcpy(b, p, LIBVIRT_SAVE_HDR);
		wr_le32(b + field[i].off, field[i].v);
		diag_init(&d);
		CHECK(libvirt_save_parse(b, LIBVIRT_SAVE_HDR, &h, &d) == LIB_REFUSED && DIAG_HAS(&d, field[i].says),
		      "%s: header 0x%zx = 0x%x: %s", file, field[i].off, field[i].v, diag_first(&d));
	}
	libvirt_save_parse(p, len, &h, &d);
	if (h.format == LV_RAW) {
		sweep_stream(file, p + h.stream_off, len - h.stream_off);
		goto out;
	}
	/* compressed: the first cut (doubling) where the block list comes out whole, then cuts at 64
	 * steps below it, each refused (bzip2 gives nothing before its whole first block is in) */
	{
		const enum unpack_format f = h.format == LV_GZIP ? UNPACK_GZIP : h.format == LV_BZIP2 ? UNPACK_BZIP2 :
					     h.format == LV_XZ ? UNPACK_XZ : UNPACK_ZSTD;
		uint64_t whole = 64, step;

		while (whole < len - h.stream_off && cut_verdict(f, p, h.stream_off, whole, &d) != LIB_OK)
			whole *= 2;
		if (whole > len - h.stream_off)
			whole = len - h.stream_off;
		step = whole / 64 > 64 ? whole / 64 : 64;
		for (uint64_t k = 0;; k += step) {
			if (k > whole)
				k = whole;
			if (cut_verdict(f, p, h.stream_off, k, &d) == LIB_OK) {
				list_in = k;
				break;
			}
			CHECK(d.n > 0, "%s: compressed stream cut at 0x%llx: refused saying why", file, (unsigned long long)k);
			if (k == whole)
				break;
		}
	}
	CHECK(list_in > 0, "%s: the block list comes out of the first 0x%llx compressed bytes", file,
	      (unsigned long long)list_in);
out:
	free(b);
}

/* The stream behind a qcow2 image's first snapshot with a VM state, read as romsize reads it. */
static enum lib_result qcow2_verdict(struct gen_mem *m, struct diag *d)
{
	static struct qcow2 q;
	enum lib_result r = qcow2_open(gen_mem_read, m, &q, d);
	int sr;

	for (size_t i = 0; r == LIB_OK && i < q.nsnap; i++) {
		size_t n = q.snap[i].vm_state_size < 65536 ? (size_t)q.snap[i].vm_state_size : 65536;

		if (!n)
			continue;
		r = qcow2_vmstate(gen_mem_read, m, &q, &q.snap[i], prefix, n, d);
		return r == LIB_OK ? stream_verdict(prefix, n, &sr, d) : r;
	}
	return r == LIB_OK ? diag_add(d, DIAG_ERROR, "no snapshot with a VM state") : r;
}

static void sweep_qcow2(const char *file, const uint8_t *p, size_t len)
{
	static struct qcow2 q;
	struct gen_mem m = { p, len };
	struct diag d;
	uint64_t need[64];
	size_t nneed = 0;
	uint8_t *b;

	diag_init(&d);
	CHECK(qcow2_verdict(&m, &d) == LIB_OK, "%s: the pristine image: %s", file, diag_first(&d));
	diag_init(&d);
	if (qcow2_open(gen_mem_read, &m, &q, &d) != LIB_OK || !(b = malloc(len)))
		return;
	{ /* the bytes the readers need: the header, the snapshot entry, the state's L1 and L2 entries and first cluster */
		const struct qcow2_snapshot *sn = &q.snap[0];
		const uint64_t cs = UINT64_C(1) << q.cluster_bits, span = cs * (cs / 8);
		const uint64_t v = (sn->disk_size + span - 1) / span * span;
		uint64_t l1e = 0, l2e = 0, so = 0;

		rd_be64(p, len, 64, &so);
		rd_be64(p, len, sn->l1_offset + v / span * 8, &l1e);
		l1e &= QCOW2_OFFSET_MASK;
		rd_be64(p, len, l1e + (v % span) / cs * 8, &l2e);
		need[nneed++] = 8; need[nneed++] = 24; need[nneed++] = 72; /* magic, cluster_bits and size, snapshots */
		need[nneed++] = so + 1; need[nneed++] = so + 40;
		need[nneed++] = sn->l1_offset + v / span * 8 + 1;
		need[nneed++] = l1e + (v % span) / cs * 8 + 1;
		need[nneed++] = (l2e & (UINT64_C(1) << 62) ? l2e & ((UINT64_C(1) << (62 - (q.cluster_bits - 8))) - 1)
							 : l2e & QCOW2_OFFSET_MASK) + 1;
	}
	for (size_t i = 0; i < nneed; i++) {
		struct gen_mem cut = { p, need[i] - 1 < len ? (size_t)need[i] - 1 : len };

		diag_init(&d);
		CHECK(qcow2_verdict(&cut, &d) == LIB_REFUSED && d.n > 0, "%s: cut at 0x%llx: %s", file,
		      (unsigned long long)cut.n, diag_first(&d));
	}
	{
		static const struct { size_t off; int width; uint64_t v; const char *says; } field[] = {
			{ 0, 4, 0x514649fa, "not a qcow2 image" }, { 4, 4, 4, "qcow2 version 4" },
			{ 20, 4, 22, "cluster_bits 22" }, { 32, 4, 1, "encrypted" }, { 60, 4, 5000, "5000 snapshots" },
			{ 64, 8, UINT64_C(1) << 50, "is not in the image" },
		};
		for (size_t i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
			struct gen_mem bm = { b, len };

			memcpy(b, p, len);
			if (field[i].width == 4)
				wr_be32(b + field[i].off, (uint32_t)field[i].v);
			else
				wr_be64(b + field[i].off, field[i].v);
			diag_init(&d);
			CHECK(qcow2_verdict(&bm, &d) == LIB_REFUSED && DIAG_HAS(&d, field[i].says), "%s: header 0x%zx: %s", file,
			      field[i].off, diag_first(&d));
		}
	}
	{ /* the snapshot's L1 table moved past the end, and the state's L2 entry pointing past it */
		struct gen_mem bm = { b, len };
		uint64_t so = 0;

		rd_be64(p, len, 64, &so);
		memcpy(b, p, len);
		wr_be64(b + so, UINT64_C(1) << 50);
		diag_init(&d);
		CHECK(qcow2_verdict(&bm, &d) == LIB_REFUSED && DIAG_HAS(&d, "L1 table at 0x4000000000000"), "%s: L1 offset: %s",
		      file, diag_first(&d));
		memcpy(b, p, len);
		/* the last cut point is the first cluster: its L2 entry is the one before it */
		wr_be64(b + need[nneed - 2] - 1, (UINT64_C(1) << 50) | (p[need[nneed - 2] - 1] & 0x40 ? UINT64_C(1) << 62 : 0));
		diag_init(&d);
		CHECK(qcow2_verdict(&bm, &d) == LIB_REFUSED && d.n > 0, "%s: L2 entry past the end: %s", file, diag_first(&d));
	}
	free(b);
}

void sweep_states(int n, char **files, int *pass, int *fail)
{
	for (int i = 0; i < n; i++) {
		size_t len;
		uint8_t *p = sweep_load(files[i], &len);

		if (len >= 4 && !memcmp(p, "QEVM", 4))
			sweep_stream(files[i], p, len);
		else if (len >= 16 && !memcmp(p, "LibvirtQemudSave", 16))
			sweep_libvirt(files[i], p, len);
		else if (len >= 4 && !memcmp(p, "QFI\xfb", 4))
			sweep_qcow2(files[i], p, len);
		else
			CHECK(0, "%s: not a saved state this sweep knows", files[i]);
		free(p);
	}
	*pass += t_pass;
	*fail += t_fail;
}
