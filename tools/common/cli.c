/* SPDX-License-Identifier: MIT */
/* Shared main() helpers (see cli.h). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_prologue(int argc, char **argv, const char *tool, const char *usage)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("%s %s\n", tool, FWSLOT_VERSION);
		return 0;
	}
	return -1;
}

int cli_exit(enum lib_result r)
{
	switch (r) {
	case LIB_OK: return 0;
	case LIB_REFUSED: return 1;
	case LIB_NO_MEMORY: return 2;
	}
	return 2;
}

int cli_worse(int a, int b)
{
	return a > b ? a : b;
}

void cli_print_diag(const char *tool, const char *file, const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s: %s: %s%s\n", tool, file,
			d->item[i].level == DIAG_WARN ? "warning: " :
			d->item[i].level == DIAG_NOTE ? "note: " : "", d->item[i].msg);
	if (d->dropped)
		fprintf(stderr, "%s: %s: %zu more findings not shown\n", tool, file, d->dropped);
}
