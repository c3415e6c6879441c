/* SPDX-License-Identifier: MIT */
/* What both tools' mains share: the help/version prologue and printing findings. */
#ifndef FWSLOT_CLI_H
#define FWSLOT_CLI_H

#include "diag.h"

#ifndef FWSLOT_VERSION
#define FWSLOT_VERSION "0.1"
#endif

/*
 * Handles what comes before the subcommand: no arguments (usage on stderr,
 * returns 2), -h/--help/help (usage on stdout, 0), --version (0). Returns -1
 * when main should go on with argv[1] as the subcommand.
 */
int cli_prologue(int argc, char **argv, const char *tool, const char *usage);

/*
 * The exit status a lib/ result stands for: LIB_OK 0, LIB_REFUSED 1,
 * LIB_NO_MEMORY 2 (no verdict on the input: trouble, not a refusal).
 */
int cli_exit(enum lib_result r);

/* The worse of two exit statuses (0 < 1 < 2). */
int cli_worse(int a, int b);

/* Prints each finding to stderr as "TOOL: FILE: [warning: ]msg". */
void cli_print_diag(const char *tool, const char *file, const struct diag *d);

#endif
