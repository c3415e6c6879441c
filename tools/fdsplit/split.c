/* SPDX-License-Identifier: MIT */
/* fdsplit split and join: a unified OVMF.fd into VARS and CODE, and back, after checking both parts. */
#include "fdsplit.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "varstore.h"

/* Parses VARS and CODE parts of a unified image, reporting both. Returns 0, 1 or 2. */
static int check_parts(const char *name, const uint8_t *vp, size_t vlen, const uint8_t *cp, size_t clen)
{
	struct varstore vs;
	struct ovmf_code c;
	struct diag d;
	enum lib_result vr, cr;

	diag_init(&d);
	vr = varstore_parse(vp, vlen, &vs, &d);
	varstore_free(&vs);
	cr = ovmf_code_parse(cp, clen, &c, &d);
	cli_print_diag("fdsplit", name, &d);
	return cli_exit(lib_worse(vr, cr));
}

int cmd_split(void *opts, int argc, char **argv)
{
	const struct fdsplit_opts *o = opts;
	const char *in = argv[0];
	struct file f;
	uint64_t vlen;
	int rc;

	(void)argc;
	if (!o->code || !o->vars)
		return fd_usage("split needs --code OUT and --vars OUT", NULL);
	if (io_same_file(in, o->code) || io_same_file(in, o->vars))
		return fd_usage("an output names the input; refusing to overwrite it", in);
	if ((rc = fd_load(&f, in, NULL)) != 0)
		return rc;
	switch (ovmf_classify(f.buf, f.len, &vlen)) {
	case OVMF_UNIFIED:
		break;
	case OVMF_VARS:
		fprintf(stderr, "fdsplit: %s: a varstore of 0x%llx bytes with no CODE volume after it (file 0x%zx): nothing to split\n",
			in, (unsigned long long)vlen, f.len);
		free(f.buf);
		return 1;
	case OVMF_CODE:
		fprintf(stderr, "fdsplit: %s: starts with a code volume, not the varstore (EfiSystemNvDataFv): not a unified image\n", in);
		free(f.buf);
		return 1;
	default:
		fprintf(stderr, "fdsplit: %s: no firmware volume at 0x0 (no \"_FVH\" at 0x28): not an OVMF image\n", in);
		free(f.buf);
		return 1;
	}
	if (check_parts(in, f.buf, vlen, f.buf + vlen, f.len - vlen)) {
		fprintf(stderr, "fdsplit: %s: refusing to split a malformed image; nothing written\n", in);
		free(f.buf);
		return 1;
	}
	{
		struct io_part vp = { f.buf, vlen, 0 }, cp = { f.buf + vlen, f.len - vlen, 0 };

		rc = fd_write(o->vars, &vp, 1);
		if (!rc)
			rc = fd_write(o->code, &cp, 1);
	}
	free(f.buf);
	return rc;
}

int cmd_join(void *opts, int argc, char **argv)
{
	const struct fdsplit_opts *o = opts;
	const char *vars = argv[0], *code = argv[1];
	struct file v, c;
	uint64_t vlen;
	int rc;

	(void)argc;
	if (!o->out)
		return fd_usage("join needs -o OUT", NULL);
	if (io_same_file(vars, o->out) || io_same_file(code, o->out))
		return fd_usage("the output names an input; refusing to overwrite it", o->out);
	if ((rc = fd_load(&v, vars, NULL)) != 0)
		return rc;
	if ((rc = fd_load(&c, code, NULL)) != 0) {
		free(v.buf);
		return rc;
	}
	if (ovmf_classify(v.buf, v.len, &vlen) != OVMF_VARS || vlen != v.len) {
		fprintf(stderr, "fdsplit: %s: not a varstore image (EfiSystemNvDataFv FV filling the file)\n", vars);
		rc = 1;
	} else if (ovmf_classify(c.buf, c.len, &vlen) != OVMF_CODE) {
		fprintf(stderr, "fdsplit: %s: not a CODE image (a firmware volume that is not the varstore)\n", code);
		rc = 1;
	} else if (check_parts(vars, v.buf, v.len, c.buf, c.len)) {
		fprintf(stderr, "fdsplit: refusing to join malformed images; nothing written\n");
		rc = 1;
	} else {
		struct io_part parts[2] = { { v.buf, v.len, 0 }, { c.buf, c.len, 0 } };

		rc = fd_write(o->out, parts, 2);
	}
	free(v.buf);
	free(c.buf);
	return rc;
}
