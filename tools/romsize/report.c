/* SPDX-License-Identifier: MIT */
/* romsize output: text for people, JSON (schema in the man page, JSON OUTPUT) for programs. */
#include "report.h"

#include "guid.h"
#include "size.h"

static const char *efi_subsystem_name(uint16_t s)
{
	switch (s) {
	case 10: return "application";
	case 11: return "boot-service-driver";
	case 12: return "runtime-driver";
	default: return "other";
	}
}

static void text_image(FILE *f, size_t i, const struct optrom_image *im)
{
	fprintf(f, "  image %zu @0x%llx: %s, %llu bytes (init %llu)", i,
		(unsigned long long)im->offset, optrom_code_type_name(im->code_type),
		(unsigned long long)im->length, (unsigned long long)im->init_size);
	if (im->has_pcir)
		fprintf(f, ", pci %04x:%04x, class %06x, pcir rev %u len 0x%x",
			im->vendor, im->device, im->class_code, im->pcir_rev, im->pcir_len);
	else if (im->pcir_off)
		fprintf(f, ", PCIR at 0x%x unreadable", im->pcir_off);
	else
		fprintf(f, ", no PCIR (ISA style)");
	fprintf(f, "%s", im->last ? ", last" : "");
	if (im->checksum_applies)
		fprintf(f, ", checksum %s", im->checksum == 0 ? "ok" : "BAD");
	if (im->is_efi) {
		fprintf(f, ", efi %s %s(%u) %s", optrom_efi_machine_name(im->efi_machine),
			efi_subsystem_name(im->efi_subsystem), im->efi_subsystem,
			im->efi_compression ? "compressed" : "uncompressed");
		if (im->efi_compression && im->efi_size)
			fprintf(f, " %llu -> %llu bytes", (unsigned long long)im->efi_stored,
				(unsigned long long)im->efi_size);
		else if (im->efi_size)
			fprintf(f, " %llu bytes", (unsigned long long)im->efi_size);
		if (im->efi_pe_ok)
			fprintf(f, ", pe machine 0x%04x subsystem %u", im->pe_machine, im->pe_subsystem);
	}
	fputc('\n', f);
}

void report_text(FILE *f, const char *file, const struct image_report *r, uint64_t slot)
{
	char reg[32], sl[32];

	size_format(r->region, reg, sizeof(reg));
	fprintf(f, "%s: %s, %llu bytes, region %s (%s)", file, image_kind_name(r->kind),
		(unsigned long long)r->size, reg,
		r->kind == KIND_OPTROM || r->kind == KIND_VGA ? "pow2ceil" : "exact");
	if (slot) {
		size_format(slot, sl, sizeof(sl));
		fprintf(f, ", slot %s", sl);
	}
	fprintf(f, ", used %llu", (unsigned long long)r->used);
	if (slot && r->kind != KIND_FLASH)
		fprintf(f, ", free %llu", (unsigned long long)image_free(r, slot));
	fputc('\n', f);

	switch (r->kind) {
	case KIND_OPTROM:
	case KIND_VGA:
		for (size_t i = 0; i < r->rom.n; i++)
			text_image(f, i, &r->rom.img[i]);
		if (r->rom.trailing)
			fprintf(f, "  after the chain: %llu bytes %s\n", (unsigned long long)r->rom.trailing,
				r->rom.trailing_pad ? "of padding" : "of data (not padding)");
		break;
	case KIND_BIOS:
		fprintf(f, "  reset vector @0x%llx: ", (unsigned long long)(r->size - BIOS_RESET_FROM_TOP));
		if (r->bios.reset_op == 0xEA)
			fprintf(f, "jmp far %04x:%04x", r->bios.reset_seg, r->bios.reset_off);
		else
			fprintf(f, "jmp (opcode 0x%02x)", r->bios.reset_op);
		fprintf(f, "; multiple of 64 KiB: %s; leading zero padding %llu bytes\n",
			r->bios.mult64k ? "yes" : "no", (unsigned long long)r->bios.lead_zero);
		break;
	case KIND_FLASH:
		if (r->flash.fv_ok) {
			char g[GUID_STR_LEN];
			const char *n = guid_name(r->flash.fv.fs_guid);

			guid_format(r->flash.fv.fs_guid, g);
			fprintf(f, "  firmware volume @0x0: %s%s%s%s, FvLength 0x%llx, %s\n", g,
				n ? " (" : "", n ? n : "", n ? ")" : "",
				(unsigned long long)r->flash.fv.fv_length,
				r->flash.is_varstore ? "variable store (VARS)" : "code volume");
			if (r->flash.next_fv)
				fprintf(f, "  second volume @0x%llx: unified image (VARS followed by CODE)\n",
					(unsigned long long)r->flash.next_fv);
		}
		fprintf(f, "  multiple of 4 KiB: %s (flash images are never padded)\n",
			r->size % FLASH_ALIGN ? "no" : "yes");
		break;
	case KIND_UNKNOWN:
		break;
	}
}

static void json_diag(struct json *j, const char *key, const struct diag *d, enum diag_level lvl)
{
	json_arr(j, key);
	for (size_t i = 0; d && i < d->n; i++)
		if (d->item[i].level == lvl)
			json_str(j, NULL, d->item[i].msg);
	json_end(j, ']');
}

void report_json(struct json *j, const char *file, const struct image_report *r,
		 uint64_t slot, int ok, const struct diag *d)
{
	char buf[16];

	json_obj(j, NULL);
	json_str(j, "file", file);
	json_str(j, "kind", image_kind_name(r->kind));
	json_u64(j, "size", r->size);
	json_u64(j, "region", r->region);
	if (slot) {
		json_u64(j, "slot", slot);
		json_u64(j, "free", image_free(r, slot));
	} else {
		json_null(j, "slot");
		json_null(j, "free");
	}
	json_u64(j, "used", r->used);
	json_bool(j, "ok", ok);
	json_diag(j, "errors", d, DIAG_ERROR);
	json_diag(j, "warnings", d, DIAG_WARN);
	json_diag(j, "notes", d, DIAG_NOTE);
	if (r->kind == KIND_OPTROM || r->kind == KIND_VGA) {
		json_arr(j, "images");
		for (size_t i = 0; i < r->rom.n; i++) {
			const struct optrom_image *im = &r->rom.img[i];

			json_obj(j, NULL);
			json_u64(j, "offset", im->offset);
			json_u64(j, "length", im->length);
			json_u64(j, "init_size", im->init_size);
			json_str(j, "code_type", optrom_code_type_name(im->code_type));
			json_bool(j, "pcir", im->has_pcir);
			if (im->has_pcir) {
				snprintf(buf, sizeof(buf), "%04x:%04x", im->vendor, im->device);
				json_str(j, "pci_id", buf);
				snprintf(buf, sizeof(buf), "%06x", im->class_code);
				json_str(j, "class", buf);
				json_u64(j, "pcir_revision", im->pcir_rev);
				json_u64(j, "pcir_length", im->pcir_len);
			}
			json_bool(j, "last", im->last);
			if (im->checksum_applies)
				json_bool(j, "checksum_ok", im->checksum == 0);
			else
				json_null(j, "checksum_ok");
			if (im->is_efi) {
				json_obj(j, "efi");
				json_u64(j, "subsystem", im->efi_subsystem);
				json_str(j, "machine", optrom_efi_machine_name(im->efi_machine));
				json_u64(j, "machine_type", im->efi_machine);
				json_u64(j, "compression", im->efi_compression);
				json_u64(j, "stored_size", im->efi_stored);
				json_u64(j, "image_size", im->efi_size);
				json_bool(j, "pe_ok", im->efi_pe_ok);
				json_end(j, '}');
			}
			json_end(j, '}');
		}
		json_end(j, ']');
		json_u64(j, "trailing", r->rom.trailing);
		json_bool(j, "trailing_is_padding", r->rom.trailing_pad);
	} else if (r->kind == KIND_BIOS) {
		json_obj(j, "bios");
		json_bool(j, "multiple_of_64k", r->bios.mult64k);
		json_bool(j, "reset_vector_ok", r->bios.reset_ok);
		json_u64(j, "leading_padding", r->bios.lead_zero);
		json_end(j, '}');
	} else if (r->kind == KIND_FLASH) {
		char g[GUID_STR_LEN];

		json_obj(j, "flash");
		json_bool(j, "multiple_of_4k", r->size % FLASH_ALIGN == 0);
		if (r->flash.fv_ok) {
			guid_format(r->flash.fv.fs_guid, g);
			json_str(j, "fv_guid", g);
			json_u64(j, "fv_length", r->flash.fv.fv_length);
			json_bool(j, "varstore", r->flash.is_varstore);
			json_bool(j, "unified", r->flash.next_fv != 0);
		}
		json_end(j, '}');
	}
	json_end(j, '}');
}
