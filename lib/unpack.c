/* SPDX-License-Identifier: MIT */
/* Bounded decoding of compressed prefixes (see unpack.h). */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDCtx_advanced: libzstd allocates through lib/'s malloc */
#include "unpack.h"

#include <bzlib.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define CHUNK     16384u
#define WINDOW_LOG 26 /* zstd: 64 MiB, UNPACK_MEMORY */

const char *unpack_format_name(enum unpack_format f)
{
	static const char *const n[] = { "gzip", "bzip2", "xz", "zstd", "deflate" };

	return (unsigned)f < sizeof(n) / sizeof(n[0]) ? n[f] : "?";
}

/* Every library allocates through these: out of memory inside one is lib/'s to report (and to test). */
static void *mem(size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	return malloc(nmemb && size ? nmemb * size : 1);
}

static voidpf z_alloc(voidpf o, uInt items, uInt size)
{
	(void)o;
	return mem(items, size);
}

static void z_free(voidpf o, voidpf p)
{
	(void)o;
	free(p);
}

static void *bz_alloc(void *o, int items, int size)
{
	(void)o;
	return items < 0 || size < 0 ? NULL : mem((size_t)items, (size_t)size);
}

static void bz_free(void *o, void *p)
{
	(void)o;
	free(p);
}

static void *lz_alloc(void *o, size_t nmemb, size_t size)
{
	(void)o;
	return mem(nmemb, size);
}

static void lz_free(void *o, void *p)
{
	(void)o;
	free(p);
}

static void *zs_alloc(void *o, size_t size)
{
	(void)o;
	return mem(1, size);
}

static void zs_free(void *o, void *p)
{
	(void)o;
	free(p);
}

const lzma_allocator unpack_lzma_allocator = { lz_alloc, lz_free, NULL };

enum step { STEP_MORE, STEP_END, STEP_BAD, STEP_NOMEM };

struct codec {
	enum unpack_format f;
	int live;
	z_stream z;
	bz_stream bz;
	lzma_stream lz;
	ZSTD_DCtx *zs;
	char err[96];
};

static void codec_end(struct codec *c)
{
	if (!c->live)
		return;
	switch (c->f) {
	case UNPACK_GZIP:
	case UNPACK_DEFLATE:
		inflateEnd(&c->z);
		break;
	case UNPACK_BZIP2:
		BZ2_bzDecompressEnd(&c->bz);
		break;
	case UNPACK_XZ:
		lzma_end(&c->lz);
		break;
	case UNPACK_ZSTD:
		ZSTD_freeDCtx(c->zs);
		break;
	}
	c->live = 0;
}

static enum step codec_init(struct codec *c)
{
	int r;

	switch (c->f) {
	case UNPACK_GZIP:
	case UNPACK_DEFLATE:
		memset(&c->z, 0, sizeof(c->z));
		c->z.zalloc = z_alloc;
		c->z.zfree = z_free;
		r = inflateInit2(&c->z, c->f == UNPACK_GZIP ? 16 + MAX_WBITS : -12);
		if (r != Z_OK)
			return r == Z_MEM_ERROR ? STEP_NOMEM : STEP_BAD;
		break;
	case UNPACK_BZIP2:
		memset(&c->bz, 0, sizeof(c->bz));
		c->bz.bzalloc = bz_alloc;
		c->bz.bzfree = bz_free;
		r = BZ2_bzDecompressInit(&c->bz, 0, 0);
		if (r != BZ_OK)
			return r == BZ_MEM_ERROR ? STEP_NOMEM : STEP_BAD;
		break;
	case UNPACK_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		lzma_ret lr;

		c->lz = init;
		c->lz.allocator = &unpack_lzma_allocator;
		lr = lzma_stream_decoder(&c->lz, UNPACK_MEMORY, LZMA_CONCATENATED);
		if (lr != LZMA_OK)
			return lr == LZMA_MEM_ERROR ? STEP_NOMEM : STEP_BAD;
		break;
	}
	case UNPACK_ZSTD: {
		ZSTD_customMem cm = { zs_alloc, zs_free, NULL };

		if (!(c->zs = ZSTD_createDCtx_advanced(cm)))
			return STEP_NOMEM;
		if (ZSTD_isError(ZSTD_DCtx_setParameter(c->zs, ZSTD_d_windowLogMax, WINDOW_LOG))) {
			ZSTD_freeDCtx(c->zs);
			return STEP_BAD;
		}
		break;
	}
	default:
		return STEP_BAD;
	}
	c->live = 1;
	return STEP_MORE;
}

/* One call of the library: in[*used..n) into out[0..cap); *made bytes out. */
static enum step codec_step(struct codec *c, const uint8_t *in, size_t n, size_t *used, uint8_t *out, size_t cap,
			    size_t *made)
{
	switch (c->f) {
	case UNPACK_GZIP:
	case UNPACK_DEFLATE: {
		int r;

		c->z.next_in = (Bytef *)(uintptr_t)in;
		c->z.avail_in = (uInt)n;
		c->z.next_out = out;
		c->z.avail_out = (uInt)cap;
		r = inflate(&c->z, Z_NO_FLUSH);
		*used = n - c->z.avail_in;
		*made = cap - c->z.avail_out;
		if (r == Z_STREAM_END)
			return STEP_END;
		if (r == Z_OK || r == Z_BUF_ERROR)
			return STEP_MORE;
		if (r == Z_MEM_ERROR)
			return STEP_NOMEM;
		snprintf(c->err, sizeof(c->err), "zlib error %d%s%s", r, c->z.msg ? ": " : "", c->z.msg ? c->z.msg : "");
		return STEP_BAD;
	}
	case UNPACK_BZIP2: {
		int r;

		c->bz.next_in = (char *)(uintptr_t)in;
		c->bz.avail_in = (unsigned)n;
		c->bz.next_out = (char *)out;
		c->bz.avail_out = (unsigned)cap;
		r = BZ2_bzDecompress(&c->bz);
		*used = n - c->bz.avail_in;
		*made = cap - c->bz.avail_out;
		if (r == BZ_STREAM_END)
			return STEP_END;
		if (r == BZ_OK)
			return STEP_MORE;
		if (r == BZ_MEM_ERROR)
			return STEP_NOMEM;
		snprintf(c->err, sizeof(c->err), "libbz2 error %d", r);
		return STEP_BAD;
	}
	case UNPACK_XZ: {
		lzma_ret r;

		c->lz.next_in = in;
		c->lz.avail_in = n;
		c->lz.next_out = out;
		c->lz.avail_out = cap;
		r = lzma_code(&c->lz, n ? LZMA_RUN : LZMA_FINISH);
		*used = n - c->lz.avail_in;
		*made = cap - c->lz.avail_out;
		if (r == LZMA_STREAM_END)
			return STEP_END;
		if (r == LZMA_OK || r == LZMA_BUF_ERROR)
			return STEP_MORE;
		if (r == LZMA_MEM_ERROR)
			return STEP_NOMEM;
		if (r == LZMA_MEMLIMIT_ERROR)
			snprintf(c->err, sizeof(c->err), "it needs more than %u MiB to decode", UNPACK_MEMORY >> 20);
		else
			snprintf(c->err, sizeof(c->err), "liblzma error %d: %s", (int)r,
				 r == LZMA_FORMAT_ERROR ? "not xz" : r == LZMA_OPTIONS_ERROR ? "options it does not know" :
				 r == LZMA_DATA_ERROR ? "corrupt data" : "cannot continue");
		return STEP_BAD;
	}
	case UNPACK_ZSTD: {
		ZSTD_inBuffer ib = { in, n, 0 };
		ZSTD_outBuffer ob = { out, cap, 0 };
		size_t r = ZSTD_decompressStream(c->zs, &ob, &ib);

		*used = ib.pos;
		*made = ob.pos;
		if (!ZSTD_isError(r))
			return r == 0 ? STEP_END : STEP_MORE;
		if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
			return STEP_NOMEM;
		if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge)
			snprintf(c->err, sizeof(c->err), "it needs more than %u MiB to decode", UNPACK_MEMORY >> 20);
		else
			snprintf(c->err, sizeof(c->err), "libzstd: %s", ZSTD_getErrorName(r));
		return STEP_BAD;
	}
	}
	return STEP_BAD;
}

enum lib_result unpack_prefix(enum unpack_format f, unpack_read_fn rd, void *ctx, uint64_t off, uint64_t in_len,
			      uint8_t *out, size_t cap, size_t *got, int *ended, struct diag *d)
{
	struct codec c;
	uint8_t in[CHUNK];
	size_t have = 0, pos = 0;
	uint64_t taken = 0;
	enum lib_result res = LIB_OK;
	enum step s;

	memset(&c, 0, sizeof(c));
	c.f = f;
	*got = 0;
	*ended = 0;
	if (off > UINT64_MAX - in_len)
		return diag_add(d, DIAG_ERROR, "%s data at 0x%llx: 0x%llx bytes run past the end of a file", unpack_format_name(f),
				(unsigned long long)off, (unsigned long long)in_len);
	if ((s = codec_init(&c)) != STEP_MORE)
		return s == STEP_NOMEM ? diag_no_memory(d, "%s: out of memory for the decoder", unpack_format_name(f))
				       : diag_add(d, DIAG_ERROR, "%s: the decoder would not start", unpack_format_name(f));
	while (*got < cap) {
		size_t used = 0, made = 0;

		if (pos == have && taken < in_len) {
			size_t n = in_len - taken < CHUNK ? (size_t)(in_len - taken) : CHUNK;

			if (rd(ctx, off + taken, in, n) < 0) {
				res = diag_add(d, DIAG_ERROR, "%s data at 0x%llx: 0x%llx bytes are not all in the file",
					       unpack_format_name(f), (unsigned long long)off, (unsigned long long)in_len);
				break;
			}
			taken += n;
			have = n;
			pos = 0;
		}
		s = codec_step(&c, in + pos, have - pos, &used, out + *got, cap - *got, &made);
		pos += used;
		*got += made;
		if (s == STEP_NOMEM) {
			res = diag_no_memory(d, "%s data at 0x%llx: out of memory in the decoder", unpack_format_name(f),
					     (unsigned long long)off);
			break;
		}
		if (s == STEP_BAD) {
			res = diag_add(d, DIAG_ERROR, "%s data at 0x%llx: not valid after 0x%llx bytes in, 0x%zx out (%s)",
				       unpack_format_name(f), (unsigned long long)off,
				       (unsigned long long)(taken - (have - pos)), *got, c.err);
			break;
		}
		if (s == STEP_END) {
			/* a qcow2 cluster's deflate ends where its sector padding starts; the others may be concatenated */
			if (f == UNPACK_DEFLATE || (pos == have && taken == in_len)) {
				*ended = 1;
				break;
			}
			if (f != UNPACK_XZ) { /* liblzma reads concatenated streams itself */
				codec_end(&c);
				if ((s = codec_init(&c)) != STEP_MORE) {
					res = s == STEP_NOMEM ? diag_no_memory(d, "%s: out of memory for the decoder",
									       unpack_format_name(f))
							      : diag_add(d, DIAG_ERROR, "%s: the decoder would not restart",
									 unpack_format_name(f));
					break;
				}
			}
			continue;
		}
		if (!used && !made && pos == have && taken == in_len)
			break; /* all read and nothing more comes out: the data stops short */
		if (!used && !made && pos < have) {
			res = diag_add(d, DIAG_ERROR, "%s data at 0x%llx: the decoder stopped at 0x%llx bytes in", unpack_format_name(f),
				       (unsigned long long)off, (unsigned long long)(taken - (have - pos)));
			break;
		}
	}
	codec_end(&c);
	return res;
}
