/* SPDX-License-Identifier: MIT */
/* fdsplit output: text for people, JSON (schema in the man page, JSON OUTPUT) for programs. */
#include "report.h"

#include "guid.h"

static void guid_text(FILE *f, const uint8_t g[16])
{
	char s[GUID_STR_LEN];
	const char *n = guid_name(g);

	guid_format(g, s);
	fprintf(f, "%s%s%s%s", s, n ? " (" : "", n ? n : "", n ? ")" : "");
}

void vars_list_text(FILE *f, const struct varstore *vs)
{
	for (size_t i = 0; i < vs->nvars; i++) {
		const struct variable *v = &vs->vars[i];

		fprintf(f, "  variable @0x%llx: %-20s ", (unsigned long long)v->offset, v->name);
		guid_text(f, v->guid);
		fprintf(f, " attr 0x%x data %u state 0x%02x %s\n", v->attributes, v->data_size, v->state,
			var_state_name(v->state));
	}
	fprintf(f, "  variables: %zu live, %zu deleted, %zu records; %llu bytes free\n",
		vs->nlive, vs->ndeleted, vs->nvars, (unsigned long long)vs->free_bytes);
}

void vars_text(FILE *f, const struct varstore *vs)
{
	const struct fv_header *h = &vs->fv;

	fprintf(f, "  FV header: FvLength 0x%llx, HeaderLength 0x%x, attributes 0x%08x, revision %u, checksum 0x%04x %s\n",
		(unsigned long long)h->fv_length, h->header_length, h->attributes, h->revision,
		h->checksum, h->checksum_ok ? "ok" : "BAD");
	fprintf(f, "  FV GUID: ");
	guid_text(f, h->fs_guid);
	fputc('\n', f);
	for (size_t i = 0; i < h->nblocks; i++)
		fprintf(f, "  block map: %u x 0x%x\n", h->blocks[i].num, h->blocks[i].length);
	fprintf(f, "  variable store: %s, Size 0x%x, format 0x%02x, state 0x%02x, region 0x0-0x%llx\n",
		vs->authenticated ? "authenticated" : "plain", vs->store_size, vs->format, vs->state,
		(unsigned long long)vs->store_end);
	vars_list_text(f, vs);
	fprintf(f, "  event log @0x%llx: 0x%x bytes, %s\n", (unsigned long long)vs->event_log_off,
		OVMF_EVENT_LOG_SIZE, vs->event_log_erased ? "erased" : "in use");
	if (vs->ftw_present)
		fprintf(f, "  FTW working block @0x%llx: CRC 0x%08x %s, state 0x%02x, WriteQueueSize 0x%llx, write queue %s (%llu bytes used): %zu writes, %zu records, %zu pending%s\n",
			(unsigned long long)vs->ftw_off, vs->ftw_crc,
			vs->ftw_crc == vs->ftw_crc_expected ? "ok" : "BAD", vs->ftw_state,
			(unsigned long long)vs->ftw_queue_size,
			vs->ftw_queue_used ? "in use" : "empty",
			(unsigned long long)vs->ftw_queue_used, vs->ftw_writes, vs->ftw_records, vs->ftw_pending,
			vs->ftw_last_in_progress ? ", last write in progress" : "");
	fprintf(f, "  FTW spare @0x%llx: 0x%llx bytes, %s\n", (unsigned long long)vs->spare_off,
		(unsigned long long)vs->spare_size, vs->spare_erased ? "erased" : "not erased");
}

void code_text(FILE *f, const struct ovmf_code *c, uint64_t len)
{
	for (size_t i = 0; i < c->nfv; i++) {
		fprintf(f, "  firmware volume @0x%llx: 0x%llx bytes, ", (unsigned long long)c->fv[i].offset,
			(unsigned long long)c->fv[i].fv_length);
		guid_text(f, c->fv[i].fs_guid);
		fputc('\n', f);
	}
	if (!c->has_table) {
		fprintf(f, "  GUID table: none (no footer at end-0x30)\n");
		return;
	}
	fprintf(f, "  GUID table: 0x%x bytes, %zu entries\n", c->table_len, c->nentries);
	for (size_t i = 0; i < c->nentries; i++) {
		fprintf(f, "    entry @0x%llx: 0x%x bytes, ", (unsigned long long)c->entry[i].offset, c->entry[i].len);
		guid_text(f, c->entry[i].guid);
		fputc('\n', f);
	}
	if (c->has_tdx) {
		fprintf(f, "  TDX metadata @0x%llx (end-0x%llx): version %u, %zu sections\n",
			(unsigned long long)c->tdx_off, (unsigned long long)(len - c->tdx_off),
			c->tdx_version, c->nsections);
		for (size_t i = 0; i < c->nsections; i++)
			fprintf(f, "    %-12s raw 0x%x/0x%x at 0x%llx, memory 0x%llx, attributes 0x%x\n",
				tdx_type_name(c->sec[i].type), c->sec[i].raw_offset, c->sec[i].raw_size,
				(unsigned long long)c->sec[i].mem_base, (unsigned long long)c->sec[i].mem_size,
				c->sec[i].attributes);
	}
}

void vars_list_json(struct json *j, const char *key, const struct varstore *vs)
{
	char g[GUID_STR_LEN];

	json_arr(j, key);
	for (size_t i = 0; i < vs->nvars; i++) {
		const struct variable *v = &vs->vars[i];

		json_obj(j, NULL);
		json_u64(j, "offset", v->offset);
		json_str(j, "name", v->name);
		guid_format(v->guid, g);
		json_str(j, "guid", g);
		json_str(j, "guid_name", guid_name(v->guid));
		json_u64(j, "attributes", v->attributes);
		json_u64(j, "data_size", v->data_size);
		json_u64(j, "data_offset", v->data_offset);
		json_u64(j, "state", v->state);
		json_str(j, "state_name", var_state_name(v->state));
		json_bool(j, "live", v->live);
		json_end(j, '}');
	}
	json_end(j, ']');
}

void vars_json(struct json *j, const struct varstore *vs)
{

	json_obj(j, "vars");
	json_u64(j, "fv_length", vs->fv.fv_length);
	json_u64(j, "header_length", vs->fv.header_length);
	json_u64(j, "attributes", vs->fv.attributes);
	json_bool(j, "checksum_ok", vs->fv.checksum_ok);
	json_arr(j, "block_map");
	for (size_t i = 0; i < vs->fv.nblocks; i++) {
		json_obj(j, NULL);
		json_u64(j, "blocks", vs->fv.blocks[i].num);
		json_u64(j, "length", vs->fv.blocks[i].length);
		json_end(j, '}');
	}
	json_end(j, ']');
	json_str(j, "format", vs->authenticated ? "authenticated" : "plain");
	json_u64(j, "store_size", vs->store_size);
	json_u64(j, "store_state", vs->state);
	vars_list_json(j, "variables", vs);
	json_u64(j, "live", vs->nlive);
	json_u64(j, "deleted", vs->ndeleted);
	json_u64(j, "free", vs->free_bytes);
	json_u64(j, "event_log_offset", vs->event_log_off);
	json_bool(j, "event_log_erased", vs->event_log_erased);
	json_obj(j, "ftw");
	json_u64(j, "offset", vs->ftw_off);
	json_bool(j, "signature_ok", vs->ftw_present);
	json_u64(j, "crc", vs->ftw_crc);
	json_bool(j, "crc_ok", vs->ftw_present && vs->ftw_crc == vs->ftw_crc_expected);
	json_u64(j, "state", vs->ftw_state);
	json_u64(j, "write_queue_size", vs->ftw_queue_size);
	json_u64(j, "write_queue_used", vs->ftw_queue_used);
	json_u64(j, "writes", vs->ftw_writes);
	json_u64(j, "records", vs->ftw_records);
	json_u64(j, "pending_records", vs->ftw_pending);
	json_bool(j, "last_write_in_progress", vs->ftw_last_in_progress);
	json_u64(j, "spare_offset", vs->spare_off);
	json_u64(j, "spare_size", vs->spare_size);
	json_bool(j, "spare_erased", vs->spare_erased);
	json_end(j, '}');
	json_end(j, '}');
}

void code_json(struct json *j, const struct ovmf_code *c, uint64_t len)
{
	char g[GUID_STR_LEN];

	json_obj(j, "code");
	json_u64(j, "size", len);
	json_arr(j, "volumes");
	for (size_t i = 0; i < c->nfv; i++) {
		json_obj(j, NULL);
		json_u64(j, "offset", c->fv[i].offset);
		json_u64(j, "length", c->fv[i].fv_length);
		guid_format(c->fv[i].fs_guid, g);
		json_str(j, "guid", g);
		json_end(j, '}');
	}
	json_end(j, ']');
	json_arr(j, "guid_table");
	for (size_t i = 0; i < c->nentries; i++) {
		json_obj(j, NULL);
		guid_format(c->entry[i].guid, g);
		json_str(j, "guid", g);
		json_u64(j, "offset", c->entry[i].offset);
		json_u64(j, "length", c->entry[i].len);
		json_end(j, '}');
	}
	json_end(j, ']');
	if (c->has_tdx) {
		json_arr(j, "tdx_sections");
		for (size_t i = 0; i < c->nsections; i++) {
			json_obj(j, NULL);
			json_str(j, "type", tdx_type_name(c->sec[i].type));
			json_u64(j, "raw_offset", c->sec[i].raw_offset);
			json_u64(j, "raw_size", c->sec[i].raw_size);
			json_u64(j, "memory_base", c->sec[i].mem_base);
			json_u64(j, "memory_size", c->sec[i].mem_size);
			json_end(j, '}');
		}
		json_end(j, ']');
	} else {
		json_null(j, "tdx_sections");
	}
	json_end(j, '}');
}

void boot_json(struct json *j, const struct boot_store *bs, const char *clause)
{
	json_obj(j, "boot");
	json_str(j, "action", ftw_boot_action_name(bs->fb.action));
	json_str(j, "workspace", ftw_boot_workspace_name(bs->fb.workspace));
	json_str(j, "message", clause[0] ? clause : bs->fb.why[0] ? bs->fb.why : NULL);
	json_u64(j, "target", bs->fb.target);
	json_u64(j, "length", bs->fb.length);
	json_u64(j, "live", bs->vs.nlive);
	json_u64(j, "disk_live", bs->disk.nlive);
	json_u64(j, "spare_live", bs->spare_live);
	if (boot_store_changed(bs))
		vars_list_json(j, "variables", &bs->vs);
	json_end(j, '}');
}
