/* SPDX-License-Identifier: MIT */
/* OVMF's flash and FTW start-up, applied to a copy of a varstore (see ftwboot.h). */
#include "ftwboot.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "fv.h"
#include "guid.h"
#include "varstore.h"

#define WS        OVMF_FTW_WORK_SIZE /* the work space: one block */
#define BLOCK     OVMF_BLOCK_SIZE
/* flag bits: varstore.h (FTW_HDR_*, FTW_REC_*) */
#define REC_LBA_OFF      0x08 /* u64 Lba */
#define REC_OFFSET_OFF   0x10 /* u64 Offset */
#define REC_LENGTH_OFF   0x18 /* u64 Length */
#define REC_RELATIVE_OFF 0x20 /* i64 RelativeOffset: target address - spare address */
/* WorkSpaceRefresh reclaims when less than a header and a record are left */
#define WS_MIN_ROOM      (FTW_WRITE_HDR_SIZE + FTW_RECORD_SIZE)

const char *ftw_boot_action_name(enum ftw_boot_action a)
{
	switch (a) {
	case FTW_BOOT_IDLE: return "none";
	case FTW_BOOT_RESTART: return "restart";
	case FTW_BOOT_DISCARD: return "discard";
	case FTW_BOOT_FINISH: return "finish";
	case FTW_BOOT_LEFT: return "left";
	case FTW_BOOT_REFORMAT: return "reformat";
	default: return "unknown";
	}
}

const char *ftw_boot_workspace_name(enum ftw_boot_workspace w)
{
	switch (w) {
	case FTW_WS_FROM_SPARE: return "from-spare";
	case FTW_WS_RESET: return "reset";
	case FTW_WS_COMPACTED: return "compacted";
	default: return "as-is";
	}
}

/* The FTW driver's state: the flash (view) and its memory copy of the work space. */
struct ftw {
	uint8_t *flash;
	size_t len;
	uint64_t ws_off, spare_off, spare_len;
	uint8_t ws[WS];          /* FtwDevice->FtwWorkSpace */
	uint64_t hdr, rec;       /* FtwLastWriteHeader / FtwLastWriteRecord, offsets in ws */
	struct ftw_boot *b;
};

static enum lib_result unknown(struct ftw *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static enum lib_result unknown(struct ftw *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->b->why, sizeof(f->b->why), fmt, ap);
	va_end(ap);
	f->b->action = FTW_BOOT_UNKNOWN;
	return LIB_REFUSED;
}

/* InitializeLocalWorkSpaceHeader: the one header IsValidWorkSpace accepts. */
static void canonical_header(uint8_t h[FTW_HDR_SIZE])
{
	memcpy(h, GUID_FTW_WORKING, 16);
	memset(h + FTW_CRC_OFF, 0xFF, 4);
	h[FTW_STATE_OFF] = FTW_VALID_STATE;
	memset(h + FTW_STATE_OFF + 1, 0xFF, 3);
	wr_le64(h + FTW_QUEUE_SIZE_OFF, WS - FTW_HDR_SIZE);
	wr_le32(h + FTW_CRC_OFF, ftw_header_crc(h));
}

static int ws_valid(const uint8_t *w)
{
	uint8_t h[FTW_HDR_SIZE];

	canonical_header(h);
	return memcmp(w, h, FTW_HDR_SIZE) == 0;
}

static uint64_t le64_at(const uint8_t *w, uint64_t off)
{
	uint64_t v = 0;

	rd_le64(w, WS, off, &v);
	return v;
}

/*
 * EDK2 computes queue sizes and positions in UINTN, wrapping. So does this
 * file: a hostile queue leads where it leads the firmware, and each walk is
 * cut off (as "unknown") where the firmware would leave the work space or
 * loop for ever.
 */
#define WALK_MAX (WS / 4)

/* FTW_RECORD_SIZE and FTW_WRITE_TOTAL_SIZE (n records) of the header at off. */
static uint64_t record_size(const uint8_t *w, uint64_t off)
{
	return FTW_RECORD_SIZE + le64_at(w, off + FTW_PRIVSIZE_OFF);
}

static uint64_t write_total(const uint8_t *w, uint64_t off, uint64_t n)
{
	return FTW_WRITE_HDR_SIZE + n * record_size(w, off);
}

/* What FtwGetLastWriteHeader finds. */
enum last_header {
	HEADER_FOUND,     /* f->hdr: the last header (EFI_SUCCESS) */
	HEADER_PAST_END,  /* the walk left the work space (EFI_ABORTED) */
	HEADER_UNKNOWN,   /* the walk cannot be followed: unknown() said why */
};

static enum last_header last_header(struct ftw *f)
{
	uint64_t off = FTW_HDR_SIZE;

	f->hdr = off;
	for (int steps = 0; !(f->ws[off] & FTW_HDR_COMPLETE); steps++) {
		if (!in_bounds(WS, off, FTW_WRITE_HDR_SIZE)) {
			unknown(f, "FTW write header at 0x%llx runs past the working block", (unsigned long long)off);
			return HEADER_UNKNOWN;
		}
		if (steps == WALK_MAX) {
			unknown(f, "the FTW write queue loops (header at 0x%llx): the firmware would not finish walking it",
				(unsigned long long)off);
			return HEADER_UNKNOWN;
		}
		off += write_total(f->ws, off, le64_at(f->ws, off + FTW_NWRITES_OFF));
		if (off >= WS)
			return HEADER_PAST_END;
		f->hdr = off;
	}
	return HEADER_FOUND;
}

/* FtwGetLastWriteRecord: the first record whose destination is not complete, else the last one. */
static enum lib_result last_record(struct ftw *f)
{
	const uint64_t n = le64_at(f->ws, f->hdr + FTW_NWRITES_OFF), rec = record_size(f->ws, f->hdr);
	uint64_t r = f->hdr + FTW_WRITE_HDR_SIZE, i;

	for (i = 0; i < n; i++, r += rec) {
		if (!in_bounds(WS, r, FTW_RECORD_SIZE))
			return unknown(f, "FTW write record %llu of the header at 0x%llx lies outside the working block",
				       (unsigned long long)i, (unsigned long long)f->hdr);
		if (i == WALK_MAX)
			return unknown(f, "the FTW records of the header at 0x%llx loop", (unsigned long long)f->hdr);
		if (f->ws[r] & FTW_REC_DEST_DONE) {
			f->rec = r;
			return LIB_OK;
		}
	}
	f->rec = r - rec; /* all complete: the last one (EDK2 steps back one record) */
	if (!in_bounds(WS, f->rec, FTW_RECORD_SIZE))
		return unknown(f, "FTW write header at 0x%llx: its last record (NumberOfWrites %llu) lies outside the working block",
			       (unsigned long long)f->hdr, (unsigned long long)n);
	return LIB_OK;
}

/* FtwReclaimWorkSpace: the working block rewritten with the queue emptied,
 * keeping the last write when it is allocated and not complete. */
static enum lib_result reclaim(struct ftw *f, int preserve)
{
	uint8_t nw[WS];
	enum last_header st = preserve ? last_header(f) : HEADER_PAST_END;

	if (st == HEADER_UNKNOWN)
		return LIB_REFUSED;
	memset(nw, 0xFF, WS);
	memcpy(nw, f->ws, FTW_HDR_SIZE);
	if (st == HEADER_FOUND && !(f->ws[f->hdr] & FTW_HDR_ALLOCATED) && (f->ws[f->hdr] & FTW_HDR_COMPLETE)) {
		uint64_t total;

		if (!in_bounds(WS, f->hdr, FTW_WRITE_HDR_SIZE))
			return unknown(f, "FTW write header at 0x%llx runs past the working block", (unsigned long long)f->hdr);
		total = write_total(f->ws, f->hdr, le64_at(f->ws, f->hdr + FTW_NWRITES_OFF));
		if (!in_bounds(WS, f->hdr, total) || total > WS - FTW_HDR_SIZE)
			return unknown(f, "the FTW write at 0x%llx (0x%llx bytes) does not fit the working block the firmware rebuilds",
				       (unsigned long long)f->hdr, (unsigned long long)total);
		memcpy(nw + FTW_HDR_SIZE, f->ws + f->hdr, total);
	}
	/* FlushSpareBlockToWorkingBlock rewrites the header (InitWorkSpaceHeader, then valid) */
	canonical_header(nw);
	memcpy(f->flash + f->ws_off, nw, WS);
	/* the spare held the new block only meanwhile: its old content is written back */
	return LIB_OK;
}

/* WorkSpaceRefresh: read the working block, find the last write, reclaim when full. */
static enum lib_result refresh(struct ftw *f)
{
	enum last_header st;

	memcpy(f->ws, f->flash + f->ws_off, WS);
	st = last_header(f);
	if (st == HEADER_UNKNOWN)
		return LIB_REFUSED;
	if (st == HEADER_PAST_END || WS - f->hdr < WS_MIN_ROOM) {
		if (reclaim(f, 1) != LIB_OK)
			return LIB_REFUSED;
		if (f->b->workspace == FTW_WS_AS_IS)
			f->b->workspace = FTW_WS_COMPACTED;
		memcpy(f->ws, f->flash + f->ws_off, WS);
		if (last_header(f) != HEADER_FOUND)
			return unknown(f, "FTW write queue still full after the firmware's reclaim");
	}
	return last_record(f);
}

/* FtwAbort: mark the last write complete if it is allocated and not complete. */
static void ftw_abort(struct ftw *f)
{
	if (!(f->ws[f->hdr] & FTW_HDR_ALLOCATED) && (f->ws[f->hdr] & FTW_HDR_COMPLETE)) {
		f->ws[f->hdr] &= (uint8_t)~FTW_HDR_COMPLETE;
		f->flash[f->ws_off + f->hdr] &= (uint8_t)~FTW_HDR_COMPLETE;
	}
}

static int is_first_record(const struct ftw *f)
{
	return f->rec == f->hdr + FTW_WRITE_HDR_SIZE;
}

static int is_last_record(const struct ftw *f)
{
	return f->hdr + write_total(f->ws, f->hdr, le64_at(f->ws, f->hdr + FTW_NWRITES_OFF) - 1) == f->rec;
}

/* FtwRestart of the last record: FtwWriteRecord (FlushSpareBlockToTargetBlock), then the spare erased. */
static enum lib_result restart(struct ftw *f)
{
	const uint8_t *r = f->ws + f->rec;
	uint64_t lba = le64_at(f->ws, f->rec + REC_LBA_OFF), off = le64_at(f->ws, f->rec + REC_OFFSET_OFF);
	uint64_t length = le64_at(f->ws, f->rec + REC_LENGTH_OFF), end, nbytes, dest;
	int64_t rel = (int64_t)le64_at(f->ws, f->rec + REC_RELATIVE_OFF);

	/* last_record keeps the record inside the work space */
	if (!(r[0] & FTW_REC_BOOT_BLOCK))
		return unknown(f, "the pending FTW write at 0x%llx updates a boot block, which OVMF does not have",
			       (unsigned long long)(f->ws_off + f->rec));
	/* GetFvbByAddress (spare + RelativeOffset) must land in this varstore's FVB */
	if (rel < -(int64_t)f->spare_off || rel >= (int64_t)(f->len - f->spare_off))
		return unknown(f, "the pending FTW write targets spare%+lld, outside the varstore (0x0-0x%zx)",
			       (long long)rel, f->len);
	if (__builtin_add_overflow(off, length, &end) || end > f->spare_len)
		return unknown(f, "the pending FTW write (Offset 0x%llx + Length 0x%llx) is larger than the 0x%llx-byte spare",
			       (unsigned long long)off, (unsigned long long)length, (unsigned long long)f->spare_len);
	nbytes = (end + BLOCK - 1) / BLOCK * BLOCK; /* FTW_BLOCKS (Offset + Length) blocks */
	if (lba > f->len / BLOCK || (dest = lba * BLOCK) > f->ws_off || nbytes > f->ws_off - dest)
		return unknown(f, "the pending FTW write to Lba 0x%llx (0x%llx bytes) would overwrite the FTW working block or spare at 0x%llx",
			       (unsigned long long)lba, (unsigned long long)nbytes, (unsigned long long)f->ws_off);
	memcpy(f->flash + dest, f->flash + f->spare_off, nbytes);
	f->b->target = dest;
	f->b->length = nbytes;
	f->ws[f->rec] &= (uint8_t)~FTW_REC_DEST_DONE;
	f->flash[f->ws_off + f->rec] &= (uint8_t)~FTW_REC_DEST_DONE;
	if (is_last_record(f)) {
		f->ws[f->hdr] &= (uint8_t)~FTW_HDR_COMPLETE;
		f->flash[f->ws_off + f->hdr] &= (uint8_t)~FTW_HDR_COMPLETE;
	}
	memset(f->flash + f->spare_off, 0xFF, f->spare_len);
	return LIB_OK;
}

/* InitFtwProtocol, from the work space refresh to the restart. */
static enum lib_result ftw_init(struct ftw *f)
{
	struct ftw_boot *b = f->b;
	uint64_t stale, off;
	uint8_t h, r;

	if (refresh(f) != LIB_OK)
		return LIB_REFUSED;
	if (!ws_valid(f->ws)) {
		stale = f->hdr;
		memcpy(f->ws, f->flash + f->spare_off, WS); /* the spare's copy of the work space */
		if (ws_valid(f->ws)) {
			/* FlushSpareBlockToWorkingBlock, then FtwAbort with the stale last-write pointer */
			memcpy(f->flash + f->ws_off, f->ws, WS);
			b->workspace = FTW_WS_FROM_SPARE;
			f->hdr = stale;
			ftw_abort(f);
			if (refresh(f) != LIB_OK)
				return LIB_REFUSED;
		} else {
			memset(f->ws, 0xFF, WS);
			canonical_header(f->ws);
			if (reclaim(f, 0) != LIB_OK || refresh(f) != LIB_OK)
				return LIB_REFUSED;
			b->workspace = FTW_WS_RESET;
		}
	}
	h = f->ws[f->hdr];
	r = f->ws[f->rec];
	if (!(h & FTW_HDR_ALLOCATED) && (r & FTW_REC_SPARE_DONE) && is_first_record(f)) {
		ftw_abort(f);
		b->action = FTW_BOOT_DISCARD;
	}
	h = f->ws[f->hdr];
	if ((h & FTW_HDR_COMPLETE) && !(r & FTW_REC_DEST_DONE) && is_last_record(f)) {
		ftw_abort(f);
		b->action = FTW_BOOT_FINISH;
	}
	/* anything after the last write makes the driver reclaim the queue */
	off = f->hdr;
	if (f->ws[off] != 0xFF) {
		off += write_total(f->ws, off, le64_at(f->ws, off + FTW_NWRITES_OFF));
		if (off > WS)
			return unknown(f, "FTW write at 0x%llx runs past the working block", (unsigned long long)f->hdr);
	}
	if (!bytes_all(f->ws, WS, off, WS - off, 0xFF)) {
		if (reclaim(f, 1) != LIB_OK || refresh(f) != LIB_OK)
			return LIB_REFUSED;
		if (b->workspace == FTW_WS_AS_IS)
			b->workspace = FTW_WS_COMPACTED;
	}
	h = f->ws[f->hdr];
	r = f->ws[f->rec];
	if ((h & FTW_HDR_COMPLETE) && !(r & FTW_REC_SPARE_DONE)) {
		if (restart(f) != LIB_OK)
			return LIB_REFUSED;
		ftw_abort(f);
		b->action = FTW_BOOT_RESTART;
	} else if (!(h & FTW_HDR_ALLOCATED) && (h & FTW_HDR_COMPLETE) && b->action == FTW_BOOT_IDLE) {
		b->action = FTW_BOOT_LEFT;
	}
	return LIB_OK;
}

/* ValidateFvHeader plus InitializeVariableFvHeader's FvLength and block size tests. */
static int fvb_header_ok(const uint8_t *p, size_t len, char *why, size_t n)
{
	uint32_t sig = 0, block = 0;
	uint64_t fvlen = 0;
	uint16_t hlen = 0;

	rd_le32(p, len, FV_SIGNATURE, &sig);
	rd_le64(p, len, FV_LENGTH, &fvlen);
	rd_le16(p, len, FV_HEADER_LENGTH, &hlen);
	rd_le32(p, len, FV_BLOCK_MAP + 4, &block);
	if (sig != FV_SIG)
		snprintf(why, n, "FV signature 0x%08x at 0x28, expected 0x%08x (\"_FVH\")", sig, FV_SIG);
	else if (p[FV_REVISION] != 2)
		snprintf(why, n, "FV Revision %u, expected 2", p[FV_REVISION]);
	else if (hlen & 1 || hlen > len)
		snprintf(why, n, "FV HeaderLength 0x%x is odd or past the end", hlen);
	else if (fv_sum16(p, hlen) != 0)
		snprintf(why, n, "FV header checksum does not sum to zero (sum 0x%04x)", fv_sum16(p, hlen));
	else if (fvlen != len)
		snprintf(why, n, "FvLength 0x%llx, the flash driver expects 0x%zx", (unsigned long long)fvlen, len);
	else if (block != BLOCK)
		snprintf(why, n, "block size 0x%x, the flash driver expects 0x%x", block, BLOCK);
	else
		return 1;
	return 0;
}

enum lib_result ftw_boot(const uint8_t *p, size_t len, uint8_t *view, struct ftw_boot *b)
{
	struct ftw f;
	char fvwhy[DIAG_MSG];
	int fv_ok;

	memset(b, 0, sizeof(*b));
	memcpy(view, p, len);
	if (len < 4 * WS || len % (2 * BLOCK)) {
		snprintf(b->why, sizeof(b->why), "0x%zx bytes is not an OVMF varstore size (a multiple of 0x%x, at least 0x%x)",
			 len, 2 * BLOCK, 4 * WS);
		b->action = FTW_BOOT_UNKNOWN;
		return LIB_REFUSED;
	}
	memset(&f, 0, sizeof(f));
	f.flash = view;
	f.len = len;
	f.spare_off = f.spare_len = ovmf_ftw_spare_off(len);
	f.ws_off = ovmf_ftw_work_off(len);
	f.b = b;
	fv_ok = fvb_header_ok(p, len, fvwhy, sizeof(fvwhy));
	if (ftw_init(&f) != LIB_OK) {
		memcpy(view, p, len);
		return LIB_REFUSED;
	}
	if (!fv_ok) {
		b->pending_restart = b->action == FTW_BOOT_RESTART;
		b->action = FTW_BOOT_REFORMAT;
		snprintf(b->why, sizeof(b->why), "%s", fvwhy);
		return LIB_REFUSED;
	}
	return LIB_OK;
}
