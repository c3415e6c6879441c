/* SPDX-License-Identifier: MIT */
/* fdsplit update-keys: a VM's KEK, db and dbx brought up to a template's, offline, losing nothing the VM held. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fdsplit.h"
#include "guid.h"
#include "keyaudit.h"
#include "keys.h"
#include "keyupdate.h"
#include "varmigrate.h"

/*
 * QEMU locks the images it has open (block/file-posix.c): shared OFD locks on
 * one byte per permission it holds (from offset 100) and per permission it
 * denies others (from 200). Any lock in 100..299 means a QEMU holds the file.
 */
#define QEMU_LOCK_BASE 100
#define QEMU_LOCK_LEN  200

/* 1 locked, 0 not, -1 cannot tell (errno) */
static int qemu_holds(const char *path)
{
	struct flock fl;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = QEMU_LOCK_BASE;
	fl.l_len = QEMU_LOCK_LEN;
	r = fcntl(fd, F_OFD_GETLK, &fl);
	close(fd);
	if (r < 0)
		return -1;
	return fl.l_type != F_UNLCK;
}

struct update_run {
	const struct fdsplit_opts *o;
	struct store_keys *t;
	struct code_ref *cr;
	struct json *j;
};

/* everything a VM held, live, is in the result unchanged, except the keys updated */
static int others_kept(const struct varstore *a, const uint8_t *pa, const struct varstore *b, const uint8_t *pb,
		       const struct key_update *u, size_t n, char *why, size_t wn)
{
	for (size_t i = 0; i < a->nvars; i++) {
		const struct variable *v = &a->vars[i], *w;
		int updated = 0;

		if (!v->live)
			continue;
		for (size_t k = 0; k < n; k++)
			updated |= u[k].data && !strcmp(v->name, sb_key_name(u[k].key)) &&
				   guid_eq(v->guid, u[k].key <= SB_KEK ? GUID_GLOBAL_VARIABLE : GUID_IMAGE_SECURITY_DB);
		if (updated)
			continue;
		w = varstore_find(b, v->name, v->guid);
		if (!w || w->attributes != v->attributes || w->data_size != v->data_size ||
		    memcmp(pa + v->data_offset, pb + w->data_offset, v->data_size)) {
			snprintf(why, wn, "would not keep variable %.150s as it was", v->name);
			return 0;
		}
	}
	return 1;
}

static void added_text(FILE *f, const struct key_update *u, size_t n, int replace_pk)
{
	int first = 1;

	for (size_t k = 0; k < n; k++) {
		if (!u[k].data || (!u[k].added && !(replace_pk && u[k].key == SB_PK)))
			continue;
		if (u[k].key == SB_PK)
			fprintf(f, "%sPK replaced", first ? "" : ", ");
		else
			fprintf(f, "%s%s +%zu", first ? "" : ", ", sb_key_name(u[k].key), u[k].added);
		first = 0;
	}
}

static int update_one(const struct update_run *run, const char *path)
{
	const struct fdsplit_opts *o = run->o;
	struct store_keys s, after;
	struct key_update u[SB_NKEYS];
	struct key_audit before;
	struct diag d;
	uint8_t *out = NULL, *compact = NULL;
	uint64_t need = 0, room = 0;
	size_t n = 0;
	int rc = 0, compacted = 0, locked, written = 0;
	char why[DIAG_MSG] = "", backup[4200] = "";
	struct stat st;

	memset(u, 0, sizeof(u));
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	diag_init(&d);
	rc = store_keys_load(path, &s);
	if (rc)
		goto done;
	locked = qemu_holds(path);
	if (locked != 0) {
		rc = locked < 0 ? 2 : 1;
		diag_add(&s.d, DIAG_ERROR, locked < 0 ? "cannot tell whether a QEMU holds it: %s" :
			 "a running QEMU holds it (its image lock, bytes 100-299): stop the VM first%s",
			 locked < 0 ? strerror(errno) : "");
		goto done;
	}
	if (s.bs.fb.action != FTW_BOOT_IDLE || boot_store_changed(&s.bs) || s.bs.vs.ftw_pending || s.bs.vs.ftw_last_in_progress) {
		diag_add(&s.d, DIAG_ERROR, "a write in progress, which OVMF finishes at its next boot (FTW write queue on disk: %zu records, %zu pending%s): boot the VM once, then update",
			 s.bs.disk.ftw_records, s.bs.disk.ftw_pending, s.bs.disk.ftw_last_in_progress ? ", the last write not complete" : "");
		rc = 1;
		goto done;
	}
	if (s.sb.setup_mode) {
		diag_add(&s.d, DIAG_ERROR, "no PK (setup mode): no keys enrolled to update");
		rc = 1;
		goto done;
	}
	if (key_audit(s.bs.buf, &s.sb, run->t->bs.buf, &run->t->sb, &before, &d) != LIB_OK) {
		rc = 2;
		goto done;
	}
	for (int k = o->replace_pk ? SB_PK : SB_KEK; k < SB_NKEYS; k++, n++) {
		u[n].key = (enum sb_key_id)k;
		rc = cli_worse(rc, cli_exit(key_union(s.bs.buf, &s.sb.key[k], run->t->bs.buf, &run->t->sb.key[k],
						      k == SB_PK, &u[n], &s.d)));
	}
	if (rc)
		goto done;
	if (o->replace_pk && s.sb.key[SB_PK].var && run->t->sb.key[SB_PK].var &&
	    u[0].size == s.sb.key[SB_PK].var->data_size &&
	    !memcmp(u[0].data, s.bs.buf + s.sb.key[SB_PK].var->data_offset, u[0].size)) {
		key_update_free(&u[0]);
		u[0].added = 0;
	}
	/* nothing to add: the keys stay as they are, byte for byte */
	{
		int any = 0;

		for (size_t k = 0; k < n; k++) {
			if (!u[k].added && u[k].key != SB_PK)
				key_update_free(&u[k]);
			any |= u[k].data != NULL;
		}
		if (!any)
			goto done;
	}
	if (!(out = malloc(s.f.len)) || !(compact = malloc(s.f.len))) {
		diag_no_memory(&s.d, "0x%zx bytes", s.f.len);
		rc = 2;
		goto done;
	}
	if (varstore_append_updates(s.bs.buf, s.f.len, &s.bs.vs, u, n, out, &need, &room, &d) != LIB_OK) {
		/* no room after the last record: OVMF would reclaim the store first */
		struct migrate_report mr;
		struct varstore cvs;
		struct diag cd;
		uint64_t room0 = room;

		diag_init(&cd);
		memset(&cvs, 0, sizeof(cvs));
		if (!s.bs.vs.authenticated ||
		    varstore_migrate(s.bs.buf, &s.bs.vs, s.bs.buf, s.f.len, &s.bs.vs, NULL, compact, &mr, &cd) != LIB_OK ||
		    varstore_parse(compact, s.f.len, &cvs, &cd) != LIB_OK ||
		    varstore_append_updates(compact, s.f.len, &cvs, u, n, out, &need, &room, &cd) != LIB_OK) {
			if (s.bs.vs.authenticated && cvs.vars)
				diag_add(&s.d, DIAG_ERROR, "does not fit: the updated keys take 0x%llx (%llu) bytes in new records; the store has %llu bytes free after its last variable, %llu after compaction (its variable region: %u bytes)",
					 (unsigned long long)need, (unsigned long long)need, (unsigned long long)room0,
					 (unsigned long long)room, s.bs.vs.store_size - VS_HDR_SIZE);
			else
				diag_append(&s.d, d.n ? &d : &cd);
			varstore_free(&cvs);
			rc = 1;
			goto done;
		}
		varstore_free(&cvs);
		compacted = 1;
	}
	/* the result, read back: OVMF reads it as it is, it holds all the template holds, nothing else changed */
	{
		struct key_audit check;
		enum lib_result r;

		after.path = path;
		diag_init(&after.d);
		r = boot_store_read(out, s.f.len, run->cr ? run->cr->ftw_pei : FV_MODULE_UNDECODED, &after.bs, &after.d);
		if (r != LIB_OK || sb_read(after.bs.buf, s.f.len, &after.bs.vs, &after.sb, &after.d) != LIB_OK) {
			diag_append(&s.d, &after.d);
			diag_add(&s.d, DIAG_ERROR, "the updated store does not read back: not written");
			rc = r == LIB_NO_MEMORY ? 2 : 1;
			goto done;
		}
		after.read = 1;
		if (key_audit(after.bs.buf, &after.sb, run->t->bs.buf, &run->t->sb, &check, &d) != LIB_OK) {
			rc = 2;
			goto done;
		}
		if (check.nmissing || !others_kept(&s.bs.vs, s.bs.buf, &after.bs.vs, after.bs.buf, u, n, why, sizeof(why))) {
			diag_add(&s.d, DIAG_ERROR, "the updated store %s: not written",
				 check.nmissing ? "still lacks entries of the template" : why);
			key_audit_free(&check);
			rc = 1;
			goto done;
		}
		key_audit_free(&check);
		if (run->cr && ovmf_code_expects(&run->cr->c, run->cr->len, s.f.len, &s.d, why, sizeof(why)) != LIB_OK) {
			rc = 1;
			goto done;
		}
	}
	if (o->dry_run)
		goto done;
	if (!o->no_backup) {
		struct io_part part = { s.f.buf, s.f.len, 0 };

		snprintf(backup, sizeof(backup), "%s.bak", path);
		if (access(backup, F_OK) == 0) {
			diag_add(&s.d, DIAG_ERROR, "%s exists (an earlier backup): move it away, or pass --no-backup", backup);
			backup[0] = 0;
			rc = 1;
			goto done;
		}
		if (stat(path, &st) < 0 || fd_write(backup, &part, 1)) {
			backup[0] = 0;
			rc = 2;
			goto done;
		}
		if (chmod(backup, st.st_mode & 07777) < 0 || (chown(backup, st.st_uid, st.st_gid) < 0 && errno != EPERM))
			diag_add(&s.d, DIAG_WARN, "%s: owner or mode not set as the store's: %s", backup, strerror(errno));
	}
	if (qemu_holds(path) != 0) {
		diag_add(&s.d, DIAG_ERROR, "a QEMU took the file while it was being updated: not written");
		rc = 1;
		goto done;
	}
	{
		struct io_part part = { out, s.f.len, 0 };

		if (stat(path, &st) < 0 || fd_write(path, &part, 1)) {
			rc = 2;
			goto done;
		}
		/* the VM's QEMU opens it as its own user: the new file keeps the old one's owner and mode */
		if (chmod(path, st.st_mode & 07777) < 0 || (chown(path, st.st_uid, st.st_gid) < 0 && errno != EPERM))
			diag_add(&s.d, DIAG_WARN, "owner or mode not restored: %s", strerror(errno));
		written = 1;
	}
done:
	if (run->j) {
		json_obj(run->j, NULL);
		json_str(run->j, "file", path);
		json_bool(run->j, "changed", out && rc == 0);
		json_bool(run->j, "written", written);
		json_bool(run->j, "compacted", compacted);
		json_obj(run->j, "added");
		for (size_t k = 0; k < n; k++)
			json_u64(run->j, sb_key_name(u[k].key), u[k].added);
		json_end(run->j, '}');
		json_u64(run->j, "new_record_bytes", need);
		json_str(run->j, "backup", written && backup[0] ? backup : NULL);
		json_bool(run->j, "ok", rc == 0);
		fd_json_findings(run->j, &s.d);
		json_end(run->j, '}');
	} else if (rc == 0) {
		if (!out) {
			printf("%s: holds all %s holds: unchanged\n", path, run->t->path);
		} else {
			printf("%s: %s ", path, o->dry_run ? "would update" : "updated");
			added_text(stdout, u, n, o->replace_pk);
			printf(" (new records 0x%llx bytes%s)", (unsigned long long)need,
			       compacted ? ", store compacted first as OVMF reclaims it" : "");
			if (o->dry_run && before.nmissing) {
				printf(":");
				key_entries_text(stdout, run->t, before.missing, before.nmissing);
			}
			if (written)
				printf("%s%s", backup[0] ? "; backup " : "; no backup", backup);
			putchar('\n');
		}
	}
	if (!run->j || rc)
		cli_print_diag("fdsplit", path, &s.d);
	for (size_t k = 0; k < SB_NKEYS; k++)
		key_update_free(&u[k]);
	key_audit_free(&before);
	store_keys_free(&after);
	store_keys_free(&s);
	free(out);
	free(compact);
	return rc;
}

int cmd_update_keys(void *opts, int argc, char **argv)
{
	const struct fdsplit_opts *o = opts;
	struct store_keys t;
	struct code_ref cr;
	struct json j;
	struct diag d;
	struct update_run run = { o, &t, NULL, NULL };
	int worst = 0;

	if (!o->from)
		return fd_usage("update-keys needs --from TEMPLATE", NULL);
	if (store_keys_load(o->from, &t) != 0 || !t.read || t.sb.setup_mode) {
		if (t.read && t.sb.setup_mode)
			diag_add(&t.d, DIAG_ERROR, "no PK (setup mode): a template without keys");
		cli_print_diag("fdsplit", o->from, &t.d);
		store_keys_free(&t);
		return 2;
	}
	if (o->code) {
		diag_init(&d);
		if (code_load(&cr, o->code, &d) != 0) {
			cli_print_diag("fdsplit", o->code, &d);
			store_keys_free(&t);
			return 2;
		}
		run.cr = &cr;
	}
	if (o->json) {
		json_doc(&j, stdout, "fdsplit", FDSPLIT_JSON_VERSION, "update-keys");
		json_str(&j, "from", o->from);
		json_bool(&j, "dry_run", o->dry_run);
		json_arr(&j, "files");
		run.j = &j;
	}
	for (int i = 0; i < argc; i++)
		worst = cli_worse(worst, update_one(&run, argv[i]));
	if (o->json)
		json_done_files(&j, worst == 0);
	store_keys_free(&t);
	return worst;
}
