/* SPDX-License-Identifier: MIT */
/* fdsplit migrate: a VM's variables moved into another varstore layout, read as the firmware reads them. */
#include "fdsplit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstore.h"
#include "cli.h"
#include "varstore.h"

/* The parts of a migration, loaded and parsed; freed by migrate_free. */
struct migration {
	struct file o, t;
	size_t olen;
	struct boot_store ob;       /* OLD as the firmware reads it at boot */
	const uint8_t *obuf;        /* the bytes migrated: ob.buf, or o.buf with --force-readable */
	const struct varstore *ovs; /* their parse */
	struct varstore tvs;
	uint8_t *out;
};

static void migrate_free(struct migration *m)
{
	/* parsed or not (a failed parse keeps what it read), zeroed structs free nothing */
	boot_store_free(&m->ob);
	varstore_free(&m->tvs);
	free(m->o.buf);
	free(m->t.buf);
	free(m->out);
}

/* Loads and judges OLD and TEMPLATE. Returns 0, 1 refused, 2 I/O. */
static int migrate_inputs(const struct fdsplit_opts *a, const char *old, struct migration *m)
{
	struct diag d;
	uint64_t vlen;
	int rc;

	if ((rc = fd_load(&m->o, old, NULL)) != 0 || (rc = fd_load(&m->t, a->tmpl, NULL)) != 0)
		return rc;
	switch (ovmf_classify(m->o.buf, m->o.len, &vlen)) {
	case OVMF_UNIFIED: m->olen = (size_t)vlen; break; /* its VARS part */
	case OVMF_VARS: m->olen = m->o.len; break;
	default:
		fprintf(stderr, "fdsplit: %s: not a varstore or a unified OVMF image (no EfiSystemNvDataFv volume at 0x0)\n", old);
		return 1;
	}
	/* what the firmware will read: a write in progress completed from the spare first */
	diag_init(&d);
	rc = cli_exit(boot_store_read(m->o.buf, m->olen, FV_MODULE_UNDECODED, &m->ob, &d));
	cli_print_diag("fdsplit", old, &d);
	if (rc == 2)
		return 2;
	m->obuf = m->ob.buf;
	m->ovs = &m->ob.vs;
	if (rc && m->ob.fb.action >= FTW_BOOT_REFORMAT) {
		if (!a->force) {
			if (m->ob.fb.pending_restart)
				fprintf(stderr, "fdsplit: %s: refusing to migrate a varstore the firmware would erase (above); --force-readable copies the %zu variables of the interrupted write\n",
					old, m->ob.spare_live);
			else
				fprintf(stderr, "fdsplit: %s: refusing to migrate a varstore the firmware would not read as it is (above); --force-readable copies what the bytes on disk hold\n",
					old);
			return 1;
		}
		if (!m->ob.fb.pending_restart) { /* --force-readable: the bytes on disk, as they are */
			m->obuf = m->o.buf;
			m->ovs = &m->ob.disk;
		}
	} else if (rc && !a->force) {
		fprintf(stderr, "fdsplit: %s: fails fdsplit check (above): refusing to migrate it; --force-readable copies the %zu records that were read\n",
			old, m->ovs->nvars);
		return 1;
	}
	diag_init(&d);
	rc = ovmf_classify(m->t.buf, m->t.len, &vlen) != OVMF_VARS || vlen != m->t.len ? 1 :
	     cli_exit(varstore_parse(m->t.buf, m->t.len, &m->tvs, &d));
	if (rc) {
		cli_print_diag("fdsplit", a->tmpl, &d);
		if (rc == 1)
			fprintf(stderr, "fdsplit: %s: not a varstore template (a VARS image that passes fdsplit check)\n", a->tmpl);
		return rc;
	}
	return 0;
}

static void migrate_report_out(const struct fdsplit_opts *a, const char *old, const struct migration *m,
			       const struct migrate_report *r, const char *how, int ok, const struct diag *d)
{
	if (a->json) {
		struct json j;

		json_doc(&j, stdout, "fdsplit", FDSPLIT_JSON_VERSION, "migrate");
		json_str(&j, "old", old);
		json_str(&j, "template", a->tmpl);
		json_str(&j, "code", a->code);
		json_str(&j, "out", ok ? a->out : NULL);
		json_u64(&j, "old_live", m->ovs->nlive);
		json_str(&j, "old_at_boot", ftw_boot_action_name(m->ob.fb.action));
		json_u64(&j, "copied", r->copied);
		json_u64(&j, "kept", r->kept);
		json_u64(&j, "replaced", r->replaced);
		json_str(&j, "replaced_names", r->replaced_names);
		json_u64(&j, "preferred_template", r->preferred);
		json_u64(&j, "duplicates", r->duplicates);
		json_u64(&j, "used", r->used);
		json_u64(&j, "free", r->free);
		json_str(&j, "judged_by", how[0] ? how : NULL);
		json_bool(&j, "ok", ok);
		fd_json_findings(&j, d);
		json_end(&j, '}');
		json_done(&j);
	} else if (ok) {
		printf("%s: %zu variables from %s, %zu kept from the template, %zu replaced%s%s%s; 0x%llx bytes used, 0x%llx free in the 0x%x-byte store%s%s%s%s%s\n",
		       a->out, r->copied, old, r->kept, r->replaced, r->replaced ? " (" : "", r->replaced_names,
		       r->replaced ? ")" : "", (unsigned long long)r->used, (unsigned long long)r->free,
		       m->tvs.store_size, a->code ? "; fits " : "", a->code ? a->code : "", how[0] ? " (" : "", how,
		       how[0] ? ")" : "");
		if (m->obuf == m->ob.buf && m->ob.fb.action == FTW_BOOT_REFORMAT)
			printf("%s: copied the interrupted write's copy in the spare of %s (--force-readable): OVMF itself would erase that store\n",
			       a->out, old);
		else if (m->obuf == m->ob.buf && boot_store_changed(&m->ob)) {
			char clause[2 * DIAG_MSG];

			boot_store_clause(&m->ob, clause, sizeof(clause));
			printf("%s: read %s as the firmware will at boot: %s\n", a->out, old, clause);
		}
		if (r->preferred)
			printf("%s: %zu variables kept from the template as asked (--prefer-template)\n", a->out, r->preferred);
		if (r->duplicates)
			printf("%s: %zu later copies of a variable %s holds twice left out (OVMF reads the first)\n",
			       a->out, r->duplicates, old);
	}
}

int cmd_migrate(void *opts, int argc, char **argv)
{
	const struct fdsplit_opts *a = opts;
	const char *old = argv[0];
	struct migration m = { 0 };
	struct migrate_report r = { 0 };
	struct varstore nvs;
	struct diag d;
	char how[200] = "";
	int rc;

	(void)argc;
	if (!a->tmpl || !a->out)
		return fd_usage("migrate needs --template TEMPLATE and -o OUT", NULL);
	if (io_same_file(old, a->out) || io_same_file(a->tmpl, a->out))
		return fd_usage("the output names an input; refusing to overwrite it", a->out);
	diag_init(&d);
	rc = migrate_inputs(a, old, &m);
	if (rc == 0 && !(m.out = malloc(m.t.len))) {
		fprintf(stderr, "fdsplit: %s: out of memory for 0x%zx bytes\n", a->out, m.t.len);
		rc = 2;
	}
	if (rc == 0)
		rc = cli_exit(varstore_migrate(m.obuf, m.ovs, m.t.buf, m.t.len, &m.tvs, &a->migrate, m.out, &r, &d));
	if (rc == 0) {
		/* the result must read back as the template's layout with every variable live */
		struct diag nd;
		enum lib_result back;

		diag_init(&nd);
		back = varstore_parse(m.out, m.t.len, &nvs, &nd);
		if (back == LIB_NO_MEMORY) {
			cli_print_diag("fdsplit", a->out, &nd);
			rc = 2;
		} else if (back != LIB_OK || nvs.nlive != r.copied + r.kept ||
			   varstore_compare_layout(&nvs, &m.tvs, &nd) != LIB_OK) {
			cli_print_diag("fdsplit", a->out, &nd);
			fprintf(stderr, "fdsplit: %s: internal error: the new store does not read back (%zu live, %zu expected); nothing written\n",
				a->out, nvs.nlive, r.copied + r.kept);
			rc = 1;
		}
		varstore_free(&nvs);
	}
	if (rc == 0 && a->code) {
		static struct code_ref cr;

		rc = code_load(&cr, a->code, &d);
		if (rc == 0)
			rc = cli_exit(ovmf_code_expects(&cr.c, cr.len, m.t.len, &d, how, sizeof(how)));
	}
	if (rc == 0) {
		struct io_part part = { m.out, m.t.len, 0 };

		rc = fd_write(a->out, &part, 1);
	}
	migrate_report_out(a, old, &m, &r, how, rc == 0, &d);
	cli_print_diag("fdsplit", a->out, &d);
	if (rc == 1)
		fprintf(stderr, "fdsplit: %s: not written\n", a->out);
	migrate_free(&m);
	return rc;
}
