/* SPDX-License-Identifier: MIT */
/* qcow2 internal snapshots' VM state (see qcow2.h). */
#include "qcow2.h"

#include <string.h>

#include "bytes.h"

#define HDR_LEN 104

enum lib_result qcow2_open(qcow2_read_fn rd, void *ctx, struct qcow2 *q, struct diag *d)
{
	uint8_t h[HDR_LEN];
	uint32_t magic = 0, crypt = 0, nsnap = 0;
	uint64_t snap_off = 0, feat = 0, off;

	memset(q, 0, sizeof(*q));
	if (rd(ctx, 0, h, 72) < 0)
		return diag_add(d, DIAG_ERROR, "qcow2 header: shorter than 72 bytes");
	rd_be32(h, 72, 0, &magic);
	rd_be32(h, 72, 4, &q->version);
	rd_be32(h, 72, 20, &q->cluster_bits);
	rd_be64(h, 72, 24, &q->size);
	rd_be32(h, 72, 32, &crypt);
	rd_be32(h, 72, 60, &nsnap);
	rd_be64(h, 72, 64, &snap_off);
	if (magic != QCOW2_MAGIC)
		return diag_add(d, DIAG_ERROR, "not a qcow2 image: no \"QFI\\xfb\" at 0x0");
	if (q->version != 2 && q->version != 3)
		return diag_add(d, DIAG_ERROR, "qcow2 version %u (2 and 3 are read)", q->version);
	if (q->cluster_bits < 9 || q->cluster_bits > 21)
		return diag_add(d, DIAG_ERROR, "qcow2 cluster_bits %u (9 to 21)", q->cluster_bits);
	if (crypt)
		return diag_add(d, DIAG_ERROR, "an encrypted qcow2 image (crypt_method %u): its VM state cannot be read", crypt);
	if (q->version == 3) {
		if (rd(ctx, 0, h, 80) < 0)
			return diag_add(d, DIAG_ERROR, "qcow2 v3 header: shorter than 80 bytes");
		rd_be64(h, 80, 72, &feat);
		q->extended_l2 = (feat & QCOW2_EXTENDED_L2) != 0;
	}
	if (nsnap > QCOW2_SNAPSHOTS_MAX)
		return diag_add(d, DIAG_ERROR, "%u snapshots (at most %d are read)", nsnap, QCOW2_SNAPSHOTS_MAX);
	off = snap_off;
	for (uint32_t i = 0; i < nsnap; i++) {
		struct qcow2_snapshot *s = &q->snap[q->nsnap];
		uint8_t e[56];
		uint16_t idl = 0, nl = 0;
		uint32_t vs32 = 0, extra = 0;

		if (off > UINT64_MAX - 65536 || rd(ctx, off, e, 40) < 0)
			return diag_add(d, DIAG_ERROR, "snapshot %u: its table entry at 0x%llx is not in the image", i,
					(unsigned long long)off);
		rd_be64(e, 40, 0, &s->l1_offset);
		rd_be32(e, 40, 8, &s->l1_size);
		rd_be16(e, 40, 12, &idl);
		rd_be16(e, 40, 14, &nl);
		rd_be32(e, 40, 32, &vs32);
		rd_be32(e, 40, 36, &extra);
		if (extra > 1024)
			return diag_add(d, DIAG_ERROR, "snapshot %u: extra data of %u bytes (at most 1024)", i, extra);
		s->vm_state_size = vs32;
		s->disk_size = q->size;
		if (extra >= 8 && rd(ctx, off + 40, e + 40, extra >= 16 ? 16 : 8) == 0) {
			rd_be64(e, 56, 40, &s->vm_state_size);
			if (extra >= 16)
				rd_be64(e, 56, 48, &s->disk_size);
		}
		{
			uint64_t p = off + 40 + extra;
			size_t ci = idl < QCOW2_NAME_MAX ? idl : QCOW2_NAME_MAX - 1;
			size_t cn = nl < QCOW2_NAME_MAX ? nl : QCOW2_NAME_MAX - 1;

			if (rd(ctx, p, (uint8_t *)s->id, ci) < 0 || rd(ctx, p + idl, (uint8_t *)s->name, cn) < 0)
				return diag_add(d, DIAG_ERROR, "snapshot %u: its id and name are not in the image", i);
			s->id[ci] = '\0';
			s->name[cn] = '\0';
		}
		off += 40 + (uint64_t)extra + idl + nl;
		off = (off + 7) & ~(uint64_t)7;
		q->nsnap++;
	}
	return LIB_OK;
}

enum lib_result qcow2_vmstate(qcow2_read_fn rd, void *ctx, const struct qcow2 *q, const struct qcow2_snapshot *sn,
			      uint8_t *buf, size_t n, struct diag *d)
{
	const uint64_t cs = UINT64_C(1) << q->cluster_bits;
	const unsigned entry = q->extended_l2 ? 16 : 8;
	const unsigned l2_bits = q->cluster_bits - (q->extended_l2 ? 4 : 3);
	const uint64_t span = cs << l2_bits; /* bytes one L1 entry covers */
	uint64_t base, done = 0;

	if (sn->disk_size > UINT64_MAX - span)
		return diag_add(d, DIAG_ERROR, "snapshot %s: disk size 0x%llx", sn->id, (unsigned long long)sn->disk_size);
	base = (sn->disk_size + span - 1) / span * span;
	while (done < n) {
		uint64_t v = base + done, l1i = v / span, l2i = (v % span) >> q->cluster_bits, in = v & (cs - 1);
		uint64_t l1e = 0, l2e = 0, take = cs - in < n - done ? cs - in : n - done;
		uint8_t b[8];

		if (l1i >= sn->l1_size)
			return diag_add(d, DIAG_ERROR, "snapshot %s: its VM state at 0x%llx is past its L1 table (%u entries)",
					sn->id, (unsigned long long)v, sn->l1_size);
		if (rd(ctx, sn->l1_offset + l1i * 8, b, 8) < 0)
			return diag_add(d, DIAG_ERROR, "snapshot %s: L1 table at 0x%llx is not in the image", sn->id,
					(unsigned long long)sn->l1_offset);
		rd_be64(b, 8, 0, &l1e);
		l1e &= QCOW2_OFFSET_MASK;
		if (l1e) {
			if (rd(ctx, l1e + l2i * entry, b, 8) < 0)
				return diag_add(d, DIAG_ERROR, "snapshot %s: L2 table at 0x%llx is not in the image", sn->id,
						(unsigned long long)l1e);
			rd_be64(b, 8, 0, &l2e);
		}
		if (l2e & QCOW2_COMPRESSED)
			return diag_add(d, DIAG_ERROR, "snapshot %s: a compressed cluster in its VM state: not read", sn->id);
		if (!l1e || !(l2e & QCOW2_OFFSET_MASK) || (l2e & QCOW2_ZERO))
			memset(buf + done, 0, (size_t)take);
		else if (rd(ctx, (l2e & QCOW2_OFFSET_MASK) + in, buf + done, (size_t)take) < 0)
			return diag_add(d, DIAG_ERROR, "snapshot %s: a VM state cluster at 0x%llx is not in the image", sn->id,
					(unsigned long long)(l2e & QCOW2_OFFSET_MASK));
		done += take;
	}
	return LIB_OK;
}
