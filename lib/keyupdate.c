/* SPDX-License-Identifier: MIT */
/* Offline key updates: unions of signature lists, appended as OVMF appends them. */
#include "keyupdate.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "keyaudit.h"
#include "siglist.h"
#include "varmigrate.h"

#define VAR_DELETED_STATE 0x3C /* VAR_ADDED & VAR_IN_DELETED_TRANSITION & VAR_DELETED */

int efi_time_before(const struct efi_time *a, const struct efi_time *b)
{
	const uint64_t x = (uint64_t)a->year << 40 | (uint64_t)a->month << 32 | (uint64_t)a->day << 24 |
			   (uint64_t)a->hour << 16 | (uint64_t)a->minute << 8 | a->second;
	const uint64_t y = (uint64_t)b->year << 40 | (uint64_t)b->month << 32 | (uint64_t)b->day << 24 |
			   (uint64_t)b->hour << 16 | (uint64_t)b->minute << 8 | b->second;

	return x < y || (x == y && a->nanosecond < b->nanosecond);
}

void key_update_free(struct key_update *u)
{
	free(u->data);
	u->data = NULL;
}

enum lib_result key_union(const uint8_t *p, const struct sb_key *vm, const uint8_t *tp, const struct sb_key *t,
			  int replace, struct key_update *u, struct diag *d)
{
	const char *name = u->key < SB_NKEYS ? sb_key_name(u->key) : "?";
	enum { TAKEN = 1, OPENS = 2 };
	uint8_t *take, (*digest)[32], opened[SIG_UNKNOWN + 1] = { 0 };
	size_t n = t->var ? t->sigs.nentries : 0, m, size, off;

	u->data = NULL;
	u->size = u->added = 0;
	u->tmpl = t->var;
	u->tmpl_buf = tp;
	if (t->var && t->parsed != LIB_OK)
		return diag_add(d, DIAG_ERROR, "%s: the template's signature lists do not read as EDK2 requires", name);
	if (vm->var && vm->parsed != LIB_OK && !replace)
		return diag_add(d, DIAG_ERROR, "%s: its signature lists do not read as EDK2 requires (fdsplit info shows where): refusing to append to them",
				name);
	if (vm->var)
		u->time = vm->var->time;
	if (t->var && (!vm->var || efi_time_before(&u->time, &t->var->time)))
		u->time = t->var->time;
	if (replace) {
		if (!t->var)
			return LIB_OK;
		if (!(u->data = malloc(t->var->data_size ? t->var->data_size : 1)))
			return diag_no_memory(d, "%s: out of memory for %u bytes", name, t->var->data_size);
		memcpy(u->data, tp + t->var->data_offset, t->var->data_size);
		u->size = t->var->data_size;
		u->added = t->sigs.nentries;
		return LIB_OK;
	}
	/* the digests of both sides, each computed once; take[i]: 0 the VM holds it (or an
	 * earlier template entry is it), TAKEN, or OPENS (the first entry of a new list:
	 * every certificate, the first hash of each type) */
	m = vm->var ? vm->sigs.nentries : 0;
	take = calloc(n ? n : 1, 1);
	digest = calloc(n + m ? n + m : 1, sizeof(*digest));
	if (!take || !digest) {
		free(take);
		free(digest);
		return diag_no_memory(d, "%s: out of memory for %zu entries", name, n + m);
	}
	for (size_t i = 0; i < m; i++)
		key_entry_digest(p, vm, i, digest[n + i]);
	size = vm->var ? vm->var->data_size : 0;
	for (size_t i = 0; i < n; i++) {
		const struct sig_entry *e = &t->sigs.entry[i];
		int dup = 0;

		key_entry_digest(tp, t, i, digest[i]);
		for (size_t j = 0; j < i && !dup; j++)
			dup = take[j] && t->sigs.entry[j].type == e->type && !memcmp(digest[j], digest[i], 32);
		for (size_t j = 0; j < m && !dup; j++)
			dup = vm->sigs.entry[j].type == e->type && !memcmp(digest[n + j], digest[i], 32);
		if (dup)
			continue;
		take[i] = e->type == SIG_X509 || !opened[e->type] ? OPENS : TAKEN;
		opened[e->type] = 1;
		size += (take[i] == OPENS ? SIGLIST_HDR_SIZE : 0) + SIG_OWNER_SIZE + e->len;
		u->added++;
	}
	if (!(u->data = malloc(size ? size : 1))) {
		free(take);
		free(digest);
		return diag_no_memory(d, "%s: out of memory for %zu bytes", name, size);
	}
	off = 0;
	if (vm->var) {
		memcpy(u->data, p + vm->var->data_offset, vm->var->data_size);
		off = vm->var->data_size;
	}
	/* a list per OPENS entry: a certificate alone, a hash with every later one of its type */
	for (size_t i = 0; i < n; i++) {
		const struct sig_entry *e = &t->sigs.entry[i];
		size_t hdr = off;

		if (take[i] != OPENS)
			continue;
		memcpy(u->data + hdr, t->sigs.list[e->list].type_guid, 16);
		wr_le32(u->data + hdr + SIGLIST_HDRSIZE_OFF, 0);
		wr_le32(u->data + hdr + SIGLIST_SIGSIZE_OFF, SIG_OWNER_SIZE + e->len);
		off += SIGLIST_HDR_SIZE;
		for (size_t j = i; j < n && (j == i || e->type != SIG_X509); j++) {
			const struct sig_entry *f = &t->sigs.entry[j];

			if (!take[j] || f->type != e->type)
				continue;
			memcpy(u->data + off, f->owner, SIG_OWNER_SIZE);
			memcpy(u->data + off + SIG_OWNER_SIZE, tp + t->var->data_offset + f->offset, f->len);
			off += SIG_OWNER_SIZE + f->len;
		}
		wr_le32(u->data + hdr + SIGLIST_SIZE_OFF, (uint32_t)(off - hdr));
	}
	free(take);
	free(digest);
	u->size = off;
	return LIB_OK;
}

static uint64_t align4(uint64_t v)
{
	return (v + VAR_HEADER_ALIGN - 1) & ~(uint64_t)(VAR_HEADER_ALIGN - 1);
}

static void put_time(uint8_t *h, const struct efi_time *t)
{
	uint8_t *x = h + VAR_AUTH_TIME_OFF;

	memset(x, 0, 16);
	wr_le16(x, t->year);
	x[2] = t->month;
	x[3] = t->day;
	x[4] = t->hour;
	x[5] = t->minute;
	x[6] = t->second;
	wr_le32(x + 8, t->nanosecond);
	wr_le16(x + 12, (uint16_t)t->timezone);
	x[14] = t->daylight;
}

enum lib_result varstore_append_updates(const uint8_t *p, size_t len, const struct varstore *vs,
					const struct key_update *u, size_t n, uint8_t *out, uint64_t *need,
					uint64_t *room, struct diag *d)
{
	static const uint8_t *const guids[SB_NKEYS] = {
		GUID_GLOBAL_VARIABLE, GUID_GLOBAL_VARIABLE, GUID_IMAGE_SECURITY_DB, GUID_IMAGE_SECURITY_DB,
	};
	uint64_t off = vs->vars_end ? vs->vars_end : (uint64_t)vs->fv.header_length + VS_HDR_SIZE, end = off;

	if (!vs->authenticated)
		return diag_add(d, DIAG_ERROR, "a plain (not authenticated) variable store: it holds no Secure Boot keys");
	if (vs->store_end > len)
		return diag_add(d, DIAG_ERROR, "variable store end 0x%llx past the 0x%zx bytes", (unsigned long long)vs->store_end, len);
	/* the bytes the new records take, where OVMF would put them */
	for (size_t i = 0; i < n; i++) {
		const struct variable *old = varstore_find(vs, sb_key_name(u[i].key), guids[u[i].key]);
		const struct variable *like = old ? old : u[i].tmpl;

		if (!u[i].data || !like)
			continue;
		end = align4(end) + VAR_HDR_AUTH + like->name_size + u[i].size;
	}
	*need = end - off;
	*room = vs->store_end > off ? vs->store_end - off : 0;
	if (end > vs->store_end)
		return diag_add(d, DIAG_ERROR, "the new records take 0x%llx bytes, the store has 0x%llx free after its last variable",
				(unsigned long long)*need, (unsigned long long)*room);
	memcpy(out, p, len);
	for (size_t i = 0; i < n; i++) {
		const struct variable *old = varstore_find(vs, sb_key_name(u[i].key), guids[u[i].key]);
		const struct variable *like = old ? old : u[i].tmpl;
		const uint8_t *lb = old ? p : u[i].tmpl_buf;
		uint8_t *h;

		if (!u[i].data || !like)
			continue;
		off = align4(off);
		h = out + off;
		memcpy(h, lb + like->offset, VAR_HDR_AUTH + like->name_size);
		h[VAR_STATE_OFF] = VAR_ADDED;
		if (!old)
			wr_le64(h + VAR_AUTH_MONO_OFF, 0);
		wr_le32(h + VAR_AUTH_DSIZE_OFF, (uint32_t)u[i].size);
		put_time(h, &u[i].time);
		memcpy(h + VAR_HDR_AUTH + like->name_size, u[i].data, u[i].size);
		off += VAR_HDR_AUTH + like->name_size + u[i].size;
		if (old)
			out[old->offset + VAR_STATE_OFF] &= VAR_DELETED_STATE;
	}
	return LIB_OK;
}
