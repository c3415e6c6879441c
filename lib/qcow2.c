/* SPDX-License-Identifier: MIT */
/* qcow2 internal snapshots' VM state (see qcow2.h). */
#include "qcow2.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "unpack.h"

#define HDR_LEN 112

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
		if (feat & QCOW2_COMPRESSION_BIT) { /* the type byte is there when the bit is set */
			uint32_t hl = 0;

			if (rd(ctx, 0, h, 105) < 0)
				return diag_add(d, DIAG_ERROR, "qcow2 header: the compression type bit is set, the header is shorter than 105 bytes");
			rd_be32(h, 105, 100, &hl);
			if (hl < 105)
				return diag_add(d, DIAG_ERROR, "qcow2 header: the compression type bit is set, header_length %u (105 at least)", hl);
			q->compression = h[104];
			if (q->compression > 1)
				return diag_add(d, DIAG_ERROR, "qcow2 compression type %u (0 zlib, 1 zstd)", q->compression);
		}
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
	const unsigned csize_shift = 62 - (q->cluster_bits - 8);
	uint8_t *cbuf = NULL; /* a compressed cluster, decoded */
	uint64_t base, done = 0, cbuf_at = UINT64_MAX;
	enum lib_result res = LIB_OK;

	if (sn->disk_size > UINT64_MAX - span)
		return diag_add(d, DIAG_ERROR, "snapshot %s: disk size 0x%llx", sn->id, (unsigned long long)sn->disk_size);
	base = (sn->disk_size + span - 1) / span * span;
	while (done < n) {
		uint64_t v = base + done, l1i = v / span, l2i = (v % span) >> q->cluster_bits, in = v & (cs - 1);
		uint64_t l1e = 0, l2e = 0, take = cs - in < n - done ? cs - in : n - done;
		uint8_t b[8];

		if (l1i >= sn->l1_size) {
			res = diag_add(d, DIAG_ERROR, "snapshot %s: its VM state at 0x%llx is past its L1 table (%u entries)",
				       sn->id, (unsigned long long)v, sn->l1_size);
			break;
		}
		if (rd(ctx, sn->l1_offset + l1i * 8, b, 8) < 0) {
			res = diag_add(d, DIAG_ERROR, "snapshot %s: L1 table at 0x%llx is not in the image", sn->id,
				       (unsigned long long)sn->l1_offset);
			break;
		}
		rd_be64(b, 8, 0, &l1e);
		l1e &= QCOW2_OFFSET_MASK;
		if (l1e) {
			if (rd(ctx, l1e + l2i * entry, b, 8) < 0) {
				res = diag_add(d, DIAG_ERROR, "snapshot %s: L2 table at 0x%llx is not in the image", sn->id,
					       (unsigned long long)l1e);
				break;
			}
			rd_be64(b, 8, 0, &l2e);
		}
		if (l2e & QCOW2_COMPRESSED) {
			uint64_t coff = l2e & ((UINT64_C(1) << csize_shift) - 1);
			uint64_t sectors = ((l2e >> csize_shift) & ((UINT64_C(1) << (q->cluster_bits - 8)) - 1)) + 1;
			uint64_t csize = sectors * 512 - (coff & 511);
			size_t got = 0;
			int ended = 0;
			struct diag u;

			if (!cbuf && !(cbuf = malloc((size_t)cs))) {
				res = diag_no_memory(d, "snapshot %s: out of memory for a cluster (0x%llx bytes)", sn->id,
						     (unsigned long long)cs);
				break;
			}
			if (cbuf_at != coff) {
				uint8_t one;

				/* QEMU writes the data, not its last sector's padding: the image may end inside that sector */
				for (unsigned k = 0; k < 511 && csize > 1 && rd(ctx, coff + csize - 1, &one, 1) < 0; k++)
					csize--;
				diag_init(&u);
				res = unpack_prefix(q->compression ? UNPACK_ZSTD : UNPACK_DEFLATE, rd, ctx, coff, csize, cbuf,
						    (size_t)cs, &got, &ended, &u);
				if (res == LIB_OK && got != cs)
					res = diag_add(&u, DIAG_ERROR, "it decodes to 0x%zx bytes", got);
				if (res != LIB_OK) {
					if (res == LIB_REFUSED)
						res = diag_add(d, DIAG_ERROR, "snapshot %s: the compressed cluster at 0x%llx (%s, 0x%llx bytes) of its VM state does not decode to the cluster's 0x%llx bytes: %s",
							       sn->id, (unsigned long long)coff, q->compression ? "zstd" : "zlib",
							       (unsigned long long)csize, (unsigned long long)cs, u.n ? u.item[u.n - 1].msg : "");
					else
						diag_append(d, &u);
					break;
				}
				cbuf_at = coff;
			}
			memcpy(buf + done, cbuf + in, (size_t)take);
		} else if (!l1e || !(l2e & QCOW2_OFFSET_MASK) || (l2e & QCOW2_ZERO))
			memset(buf + done, 0, (size_t)take);
		else if (rd(ctx, (l2e & QCOW2_OFFSET_MASK) + in, buf + done, (size_t)take) < 0) {
			res = diag_add(d, DIAG_ERROR, "snapshot %s: a VM state cluster at 0x%llx is not in the image", sn->id,
				       (unsigned long long)(l2e & QCOW2_OFFSET_MASK));
			break;
		}
		done += take;
	}
	free(cbuf);
	return res;
}
