/* SPDX-License-Identifier: MIT */
/*
 * Out of memory is not a verdict: whichever allocation lib/ makes fails, the
 * result is LIB_NO_MEMORY (FV_MODULE_NO_MEMORY) with a DIAG_ERROR saying so,
 * never LIB_REFUSED or LIB_OK, and nothing leaks (LeakSanitizer at exit).
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (tests/build.mk):
 * while armed, the allocation numbered fail_at fails.
 */
#include <bzlib.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "bytes.h"
#include "diag.h"
#include "efidecomp.h"
#include "fvmodule.h"
#include "image.h"
#include "keyupdate.h"
#include "optrom.h"
#include "romgen.h"
#include "siglist.h"
#include "varmigrate.h"
#include "varstore.h"
#include "unpack.h"
#include "t.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t sz);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t sz);
void *__wrap_realloc(void *p, size_t n);

static int armed;
static long allocs, fail_at = -1;

static int this_one_fails(void)
{
	return armed && allocs++ == fail_at;
}

void *__wrap_malloc(size_t n) { return this_one_fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t sz) { return this_one_fails() ? NULL : __real_calloc(n, sz); }
void *__wrap_realloc(void *p, size_t n) { return this_one_fails() ? NULL : __real_realloc(p, n); }

/* One lib/ call on input made beforehand (not armed), and what it leaves to free. */
struct subject {
	const char *name;
	void (*prepare)(void);
	enum lib_result (*call)(struct diag *d);
	void (*cleanup)(void);
	enum lib_result with_memory; /* the verdict when nothing fails */
};

#define VLEN 0x20000
static uint8_t store[VLEN], tmpl[VLEN], out[VLEN];
static uint8_t *big;
static const size_t BIG = 1u << 20;
static struct varstore vs, ovs, tvs;
static uint8_t rom[16384];
static size_t rom_len;
static uint8_t packed[4096], plain[3000];
static size_t packed_len;

static void store_with_vars(void)
{
	size_t off;

	gen_vars_empty(store, VLEN);
	off = gen_var_add(store, 0x48 + VS_HDR_SIZE, "BootOrder", 0x3F, 8); /* after the FV and store headers */
	off = gen_var_add(store, off, "Boot0000", 0x3F, 64);
	gen_var_add(store, off, "Lang", 0x3F, 4);
}
static enum lib_result parse_store(struct diag *d) { return varstore_parse(store, VLEN, &vs, d); }
static void free_vs(void) { varstore_free(&vs); }

/* ~16000 records in transition: the table grows by doubling, then the live ones are sorted */
static void transitions(void)
{
	if (!big)
		big = __real_malloc(BIG);
	gen_vars_transitions(big, BIG);
}
static enum lib_result parse_transitions(struct diag *d) { return varstore_parse(big, BIG, &vs, d); }

/* a legacy image and an EFI image holding a compressed PE */
static void compressed_rom(void)
{
	struct gen_image leg = { 2048, ROM_CODE_X86, 0x8086, 0x100e, 0x02, 0, 1 };
	struct gen_image efi = { 8192, ROM_CODE_EFI, 0x8086, 0x100e, 0x02, 1, 1 };
	uint8_t *e = rom + leg.length;

	memset(rom, 0, sizeof(rom));
	gen_image(rom, &leg);
	gen_image(e, &efi);
	memset(plain, 0, sizeof(plain));
	gen_pe(plain, 0x8664, 11);
	gen_efi_compress(e + GEN_EFI_PE, efi.length - GEN_EFI_PE, plain, sizeof(plain), 1);
	wr_le16(e + ROM_EFI_COMPRESS, ROM_EFI_COMPRESSED);
	rom_len = leg.length + efi.length;
}
static enum lib_result parse_rom(struct diag *d)
{
	struct optrom r;

	return optrom_parse(rom, rom_len, &r, d);
}
static enum lib_result analyse_rom(struct diag *d)
{
	struct image_report r;

	return image_analyse(rom, rom_len, &r, d);
}

static void compressed_stream(void)
{
	memset(plain, 0x11, sizeof(plain));
	packed_len = gen_efi_compress(packed, sizeof(packed), plain, sizeof(plain), 1);
}
static enum lib_result decompress(struct diag *d)
{
	static uint8_t back[sizeof(plain)];

	return efi_decompress(packed, packed_len, EFICOMP_PBIT_EFI, back, sizeof(back), d);
}

static void stores_to_migrate(void)
{
	struct diag d;

	store_with_vars();
	gen_vars_empty(tmpl, VLEN);
	diag_init(&d);
	varstore_parse(store, VLEN, &ovs, &d);
	diag_init(&d);
	varstore_parse(tmpl, VLEN, &tvs, &d);
}
static enum lib_result migrate(struct diag *d)
{
	struct migrate_opts o = { 0 };
	struct migrate_report r;

	return varstore_migrate(store, &ovs, tmpl, VLEN, &tvs, &o, out, &r, d);
}
static void free_stores(void)
{
	varstore_free(&ovs);
	varstore_free(&tvs);
}

/* two signature lists (three sha256 entries, one x509-sized): a key's data */
static uint8_t sigs[2 * SIGLIST_HDR_SIZE + 3 * 48 + 116];
static struct sig_db db;
static struct variable sig_var;
static struct sb_key vm_key;
static void signature_lists(void)
{
	uint8_t *l = sigs;

	memset(sigs, 0x5A, sizeof(sigs));
	memcpy(l, sig_type_guid(SIG_SHA256), 16);
	wr_le32(l + SIGLIST_SIZE_OFF, SIGLIST_HDR_SIZE + 3 * 48);
	wr_le32(l + SIGLIST_HDRSIZE_OFF, 0);
	wr_le32(l + SIGLIST_SIGSIZE_OFF, 48);
	l += SIGLIST_HDR_SIZE + 3 * 48;
	memcpy(l, sig_type_guid(SIG_X509), 16);
	wr_le32(l + SIGLIST_SIZE_OFF, SIGLIST_HDR_SIZE + 116);
	wr_le32(l + SIGLIST_HDRSIZE_OFF, 0);
	wr_le32(l + SIGLIST_SIGSIZE_OFF, 116);
}
static enum lib_result parse_sigs(struct diag *d) { return sig_db_parse(sigs, sizeof(sigs), 0, &db, d); }
static void free_sigs(void) { sig_db_free(&db); }

/* a union: an empty VM key with the lists above as the template's */
static void key_to_join(void)
{
	struct diag d;

	signature_lists();
	memset(&sig_var, 0, sizeof(sig_var));
	sig_var.data_size = sizeof(sigs);
	memset(&vm_key, 0, sizeof(vm_key));
	vm_key.var = &sig_var;
	diag_init(&d);
	vm_key.parsed = sig_db_parse(sigs, sizeof(sigs), 0, &vm_key.sigs, &d);
}
static struct key_update joined;
static enum lib_result join(struct diag *d)
{
	struct sb_key none;

	memset(&none, 0, sizeof(none));
	joined.key = SB_DB;
	return key_union(sigs, &none, sigs, &vm_key, 0, &joined, d);
}
static void free_join(void)
{
	key_update_free(&joined);
	sig_db_free(&vm_key.sigs);
}

static void nothing(void) { }

/* unpack_prefix: each library's allocations are lib/'s (lib/unpack.c hands them its allocator) */
static uint8_t z_plain[50000], z_packed[60000], z_out[50000];
static size_t z_len;
static void z_fill(void)
{
	for (size_t i = 0; i < sizeof(z_plain); i++)
		z_plain[i] = (uint8_t)(i % 251 ^ i / 4096);
}
static void z_deflate(int wbits)
{
	z_fill();
	z_len = gen_deflate(wbits, z_plain, sizeof(z_plain), z_packed, sizeof(z_packed));
}
static void pack_gzip(void) { z_deflate(16 + MAX_WBITS); }
static void pack_deflate(void) { z_deflate(-12); }
static void pack_bzip2(void)
{
	unsigned int m = sizeof(z_packed);

	z_fill();
	BZ2_bzBuffToBuffCompress((char *)z_packed, &m, (char *)z_plain, sizeof(z_plain), 9, 0, 0);
	z_len = m;
}
static void pack_xz(void)
{
	z_fill();
	z_len = 0;
	lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, z_plain, sizeof(z_plain), z_packed, &z_len, sizeof(z_packed));
}
static void pack_zstd(void)
{
	z_fill();
	z_len = ZSTD_compress(z_packed, sizeof(z_packed), z_plain, sizeof(z_plain), 3);
}
static enum lib_result unpack_as(enum unpack_format f, struct diag *d)
{
	size_t got = 0;
	int ended = 0;
	struct gen_mem file = { z_packed, z_len };
	enum lib_result r = unpack_prefix(f, gen_mem_read, &file, 0, z_len, z_out, sizeof(z_out), &got, &ended, d);

	return r == LIB_OK && (got != sizeof(z_out) || memcmp(z_out, z_plain, got)) ? LIB_REFUSED : r;
}
static enum lib_result unpack_gzip(struct diag *d) { return unpack_as(UNPACK_GZIP, d); }
static enum lib_result unpack_bzip2(struct diag *d) { return unpack_as(UNPACK_BZIP2, d); }
static enum lib_result unpack_xz(struct diag *d) { return unpack_as(UNPACK_XZ, d); }
static enum lib_result unpack_zstd(struct diag *d) { return unpack_as(UNPACK_ZSTD, d); }
static enum lib_result unpack_deflate(struct diag *d) { return unpack_as(UNPACK_DEFLATE, d); }

static const struct subject subjects[] = {
	{ "varstore_parse, 3 variables", store_with_vars, parse_store, free_vs, LIB_OK },
	/* a store the size of the file, so no FTW area after it: refused, once read */
	{ "varstore_parse, 1 MiB of records in transition", transitions, parse_transitions, free_vs, LIB_REFUSED },
	{ "efi_decompress", compressed_stream, decompress, nothing, LIB_OK },
	{ "optrom_parse, a compressed EFI image", compressed_rom, parse_rom, nothing, LIB_OK },
	{ "image_analyse, a compressed EFI image", compressed_rom, analyse_rom, nothing, LIB_OK },
	{ "varstore_migrate", stores_to_migrate, migrate, free_stores, LIB_OK },
	{ "sig_db_parse, two lists", signature_lists, parse_sigs, free_sigs, LIB_OK },
	{ "key_union, a key the VM lacks", key_to_join, join, free_join, LIB_OK },
	{ "unpack_prefix, gzip (zlib)", pack_gzip, unpack_gzip, nothing, LIB_OK },
	{ "unpack_prefix, bzip2 (libbz2)", pack_bzip2, unpack_bzip2, nothing, LIB_OK },
	{ "unpack_prefix, xz (liblzma)", pack_xz, unpack_xz, nothing, LIB_OK },
	{ "unpack_prefix, zstd (libzstd)", pack_zstd, unpack_zstd, nothing, LIB_OK },
	{ "unpack_prefix, a qcow2 cluster's deflate", pack_deflate, unpack_deflate, nothing, LIB_OK },
};

static enum lib_result run(const struct subject *s, long k, struct diag *d, long *n)
{
	enum lib_result r;

	s->prepare();
	diag_init(d);
	fail_at = k;
	allocs = 0;
	armed = 1;
	r = s->call(d);
	armed = 0;
	*n = allocs;
	s->cleanup();
	return r;
}

/* For each subject: a run with no failure gives its verdict; failing each allocation in turn gives LIB_NO_MEMORY. */
static void test_every_allocation_fails_by_name(void)
{
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		const struct subject *s = &subjects[i];
		struct diag d;
		long n, m;
		enum lib_result r = run(s, -1, &d, &n);

		CHECK(r == s->with_memory, "%s: with memory: result %d (%s)", s->name, (int)r, diag_first(&d));
		CHECK(n > 0, "%s: allocates (%ld times)", s->name, n);
		for (long k = 0; k < n; k++) {
			r = run(s, k, &d, &m);
			CHECK(r == LIB_NO_MEMORY && DIAG_HAS(&d, "out of memory"),
			      "%s: allocation %ld of %ld fails: result %d, '%s'", s->name, k + 1, n, (int)r, diag_first(&d));
		}
	}
}

/*
 * The module search says it could not look, which is neither found nor
 * absent, whichever allocation fails: its own buffer or one of liblzma's
 * (fvmodule.c hands liblzma an allocator of lib/'s, so the wrap sees them).
 */
static void test_module_search(void)
{
	static uint8_t img[0x4000], vol[0x2000];
	struct diag d;
	enum fv_module_result r;
	long n;

	memset(vol, 0x5A, sizeof(vol));
	memcpy(vol + 0x123, GUID_FTW_PEI, 16);
	memset(img, 0xFF, sizeof(img));
	CHECK(gen_lzma_section(img, sizeof(img), 0x100, vol, sizeof(vol)) > 0, "lzma section");
	diag_init(&d);
	fail_at = -1;
	allocs = 0;
	armed = 1;
	r = fv_find_module(img, sizeof(img), GUID_FTW_PEI, &d);
	armed = 0;
	n = allocs;
	CHECK(r == FV_MODULE_FOUND, "with memory: found (%s)", diag_first(&d));
	CHECK(n > 1, "liblzma's allocations are lib/'s too: %ld allocations in all", n);
	for (long k = 0; k < n; k++) {
		diag_init(&d);
		fail_at = k;
		allocs = 0;
		armed = 1;
		r = fv_find_module(img, sizeof(img), GUID_FTW_PEI, &d);
		armed = 0;
		CHECK(r == FV_MODULE_NO_MEMORY && DIAG_HAS(&d, "out of memory"), "allocation %ld of %ld fails: %d, '%s'",
		      k + 1, n, (int)r, diag_first(&d));
	}
}

int main(void)
{
	T_RUN(test_every_allocation_fails_by_name);
	T_RUN(test_module_search);
	free(big);
	return T_END("nomem");
}
