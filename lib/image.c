/* SPDX-License-Identifier: MIT */
/* Image classification and slot checks (see image.h). */
#include "image.h"

#include <string.h>

#include "bytes.h"
#include "guid.h"
#include "ovmfcode.h"
#include "size.h"

static const char *const kind_names[] = {
	[KIND_UNKNOWN] = "unknown", [KIND_BIOS] = "bios", [KIND_OPTROM] = "optionrom",
	[KIND_VGA] = "vga", [KIND_FLASH] = "flash",
};

const char *image_kind_name(enum image_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "unknown";
}

int image_kind_parse(const char *s)
{
	for (int k = KIND_BIOS; k <= KIND_FLASH; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

static int is_jump(uint8_t op)
{
	return op == 0xEA || op == 0xE9 || op == 0xEB;
}

static void analyse_bios(const uint8_t *p, size_t len, struct bios_info *b)
{
	uint64_t top = len - BIOS_RESET_FROM_TOP; /* caller checked len >= 16 */

	while (b->lead_zero < len && p[b->lead_zero] == 0)
		b->lead_zero++;
	b->mult64k = len % BIOS_ALIGN == 0;
	b->reset_op = p[top];
	b->reset_ok = is_jump(b->reset_op);
	if (b->reset_op == 0xEA) {
		rd_le16(p, len, top + 1, &b->reset_off);
		rd_le16(p, len, top + 3, &b->reset_seg);
	}
}

static enum lib_result analyse_flash(const uint8_t *p, size_t len, struct flash_info *f, struct diag *d)
{
	enum fv_result rc = fv_parse(p, len, 0, &f->fv, "firmware volume", d);

	if (rc == FV_UNUSABLE)
		return LIB_REFUSED;
	f->fv_ok = 1;
	{
		uint64_t vlen;
		enum ovmf_kind k = ovmf_classify(p, len, &vlen);

		f->is_varstore = k == OVMF_VARS || k == OVMF_UNIFIED;
		if (k == OVMF_UNIFIED)
			f->next_fv = vlen;
	}
	return rc == FV_OK ? LIB_OK : LIB_REFUSED;
}

enum lib_result image_analyse(const uint8_t *p, size_t len, struct image_report *r, struct diag *d)
{
	enum lib_result rc = LIB_OK;

	memset(r, 0, sizeof(*r));
	r->size = len;
	if (len == 0) {
		diag_add(d, DIAG_ERROR, "empty file");
		return LIB_REFUSED;
	}
	/* a lone 0x55 is a truncated option ROM signature, and reported as one */
	if (p[0] == 0x55 && (len < 2 || p[1] == 0xAA)) {
		rc = optrom_parse(p, len, &r->rom, d);
		r->kind = KIND_OPTROM;
		if (r->rom.n > 0 && ((r->rom.img[0].has_pcir &&
				      r->rom.img[0].class_code >> 16 == PCI_CLASS_DISPLAY) ||
				     (!r->rom.img[0].has_pcir && len >= VGA_IBM_SIG_OFF + 3 &&
				      memcmp(p + VGA_IBM_SIG_OFF, "IBM", 3) == 0)))
			r->kind = KIND_VGA;
		r->region = image_region(r->kind, len);
		r->used = r->rom.used;
	} else if (fv_is_at(p, len, 0)) {
		r->kind = KIND_FLASH;
		rc = analyse_flash(p, len, &r->flash, d);
		r->region = r->used = len;
	} else if (len >= BIOS_RESET_FROM_TOP && is_jump(p[len - BIOS_RESET_FROM_TOP])) {
		r->kind = KIND_BIOS;
		analyse_bios(p, len, &r->bios);
		r->region = len;
		r->used = len - r->bios.lead_zero;
	} else {
		r->kind = KIND_UNKNOWN;
		r->region = len;
		r->used = len;
		uint16_t sig = 0;

		rd_le16(p, len, 0, &sig);
		rc = diag_add(d, DIAG_ERROR,
			      "not a BIOS image, option ROM or flash image: signature 0x%04x at 0x0 (option ROMs have 0xaa55), no _FVH at 0x28, no reset vector jump at 0x%zx",
			      sig, len >= BIOS_RESET_FROM_TOP ? len - BIOS_RESET_FROM_TOP : (size_t)0);
	}
	r->parse_ok = rc == 0;
	return rc;
}

uint64_t image_free(const struct image_report *r, uint64_t slot)
{
	return slot > r->used ? slot - r->used : 0;
}

static int kind_matches(enum image_kind have, int want)
{
	if (want < 0 || (int)have == want)
		return 1;
	/* a VGA ROM is an option ROM too */
	return want == KIND_OPTROM && have == KIND_VGA;
}

enum lib_result image_slot_rule(enum image_kind k, uint64_t slot, struct diag *d)
{
	char slot_s[32];

	size_format(slot, slot_s, sizeof(slot_s));
	if (k == KIND_BIOS && (slot == 0 || slot % BIOS_ALIGN))
		return diag_add(d, DIAG_ERROR, "slot %s is not a multiple of 64 KiB (QEMU: could not load PC BIOS)", slot_s);
	if ((k == KIND_OPTROM || k == KIND_VGA) && pow2ceil(slot) != slot)
		return diag_add(d, DIAG_ERROR, "slot %s is not a power of two; QEMU's ROM BAR would be %llu bytes",
				slot_s, (unsigned long long)pow2ceil(slot));
	return LIB_OK;
}

uint64_t image_region(enum image_kind k, uint64_t len)
{
	return k == KIND_OPTROM || k == KIND_VGA ? pow2ceil(len) : len;
}

enum lib_result image_check(const struct image_report *r, const struct slot_spec *s,
		const struct check_opts *o, struct diag *d)
{
	const int rom = r->kind == KIND_OPTROM || r->kind == KIND_VGA;
	char slot_s[32], min_s[32], slot_arg[32];
	int rc = r->parse_ok ? 0 : -1;

	if (r->kind == KIND_UNKNOWN)
		return LIB_REFUSED;
	if (!kind_matches(r->kind, s->kind))
		rc = diag_add(d, DIAG_ERROR, "kind %s, the manifest expects %s",
			      image_kind_name(r->kind), image_kind_name((enum image_kind)s->kind));
	if (s->slot == 0)
		return diag_add(d, DIAG_ERROR, "no slot known for this file (not in the manifest; pass --slot SIZE)");

	size_format(s->slot, slot_s, sizeof(slot_s));
	size_format_arg(s->slot, slot_arg, sizeof(slot_arg));
	if (r->size > s->slot)
		rc = diag_add(d, DIAG_ERROR, "%llu bytes exceeds the %s slot by %llu bytes",
			      (unsigned long long)r->size, slot_s,
			      (unsigned long long)(r->size - s->slot));
	else if (r->size < s->slot && rom && !o->padded && r->rom.n > 0 && !r->rom.img[0].has_pcir)
		/* isa-vga, ramfb: QEMU passes the file through fw_cfg, with no RAM block to migrate */
		diag_add(d, DIAG_NOTE, "unpadded, %llu bytes: ISA-style ROM (no PCIR), no RAM block of its own",
			 (unsigned long long)r->size);
	else if (r->size < s->slot && rom && !o->padded && image_region(r->kind, r->size) == s->slot)
		/* QEMU's question is the region, and an unpadded ROM maps the same one */
		diag_add(d, DIAG_NOTE, "unpadded, %llu bytes: region %s = slot",
			 (unsigned long long)r->size, slot_s);
	else if (r->size < s->slot && rom && !o->padded) {
		char reg_s[32];

		size_format(image_region(r->kind, r->size), reg_s, sizeof(reg_s));
		rc = diag_add(d, DIAG_ERROR, "%llu bytes maps a %s region, not the %s slot (QEMU: Size mismatch on migration; romsize pad --slot %s)",
			      (unsigned long long)r->size, reg_s, slot_s, slot_arg);
	} else if (r->size < s->slot)
		rc = diag_add(d, DIAG_ERROR, "%llu bytes is %llu bytes short of the %s slot (not padded: romsize pad --slot %s)",
			      (unsigned long long)r->size, (unsigned long long)(s->slot - r->size),
			      slot_s, slot_arg);

	switch (r->kind) {
	case KIND_BIOS:
		if (!r->bios.mult64k)
			rc = diag_add(d, DIAG_ERROR, "size %llu is not a multiple of 64 KiB (QEMU: could not load PC BIOS)",
				      (unsigned long long)r->size);
		break;
	case KIND_FLASH:
		if (r->size % FLASH_ALIGN)
			rc = diag_add(d, DIAG_ERROR, "size %llu is not a multiple of 4 KiB (QEMU refuses the pflash unit)",
				      (unsigned long long)r->size);
		break;
	case KIND_OPTROM:
	case KIND_VGA:
		if (image_slot_rule(r->kind, s->slot, d) != LIB_OK)
			rc = LIB_REFUSED;
		if (s->has_id)
			for (size_t i = 0; i < r->rom.n; i++) {
				const struct optrom_image *im = &r->rom.img[i];

				if (im->has_pcir && (im->vendor != s->vendor || im->device != s->device))
					rc = diag_add(d, DIAG_ERROR, "image %zu at 0x%llx: PCI id %04x:%04x, the manifest expects %04x:%04x",
						      i, (unsigned long long)im->offset, im->vendor, im->device,
						      s->vendor, s->device);
			}
		break;
	case KIND_UNKNOWN:
		break;
	}

	if (o->min_free && r->kind != KIND_FLASH && r->size <= s->slot) {
		uint64_t fr = image_free(r, s->slot);

		size_format(o->min_free, min_s, sizeof(min_s));
		if (fr < o->min_free)
			rc |= diag_add(d, o->strict ? DIAG_ERROR : DIAG_WARN,
				       "only %llu bytes free in the %s slot (%llu used), less than --min-free %s",
				       (unsigned long long)fr, slot_s, (unsigned long long)r->used, min_s);
	}
	return rc;
}
