/* SPDX-License-Identifier: MIT */
/* Key unions (lib/keyupdate.c): what the VM held stays, byte for byte; what the template adds follows. */
#include <stdlib.h>

#include "bytes.h"
#include "diag.h"
#include "keyupdate.h"
#include "siglist.h"
#include "t.h"

/* one side of a union: its variable's data in buf, parsed as a key */
struct side {
	uint8_t buf[1024];
	size_t len;
	struct variable var;
	struct sb_key key;
};

/* appends a list of type t holding n entries of size bytes each, entry i filled with fill[i] */
static void put(struct side *s, enum sig_type t, uint32_t size, const uint8_t *fill, size_t n, uint8_t owner)
{
	uint8_t *l = s->buf + s->len;

	memcpy(l, sig_type_guid(t), 16);
	wr_le32(l + SIGLIST_SIZE_OFF, (uint32_t)(SIGLIST_HDR_SIZE + n * (16 + size)));
	wr_le32(l + SIGLIST_HDRSIZE_OFF, 0);
	wr_le32(l + SIGLIST_SIGSIZE_OFF, 16 + size);
	for (size_t i = 0; i < n; i++) {
		memset(l + SIGLIST_HDR_SIZE + i * (16 + size), owner, 16);
		memset(l + SIGLIST_HDR_SIZE + i * (16 + size) + 16, fill[i], size);
	}
	s->len += SIGLIST_HDR_SIZE + n * (16 + size);
}

static void parse(struct side *s, uint16_t year)
{
	struct diag d;

	memset(&s->var, 0, sizeof(s->var));
	s->var.data_offset = 0;
	s->var.data_size = (uint32_t)s->len;
	s->var.time.year = year;
	s->key.var = &s->var;
	diag_init(&d);
	s->key.parsed = sig_db_parse(s->buf, s->len, 0, &s->key.sigs, &d);
}

static void test_union_keeps_the_vm_and_adds_the_rest(void)
{
	static struct side vm, t;
	struct key_update u = { .key = SB_DBX };
	struct sig_db out;
	struct diag d;

	/* VM: hashes 1 and 2 (2 is the guest's own); template: 2, 3, 3 again, and a certificate-sized blob */
	vm.len = t.len = 0;
	put(&vm, SIG_SHA256, 32, (const uint8_t[]){ 1, 2 }, 2, 0xAA);
	put(&t, SIG_SHA256, 32, (const uint8_t[]){ 2, 3, 3 }, 3, 0xBB);
	put(&t, SIG_SHA384, 48, (const uint8_t[]){ 4 }, 1, 0xBB);
	parse(&vm, 2025);
	parse(&t, 2010);
	diag_init(&d);
	CHECK(key_union(vm.buf, &vm.key, t.buf, &t.key, 0, &u, &d) == LIB_OK, "union: %s", diag_first(&d));
	CHECK(u.added == 2, "hash 3 once and the sha384: %zu added", u.added);
	CHECK(u.size > vm.len && !memcmp(u.data, vm.buf, vm.len), "the VM's lists first, byte for byte");
	diag_init(&d);
	CHECK(sig_db_parse(u.data, u.size, 0, &out, &d) == LIB_OK && out.nlists == 3 && out.nentries == 4,
	      "VM's list, then one list per hash type: %zu lists, %zu entries", out.nlists, out.nentries);
	CHECK(out.entry[2].type == SIG_SHA256 && u.data[out.entry[2].offset] == 3 && out.entry[2].owner[0] == 0xBB,
	      "the added hash keeps the template's owner");
	CHECK(out.entry[3].type == SIG_SHA384 && u.data[out.entry[3].offset] == 4, "the sha384 list follows");
	CHECK(u.time.year == 2025, "the timestamp is the later of the two: %u", u.time.year);
	sig_db_free(&out);
	key_update_free(&u);
	/* the VM holds everything already: nothing to add */
	diag_init(&d);
	CHECK(key_union(vm.buf, &vm.key, vm.buf, &vm.key, 0, &u, &d) == LIB_OK && u.added == 0 && u.size == vm.len,
	      "a union with itself adds nothing: %zu", u.added);
	key_update_free(&u);
	sig_db_free(&vm.key.sigs);
	sig_db_free(&t.key.sigs);
}

static void test_absent_lying_and_replace(void)
{
	static struct side vm, t;
	struct sb_key none;
	struct key_update u = { .key = SB_KEK };
	struct diag d;

	vm.len = t.len = 0;
	put(&vm, SIG_SHA256, 32, (const uint8_t[]){ 1 }, 1, 0xAA);
	put(&t, SIG_SHA256, 32, (const uint8_t[]){ 5 }, 1, 0xBB);
	parse(&vm, 2030);
	parse(&t, 2031);
	memset(&none, 0, sizeof(none));
	diag_init(&d);
	CHECK(key_union(vm.buf, &none, t.buf, &t.key, 0, &u, &d) == LIB_OK && u.added == 1 && u.size == t.len &&
	      !memcmp(u.data, t.buf, t.len) && u.time.year == 2031, "a VM without the key takes the template's lists");
	key_update_free(&u);
	diag_init(&d);
	CHECK(key_union(vm.buf, &vm.key, t.buf, &t.key, 1, &u, &d) == LIB_OK && u.size == t.len &&
	      !memcmp(u.data, t.buf, t.len), "replace (PK): the template's data exactly");
	key_update_free(&u);
	/* a VM list whose size lies: refused, nothing built */
	wr_le32(vm.buf + SIGLIST_SIZE_OFF, 0x1000);
	sig_db_free(&vm.key.sigs);
	parse(&vm, 2030);
	diag_init(&d);
	CHECK(key_union(vm.buf, &vm.key, t.buf, &t.key, 0, &u, &d) == LIB_REFUSED && u.data == NULL &&
	      DIAG_HAS(&d, "refusing to append"), "lists that lie are not appended to: %s", diag_first(&d));
	sig_db_free(&vm.key.sigs);
	sig_db_free(&t.key.sigs);
}

static void test_time_order(void)
{
	struct efi_time a = { 2026, 6, 24, 20, 51, 29, 0, 0, 0 }, b = a;

	CHECK(!efi_time_before(&a, &b), "equal is not before");
	b.second++;
	CHECK(efi_time_before(&a, &b) && !efi_time_before(&b, &a), "a second later");
	b = a;
	b.nanosecond = 1;
	CHECK(efi_time_before(&a, &b), "a nanosecond later");
	b = a;
	b.year--;
	b.month = 12;
	CHECK(efi_time_before(&b, &a), "the year before, whatever the month");
}

int main(void)
{
	T_RUN(test_union_keeps_the_vm_and_adds_the_rest);
	T_RUN(test_absent_lying_and_replace);
	T_RUN(test_time_order);
	return T_END("keyupdate");
}
