/* SPDX-License-Identifier: MIT */
/* OVMF varstore parser (see varstore.h). */
#include "varstore.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "guid.h"

const char *var_state_name(uint8_t state)
{
	switch (state) {
	case VAR_ADDED: return "added";
	case VAR_HEADER_ONLY: return "header-only";
	case VAR_DELETED: return "deleted";
	case VAR_IN_DELETED_TRANSITION: return "in-deleted-transition";
	case VAR_IN_DELETED_TRANSITION & VAR_DELETED: return "deleted";
	default: return "unknown";
	}
}

static enum var_state_kind state_kind(uint8_t s)
{
	if (s == VAR_ADDED)
		return VSTATE_LIVE;
	if (s == VAR_HEADER_ONLY)
		return VSTATE_HEADER_ONLY;
	if (s == VAR_IN_DELETED_TRANSITION)
		return VSTATE_TRANSITION;
	if ((s & 0xFE) == 0x3C || s == VAR_DELETED)
		return VSTATE_DELETED; /* 0x3C, 0x3D: deleted, with or without transition bit */
	return VSTATE_OTHER;
}

uint32_t ftw_header_crc(const uint8_t hdr[FTW_HDR_SIZE])
{
	uint8_t h[FTW_HDR_SIZE];

	memcpy(h, hdr, FTW_HDR_SIZE);
	/* EDK2 (FaultTolerantWriteDxe InitializeLocalWorkSpaceHeader) computes the
	 * CRC with Crc and the WorkingBlockValid/Invalid bits erased, and a header
	 * is valid only if it equals that one byte for byte: the 6 reserved bits
	 * and the 3 reserved bytes count */
	memset(h + FTW_CRC_OFF, 0xFF, 4);
	h[FTW_STATE_OFF] |= FTW_STATE_BITS;
	return (uint32_t)crc32(0L, h, FTW_HDR_SIZE);
}


static int by_guid_name(const void *a, const void *b)
{
	const struct variable *x = *(const struct variable *const *)a, *y = *(const struct variable *const *)b;
	int c = memcmp(x->guid, y->guid, 16);

	return c ? c : strcmp(x->name, y->name);
}

/*
 * A variable in deleted transition is live when no live copy with its name
 * and GUID exists. The store is guest-written: with up to len/32 variables a
 * pairwise search would be quadratic (a 256 MiB file of transition records
 * would hang the host tool), so the live ones are sorted once and each
 * transition record is a binary search: O(n log n).
 */
static enum lib_result resolve_transitions(struct varstore *vs, struct diag *d)
{
	const struct variable **live;
	size_t nl = 0, ntrans = 0;

	for (size_t i = 0; i < vs->nvars; i++)
		ntrans += vs->vars[i].kind == VSTATE_TRANSITION;
	if (!ntrans)
		return LIB_OK;
	live = malloc((vs->nlive ? vs->nlive : 1) * sizeof(*live));
	if (!live)
		return diag_no_memory(d, "out of memory for %zu live variables", vs->nlive);
	for (size_t i = 0; i < vs->nvars; i++)
		if (vs->vars[i].kind == VSTATE_LIVE)
			live[nl++] = &vs->vars[i];
	qsort(live, nl, sizeof(*live), by_guid_name);
	for (size_t i = 0; i < vs->nvars; i++) {
		struct variable *v = &vs->vars[i];
		const struct variable *key = v;

		if (v->kind != VSTATE_TRANSITION)
			continue;
		if (nl && bsearch(&key, live, nl, sizeof(*live), by_guid_name)) {
			vs->ndeleted++;
		} else {
			vs->nlive++;
			v->live = 1;
		}
	}
	free(live);
	return LIB_OK;
}

/* Variables from off to end; each header 4-aligned, free space 0xFF. */
static enum lib_result walk_variables(const uint8_t *p, uint64_t off, uint64_t end, struct varstore *vs, struct diag *d)
{
	const size_t hdr = vs->authenticated ? VAR_HDR_AUTH : VAR_HDR_PLAIN;
	/* no more than this can fit; the array grows by doubling up to it, so a
	 * large file costs memory only for the records it really holds */
	const size_t most = (size_t)((end - off) / VAR_HDR_PLAIN + 1);
	size_t cap = 0;
	enum lib_result rc = LIB_OK;

	vs->vars = NULL;
	for (;;) {
		struct variable *v;
		uint16_t start = 0;
		uint32_t nsize = 0, dsize = 0;
		uint64_t total;

		if (vs->nvars == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct variable *grown;

			if (ncap > most)
				ncap = most;
			if (ncap <= cap) /* cannot happen: each record takes >= VAR_HDR_PLAIN bytes */
				break;
			grown = realloc(vs->vars, ncap * sizeof(*vs->vars));
			if (!grown)
				return diag_no_memory(d, "out of memory for %zu variables (%zu bytes)", ncap,
						      ncap * sizeof(*vs->vars));
			vs->vars = grown;
			cap = ncap;
		}

		off = (off + 3) & ~(uint64_t)3;
		if (off >= end || end - off < 2) {
			vs->vars_end = end;
			break;
		}
		rd_le16(p, (size_t)end, off, &start);
		if (start == 0xFFFF) {
			vs->vars_end = off;
			break;
		}
		if (start != VAR_START_ID) {
			vs->vars_end = off;
			rc = diag_add(d, DIAG_ERROR, "variable %zu at 0x%llx: StartId 0x%04x, expected 0x%04x",
				      vs->nvars, (unsigned long long)off, start, VAR_START_ID);
			break;
		}
		if (end - off < hdr) {
			vs->vars_end = off;
			rc = diag_add(d, DIAG_ERROR, "variable %zu at 0x%llx: header (%zu bytes) runs past the store end 0x%llx",
				      vs->nvars, (unsigned long long)off, hdr, (unsigned long long)end);
			break;
		}
		v = &vs->vars[vs->nvars];
		memset(v, 0, sizeof(*v));
		v->offset = off;
		v->state = p[off + VAR_STATE_OFF];
		v->kind = state_kind(v->state);
		rd_le32(p, (size_t)end, off + VAR_ATTR_OFF, &v->attributes);
		rd_le32(p, (size_t)end, off + (vs->authenticated ? VAR_AUTH_NSIZE_OFF : VAR_PLAIN_NSIZE_OFF), &nsize);
		rd_le32(p, (size_t)end, off + (vs->authenticated ? VAR_AUTH_DSIZE_OFF : VAR_PLAIN_DSIZE_OFF), &dsize);
		memcpy(v->guid, p + off + (vs->authenticated ? VAR_AUTH_GUID_OFF : VAR_PLAIN_GUID_OFF), 16);
		if (vs->authenticated) { /* inside the header checked above */
			const uint8_t *t = p + off + VAR_AUTH_TIME_OFF;

			rd_le64(p, (size_t)end, off + VAR_AUTH_MONO_OFF, &v->monotonic);
			rd_le32(p, (size_t)end, off + VAR_AUTH_PUBKEY_OFF, &v->pubkey_index);
			v->time.year = (uint16_t)(t[0] | t[1] << 8);
			v->time.month = t[2];
			v->time.day = t[3];
			v->time.hour = t[4];
			v->time.minute = t[5];
			v->time.second = t[6];
			v->time.nanosecond = (uint32_t)t[8] | (uint32_t)t[9] << 8 | (uint32_t)t[10] << 16 | (uint32_t)t[11] << 24;
			v->time.timezone = (int16_t)(uint16_t)(t[12] | t[13] << 8);
			v->time.daylight = t[14];
		}
		v->name_size = nsize;
		v->data_size = dsize;
		v->data_offset = off + hdr + nsize;
		total = (uint64_t)hdr + nsize + dsize; /* < 2^34: no wrap */
		if (total > end - off) {
			vs->vars_end = off;
			rc = diag_add(d, DIAG_ERROR,
				      "variable %zu at 0x%llx: NameSize 0x%x + DataSize 0x%x run past the store end 0x%llx by 0x%llx",
				      vs->nvars, (unsigned long long)off, nsize, dsize,
				      (unsigned long long)end,
				      (unsigned long long)(total - (end - off)));
			break;
		}
		vs->nvars++;
		ucs2_to_utf8(p + off + hdr, nsize, v->name, sizeof(v->name));
		if (v->kind == VSTATE_HEADER_ONLY) {
			/* a write that stopped after its header: data may be garbage, sizes still bound it */
		} else if (nsize < 2 || nsize % 2 || p[off + hdr + nsize - 1] || p[off + hdr + nsize - 2]) {
			rc = diag_add(d, DIAG_ERROR, "variable %zu at 0x%llx: NameSize 0x%x is not an even, NUL-terminated UCS-2 name",
				      vs->nvars - 1, (unsigned long long)off, nsize);
		}
		v->live = v->kind == VSTATE_LIVE;
		if (v->kind == VSTATE_LIVE)
			vs->nlive++;
		else if (v->kind == VSTATE_DELETED)
			vs->ndeleted++;
		off += total;
	}
	if (resolve_transitions(vs, d) != LIB_OK)
		return LIB_NO_MEMORY;
	if (rc == LIB_OK && vs->vars_end < end) {
		vs->free_bytes = end - vs->vars_end;
		if (!bytes_all(p, (size_t)end, vs->vars_end, vs->free_bytes, 0xFF))
			rc = diag_add(d, DIAG_ERROR, "free space from 0x%llx to 0x%llx is not erased (0xff): data after the last variable",
				      (unsigned long long)vs->vars_end, (unsigned long long)end);
	}
	return rc;
}

/*
 * The FTW write queue as FtwGetLastWriteHeader walks it: headers with their
 * Complete bit set are skipped by their total size; the first one without it
 * is the last (or next) write. Every header takes at least 0x28 bytes of a
 * 0xFE0-byte queue, so the walk has at most 101 steps, and NumberOfWrites is
 * checked against the room left before it is multiplied.
 */
static enum lib_result parse_ftw_queue(const uint8_t *p, uint64_t q, uint64_t end, struct varstore *vs, struct diag *d)
{
	const uint64_t start = q;

	while (end - q >= FTW_WRITE_HDR_SIZE) {
		const uint8_t flags = p[q];
		uint64_t nwrites = 0, priv = 0, rec, room;

		if (flags & FTW_HDR_ALLOCATED) /* still erased: no more writes */
			return LIB_OK;
		rd_le64(p, (size_t)end, q + FTW_NWRITES_OFF, &nwrites);
		rd_le64(p, (size_t)end, q + FTW_PRIVSIZE_OFF, &priv);
		room = end - q - FTW_WRITE_HDR_SIZE;
		if (priv > room || (nwrites && nwrites > room / (FTW_RECORD_SIZE + priv)))
			return diag_add(d, DIAG_ERROR,
					"FTW write %zu at 0x%llx: NumberOfWrites %llu x (0x28 + PrivateDataSize 0x%llx) runs past the write queue end 0x%llx",
					vs->ftw_writes, (unsigned long long)q, (unsigned long long)nwrites,
					(unsigned long long)priv, (unsigned long long)end);
		rec = FTW_RECORD_SIZE + priv;
		vs->ftw_writes++;
		/* the queue's extent: this header, and its records once they are allocated */
		vs->ftw_queue_used = q + FTW_WRITE_HDR_SIZE + (flags & FTW_HDR_WRITES_ALLOC ? 0 : nwrites * rec) - start;
		if (!(flags & FTW_HDR_WRITES_ALLOC)) /* the records are there */
			for (uint64_t i = 0; i < nwrites; i++) {
				vs->ftw_records++;
				if (p[q + FTW_WRITE_HDR_SIZE + i * rec] & FTW_REC_DEST_DONE) /* not yet set */
					vs->ftw_pending++;
			}
		if (flags & FTW_HDR_COMPLETE) { /* not set: this is the last write */
			vs->ftw_last_in_progress = 1;
			return LIB_OK;
		}
		q += FTW_WRITE_HDR_SIZE + nwrites * rec;
	}
	return LIB_OK;
}

static enum lib_result parse_ftw(const uint8_t *p, size_t len, struct varstore *vs, struct diag *d)
{
	const uint64_t o = vs->ftw_off;
	enum lib_result rc = LIB_OK;

	if (!in_bounds(len, o, OVMF_FTW_WORK_SIZE))
		return diag_add(d, DIAG_ERROR, "FTW working block at 0x%llx runs past the end of the file (0x%zx)",
				(unsigned long long)o, len);
	if (!guid_eq(p + o, GUID_FTW_WORKING)) {
		char g[GUID_STR_LEN];

		guid_format(p + o, g);
		return diag_add(d, DIAG_ERROR, "FTW working block at 0x%llx: signature %s, expected 9e58292b-7c68-497d-a0ce-6500fd9f1b95",
				(unsigned long long)o, g);
	}
	vs->ftw_present = 1;
	rd_le32(p, len, o + FTW_CRC_OFF, &vs->ftw_crc);
	vs->ftw_state = p[o + FTW_STATE_OFF];
	rd_le64(p, len, o + FTW_QUEUE_SIZE_OFF, &vs->ftw_queue_size);
	vs->ftw_crc_expected = ftw_header_crc(p + o);
	if (vs->ftw_crc != vs->ftw_crc_expected)
		rc = diag_add(d, DIAG_ERROR, "FTW working block CRC 0x%08x, expected 0x%08x",
			      vs->ftw_crc, vs->ftw_crc_expected);
	if (vs->ftw_state != FTW_VALID_STATE)
		rc = diag_add(d, DIAG_ERROR, "FTW working block state 0x%02x, expected 0x%02x (valid)",
			      vs->ftw_state, FTW_VALID_STATE);
	if (vs->ftw_queue_size != OVMF_FTW_WORK_SIZE - FTW_HDR_SIZE)
		rc = diag_add(d, DIAG_ERROR, "FTW WriteQueueSize 0x%llx, expected 0x%x",
			      (unsigned long long)vs->ftw_queue_size, OVMF_FTW_WORK_SIZE - FTW_HDR_SIZE);
	if (parse_ftw_queue(p, o + FTW_HDR_SIZE, o + OVMF_FTW_WORK_SIZE, vs, d) != LIB_OK)
		rc = LIB_REFUSED;
	return rc;
}

enum lib_result varstore_parse(const uint8_t *p, size_t len, struct varstore *vs, struct diag *d)
{
	const struct fv_header *h = &vs->fv;
	uint64_t so;
	enum lib_result rc = LIB_OK;

	memset(vs, 0, sizeof(*vs));
	switch (fv_parse(p, len, 0, &vs->fv, "varstore FV", d)) {
	case FV_UNUSABLE:
		return LIB_REFUSED;
	case FV_DEFECTIVE:
		rc = LIB_REFUSED; /* reported; the header is still usable for the rest */
		break;
	case FV_OK:
		break;
	}
	if (!guid_eq(h->fs_guid, GUID_SYSTEM_NV_DATA_FV)) {
		char g[GUID_STR_LEN];

		guid_format(h->fs_guid, g);
		rc = diag_add(d, DIAG_ERROR, "varstore FV: FileSystemGuid %s, expected fff12b8d-7696-4c8b-a985-2747075b4f50 (EfiSystemNvDataFv)", g);
	}
	if (h->attributes != OVMF_FV_ATTRIBUTES)
		rc = diag_add(d, DIAG_ERROR, "varstore FV: Attributes 0x%08x, expected 0x%08x",
			      h->attributes, OVMF_FV_ATTRIBUTES);
	for (size_t i = 0; i < h->nblocks; i++)
		if (h->blocks[i].length != OVMF_BLOCK_SIZE)
			rc = diag_add(d, DIAG_ERROR, "varstore FV: block size 0x%x, expected 0x%x",
				      h->blocks[i].length, OVMF_BLOCK_SIZE);
	if (h->fv_length != len)
		rc = diag_add(d, DIAG_ERROR, "varstore FV: FvLength 0x%llx, file size 0x%zx",
			      (unsigned long long)h->fv_length, len);

	so = h->header_length;
	if (!in_bounds(len, so, VS_HDR_SIZE))
		return diag_add(d, DIAG_ERROR, "variable store header at 0x%llx runs past the end of the file", (unsigned long long)so);
	memcpy(vs->store_guid, p + so, 16);
	vs->authenticated = guid_eq(vs->store_guid, GUID_AUTH_VARIABLE);
	if (!vs->authenticated && !guid_eq(vs->store_guid, GUID_VARIABLE)) {
		char g[GUID_STR_LEN];

		guid_format(vs->store_guid, g);
		return diag_add(d, DIAG_ERROR, "variable store header at 0x%llx: format GUID %s is neither authenticated nor plain",
				(unsigned long long)so, g);
	}
	rd_le32(p, len, so + VS_SIZE_OFF, &vs->store_size);
	vs->format = p[so + VS_FORMAT_OFF];
	vs->state = p[so + VS_STATE_OFF];
	if (vs->format != VS_FORMATTED)
		rc = diag_add(d, DIAG_ERROR, "variable store header: Format 0x%02x, expected 0x%02x",
			      vs->format, VS_FORMATTED);
	if (vs->state != VS_HEALTHY)
		rc = diag_add(d, DIAG_ERROR, "variable store header: State 0x%02x, expected 0x%02x (healthy)",
			      vs->state, VS_HEALTHY);
	if (vs->store_size < VS_HDR_SIZE || !in_bounds(len, so, vs->store_size))
		return diag_add(d, DIAG_ERROR, "variable store header: Size 0x%x does not fit the file (0x%llx bytes after the FV header)",
				vs->store_size, (unsigned long long)(len - so));
	vs->store_end = so + vs->store_size;
	rc = lib_worse(rc, walk_variables(p, so + VS_HDR_SIZE, vs->store_end, vs, d));
	if (rc == LIB_NO_MEMORY)
		return rc;

	/* OVMF: FvLength = store + event log + FTW working block + spare (as large as the first three) */
	vs->event_log_off = vs->store_end;
	vs->ftw_off = vs->store_end + OVMF_EVENT_LOG_SIZE;
	vs->spare_off = vs->ftw_off + OVMF_FTW_WORK_SIZE;
	vs->spare_size = vs->spare_off;
	if (h->fv_length != vs->spare_off + vs->spare_size)
		rc = diag_add(d, DIAG_ERROR,
			      "FvLength 0x%llx, but store 0x%llx + event log 0x%x + FTW working 0x%x + spare 0x%llx = 0x%llx",
			      (unsigned long long)h->fv_length, (unsigned long long)vs->store_end,
			      OVMF_EVENT_LOG_SIZE, OVMF_FTW_WORK_SIZE,
			      (unsigned long long)vs->spare_size,
			      (unsigned long long)(vs->spare_off + vs->spare_size));
	vs->event_log_erased = bytes_all(p, len, vs->event_log_off, OVMF_EVENT_LOG_SIZE, 0xFF);
	if (parse_ftw(p, len, vs, d) != LIB_OK)
		rc = LIB_REFUSED;
	vs->spare_erased = in_bounds(len, vs->spare_off, vs->spare_size) &&
			   bytes_all(p, len, vs->spare_off, vs->spare_size, 0xFF);
	return rc;
}

void varstore_free(struct varstore *vs)
{
	free(vs->vars);
	vs->vars = NULL;
}

#define SAME(field, fmt, label) do { \
	if (a->field != t->field) \
		rc = diag_add(d, DIAG_ERROR, label " " fmt ", template has " fmt, \
			      (unsigned long long)a->field, (unsigned long long)t->field); } while (0)

enum lib_result varstore_compare_layout(const struct varstore *a, const struct varstore *t, struct diag *d)
{
	enum lib_result rc = LIB_OK;

	SAME(fv.fv_length, "0x%llx", "FvLength");
	SAME(fv.attributes, "0x%llx", "FV Attributes");
	SAME(fv.header_length, "0x%llx", "FV HeaderLength");
	SAME(fv.nblocks, "%llu", "block map entries");
	for (size_t i = 0; i < a->fv.nblocks && i < t->fv.nblocks; i++) {
		SAME(fv.blocks[i].num, "%llu", "block map NumBlocks");
		SAME(fv.blocks[i].length, "0x%llx", "block size");
	}
	SAME(authenticated, "%llu", "authenticated store (1 = yes)");
	SAME(store_size, "0x%llx", "variable store Size");
	SAME(event_log_off, "0x%llx", "event log at");
	SAME(ftw_off, "0x%llx", "FTW working block at");
	SAME(spare_off, "0x%llx", "FTW spare at");
	SAME(spare_size, "0x%llx", "FTW spare size");
	SAME(ftw_queue_size, "0x%llx", "FTW WriteQueueSize");
	return rc;
}
