/* SPDX-License-Identifier: MIT */
/* Moving a VM's variables into another layout (lib/varmigrate.c): what is copied, kept, replaced, refused. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "romgen.h"
#include "varmigrate.h"
#include "varstore.h"
#include "t.h"

#define L2M 0x20000
#define L4M 0x84000
#define FIRST (0x48 + VS_HDR_SIZE)  /* the first variable: after the FV and store headers */

static uint8_t old[L4M], tmpl[L4M], out[L4M];
static struct varstore ovs, tvs, nvs;
static struct migrate_report r;

/* Migrates old (olen) into tmpl (tlen) and parses the result into nvs. */
static enum lib_result migrate(size_t olen, size_t tlen, const char *prefer, struct diag *d)
{
	struct migrate_opts o = { { prefer }, prefer ? 1 : 0 };
	struct diag pd;
	enum lib_result rc;

	varstore_free(&ovs);
	varstore_free(&tvs);
	varstore_free(&nvs);
	diag_init(&pd);
	varstore_parse(old, olen, &ovs, &pd);
	varstore_parse(tmpl, tlen, &tvs, &pd);
	diag_init(d);
	memset(&r, 0, sizeof(r));
	rc = varstore_migrate(old, &ovs, tmpl, tlen, &tvs, &o, out, &r, d);
	if (rc == LIB_OK)
		varstore_parse(out, tlen, &nvs, &pd);
	return rc;
}

static const struct variable *find(const struct varstore *vs, const char *name)
{
	for (size_t i = 0; i < vs->nvars; i++)
		if (vs->vars[i].live && !strcmp(vs->vars[i].name, name))
			return &vs->vars[i];
	return NULL;
}

/* every live variable of a 2M store lands in the 4M template, byte for byte; deleted ones do not */
static void test_copies_live_only(void)
{
	struct diag d;
	size_t off;
	const struct variable *v;

	gen_vars_empty(old, L2M);
	off = gen_var_add(old, FIRST, "BootOrder", VAR_ADDED, 8);
	off = gen_var_add(old, off, "Gone", VAR_DELETED, 16);
	gen_var_add(old, off, "Boot0000", VAR_ADDED, 64);
	gen_vars_empty(tmpl, L4M);
	CHECK(migrate(L2M, L4M, NULL, &d) == LIB_OK, "%s", diag_first(&d));
	CHECK(r.copied == 2 && r.kept == 0 && r.replaced == 0 && nvs.nlive == 2 && !find(&nvs, "Gone"),
	      "copied %zu kept %zu, %zu live", r.copied, r.kept, nvs.nlive);
	v = find(&nvs, "Boot0000");
	CHECK(v && v->data_size == 64 && out[v->data_offset] == 0xA5 && out[v->data_offset + 63] == 0xA5,
	      "Boot0000's data copied");
	CHECK(r.used + r.free == nvs.store_size - VS_HDR_SIZE && nvs.fv.fv_length == L4M, "used 0x%llx free 0x%llx",
	      (unsigned long long)r.used, (unsigned long long)r.free);
}

/* the old store's copy of a name the template has wins, unless the template is preferred for it */
static void test_replaced_and_preferred(void)
{
	struct diag d;
	const struct variable *v;

	gen_vars_empty(old, L2M);
	gen_var_add(old, FIRST, "db", VAR_ADDED, 100);
	gen_vars_empty(tmpl, L4M);
	gen_var_add(tmpl, FIRST, "db", VAR_ADDED, 300);
	CHECK(migrate(L2M, L4M, NULL, &d) == LIB_OK && r.replaced == 1 && !strcmp(r.replaced_names, "db") &&
	      r.copied == 1 && r.kept == 0, "replaced %zu '%s': %s", r.replaced, r.replaced_names, diag_first(&d));
	v = find(&nvs, "db");
	CHECK(v && v->data_size == 100 && nvs.nlive == 1, "the VM's db (100 bytes) kept");
	CHECK(migrate(L2M, L4M, "db", &d) == LIB_OK && r.preferred == 1 && r.kept == 1 && r.copied == 0,
	      "preferred %zu kept %zu copied %zu: %s", r.preferred, r.kept, r.copied, diag_first(&d));
	v = find(&nvs, "db");
	CHECK(v && v->data_size == 300 && nvs.nlive == 1, "--prefer-template db: the template's db (300 bytes)");
}

/* a later live copy of a name is left out (OVMF reads the first) */
static void test_duplicates(void)
{
	struct diag d;

	gen_vars_empty(old, L2M);
	gen_var_add(old, gen_var_add(old, FIRST, "Lang", VAR_ADDED, 4), "Lang", VAR_ADDED, 6);
	gen_vars_empty(tmpl, L4M);
	CHECK(migrate(L2M, L4M, NULL, &d) == LIB_OK && r.duplicates == 1 && r.copied == 1 && nvs.nlive == 1 &&
	      find(&nvs, "Lang")->data_size == 4, "duplicates %zu copied %zu: %s", r.duplicates, r.copied,
	      diag_first(&d));
}

/* what does not fit the template's store is refused with the numbers, at the limit and one past it */
static void test_does_not_fit(void)
{
	struct diag d;
	uint32_t room, hdr = VAR_HDR_AUTH + 8; /* the header and "Big" in UCS-2 with its NUL */

	gen_vars_empty(tmpl, L2M);
	gen_vars_empty(old, L4M);
	{
		struct diag pd;

		diag_init(&pd);
		varstore_free(&tvs);
		varstore_parse(tmpl, L2M, &tvs, &pd);
		room = tvs.store_size - VS_HDR_SIZE;
	}
	gen_var_add(old, FIRST, "Big", VAR_ADDED, room - hdr);
	CHECK(migrate(L4M, L2M, NULL, &d) == LIB_OK && r.free == 0, "exactly the room (0x%x): used 0x%llx free 0x%llx %s", room, (unsigned long long)r.used, (unsigned long long)r.free,
	      diag_first(&d));
	gen_vars_empty(old, L4M);
	gen_var_add(old, FIRST, "Big", VAR_ADDED, room - hdr + 4);
	CHECK(migrate(L4M, L2M, NULL, &d) == LIB_REFUSED && DIAG_HAS(&d, "0x"), "4 bytes over: '%s'", diag_first(&d));
}

int main(void)
{
	T_RUN(test_copies_live_only);
	T_RUN(test_replaced_and_preferred);
	T_RUN(test_duplicates);
	T_RUN(test_does_not_fit);
	varstore_free(&ovs);
	varstore_free(&tvs);
	varstore_free(&nvs);
	return T_END("varmigrate");
}
