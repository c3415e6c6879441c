/* SPDX-License-Identifier: MIT */
/* What both tools' mains share: the help/version prologue and printing findings. */
#ifndef FWSLOT_CLI_H
#define FWSLOT_CLI_H

#include <stdint.h>

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

/*
 * A tool's command table, as coreboot's cbfstool keeps one: each command
 * names the options it takes and how many arguments; cli_main refuses any
 * other option as a usage error (exit 2) naming the command, so an option
 * never goes silently unused.
 */
struct cli_opt {
	const char *name;   /* long name, without "--" */
	int has_arg;        /* takes a value */
	char short_name;    /* 'o' for -o, or 0 */
};

struct cli_cmd {
	const char *name;
	uint32_t takes;     /* bit i: the tool's option i */
	int min_args, max_args; /* max_args -1: any number */
	const char *args;   /* what the arguments are, for the message: "VARS..." */
	/* runs the command on its arguments; returns the exit status */
	int (*run)(void *opts, int argc, char **argv);
};

struct cli_tool {
	const char *name;   /* "fdsplit" */
	const char *usage;
	const struct cli_opt *opt;
	size_t nopt;
	const struct cli_cmd *cmd;
	size_t ncmd;
	/* stores option i's value (arg NULL for a flag) in opts; returns 0, or 2
	 * after printing why the value is refused */
	int (*set)(void *opts, size_t i, const char *arg);
};

#define CLI_BIT(i) (UINT32_C(1) << (i))

/*
 * The whole command line: the prologue (cli_prologue), then "--commands"
 * (prints the table: a line per command, its name and the options it takes,
 * "--name"), then argv[1] looked up in the table, its options parsed and
 * checked against the command's, its argument count checked, and the
 * command run. Returns the exit status.
 */
int cli_main(const struct cli_tool *t, void *opts, int argc, char **argv);

/* Prints "TOOL: msg[: arg]" and the usage to stderr; returns 2. */
int cli_usage_error(const struct cli_tool *t, const char *msg, const char *arg);

/* The worse of two exit statuses (0 < 1 < 2). */
int cli_worse(int a, int b);

/* Prints each finding to stderr as "TOOL: FILE: [warning: ]msg". */
void cli_print_diag(const char *tool, const char *file, const struct diag *d);

#endif
