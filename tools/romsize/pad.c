/* SPDX-License-Identifier: MIT */
/* romsize pad: an image padded to its slot (option ROMs at the end, BIOS at the front), written atomically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image.h"
#include "io.h"
#include "romsize.h"
#include "size.h"

/* Pads one file into out (may equal file). Returns 0, 1 refused, 2 I/O. */
static int pad_one(const struct opts *o, const char *file, const char *out)
{
	struct slot_spec s = spec_for(o, file);
	struct image_report r, r2;
	struct diag d, d2;
	uint8_t *buf, *padded;
	size_t len;
	char err[300], sl[32];
	enum lib_result res;
	int rc = 1;

	if (!s.slot) {
		fprintf(stderr, "romsize: %s: no slot known (not in the manifest): pass --slot SIZE\n", file);
		return 1;
	}
	if (io_read_file(file, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "romsize: %s: %s\n", file, err);
		return 2;
	}
	size_format(s.slot, sl, sizeof(sl));
	diag_init(&d);
	switch (image_analyse(buf, len, &r, &d)) {
	case LIB_OK:
		break;
	case LIB_REFUSED:
		cli_print_diag("romsize", file, &d);
		fprintf(stderr, "romsize: %s: refusing to pad a malformed image\n", file);
		goto out;
	case LIB_NO_MEMORY:
		cli_print_diag("romsize", file, &d);
		rc = 2;
		goto out;
	}
	if (r.kind == KIND_FLASH) {
		fprintf(stderr, "romsize: %s: flash images are never padded (QEMU maps pflash at its exact size; a padded OVMF_CODE boots but never saves variables)\n", file);
		goto out;
	}
	if (len > s.slot) {
		fprintf(stderr, "romsize: %s: %zu bytes exceeds the %s slot by %llu bytes\n",
			file, len, sl, (unsigned long long)(len - s.slot));
		goto out;
	}
	diag_init(&d2);
	if (image_slot_rule(r.kind, s.slot, &d2) != LIB_OK) {
		cli_print_diag("romsize", file, &d2);
		goto out;
	}
	if (len == s.slot && strcmp(file, out) == 0) {
		rc = 0; /* already at its slot: nothing to write */
		goto out;
	}
	padded = malloc(s.slot);
	if (!padded) {
		fprintf(stderr, "romsize: %s: out of memory for %s\n", file, sl);
		rc = 2;
		goto out;
	}
	/* a BIOS runs from its top, so it grows downwards; a ROM chain grows after its end */
	if (r.kind == KIND_BIOS) {
		memset(padded, 0, s.slot - len);
		memcpy(padded + (s.slot - len), buf, len);
	} else {
		memcpy(padded, buf, len);
		memset(padded + len, 0, s.slot - len);
	}
	/* the result must analyse exactly as well as the input did */
	diag_init(&d2);
	res = image_analyse(padded, s.slot, &r2, &d2);
	if (res == LIB_NO_MEMORY) {
		cli_print_diag("romsize", file, &d2);
		free(padded);
		rc = 2;
		goto out;
	}
	if (res != LIB_OK || r2.kind != r.kind || r2.rom.n != r.rom.n || r2.used != r.used) {
		cli_print_diag("romsize", file, &d2);
		fprintf(stderr, "romsize: %s: internal error: the padded image does not analyse like the input; nothing written\n", file);
		free(padded);
		goto out;
	}
	{
		struct io_part part = { padded, s.slot, 0 };

		if (io_write_atomic(out, &part, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "romsize: %s: %s\n", out, err);
			free(padded);
			rc = 2;
			goto out;
		}
	}
	free(padded);
	rc = 0;
out:
	free(buf);
	return rc;
}

int cmd_pad(struct opts *o, int argc, char **argv)
{
	int worst = 0;
	int out_dir = o->out && is_dir(o->out);

	if (argc > 1 && o->out && !out_dir)
		return die_usage("with several files, -o must name a directory", o->out);
	for (int i = 0; i < argc; i++) {
		char path[4096];
		const char *out = argv[i];
		int rc;

		if (o->out && out_dir) {
			const char *base = strrchr(argv[i], '/');

			base = base ? base + 1 : argv[i];
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", o->out, base) >= sizeof(path)) {
				fprintf(stderr, "romsize: %s: output path too long\n", argv[i]);
				worst = 2;
				continue;
			}
			out = path;
		} else if (o->out) {
			out = o->out;
		}
		if (out != argv[i] && io_same_file(argv[i], out))
			out = argv[i]; /* -o naming the input itself is an in-place pad */
		rc = pad_one(o, argv[i], out);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}
