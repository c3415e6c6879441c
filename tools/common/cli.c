/* SPDX-License-Identifier: MIT */
/* Shared main() helpers (see cli.h). */
#include "cli.h"

#include <getopt.h>
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

int cli_usage_error(const struct cli_tool *t, const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "%s: %s%s%s\n", t->name, msg, arg ? ": " : "", arg ? arg : "");
	fputs(t->usage, stderr);
	return 2;
}

/* "--a, --b and --c", or "no options" */
static void list_options(const struct cli_tool *t, uint32_t takes, char *buf, size_t n)
{
	size_t used = 0, k = 0, count = 0;

	for (size_t i = 0; i < t->nopt; i++)
		count += (takes & CLI_BIT(i)) != 0;
	buf[0] = '\0';
	if (!count) {
		snprintf(buf, n, "no options");
		return;
	}
	for (size_t i = 0; i < t->nopt && used < n; i++) {
		int w;

		if (!(takes & CLI_BIT(i)))
			continue;
		k++;
		w = snprintf(buf + used, n - used, "%s--%s", k == 1 ? "" : k == count ? " and " : ", ", t->opt[i].name);
		used = w < 0 ? n : used + (size_t)w;
	}
}

int cli_main(const struct cli_tool *t, void *opts, int argc, char **argv)
{
	struct option lopts[33];
	char shorts[2 * 32 + 4] = "h";
	const struct cli_cmd *cmd = NULL;
	uint32_t seen = 0;
	int c, rc;

	rc = cli_prologue(argc, argv, t->name, t->usage);
	if (rc >= 0)
		return rc;
	if (!strcmp(argv[1], "--commands")) {
		for (size_t k = 0; k < t->ncmd; k++) {
			printf("%s", t->cmd[k].name);
			for (size_t i = 0; i < t->nopt; i++)
				if (t->cmd[k].takes & CLI_BIT(i))
					printf(" --%s", t->opt[i].name);
			putchar('\n');
		}
		return 0;
	}
	for (size_t k = 0; k < t->ncmd; k++)
		if (!strcmp(argv[1], t->cmd[k].name))
			cmd = &t->cmd[k];
	if (!cmd)
		return cli_usage_error(t, "unknown command", argv[1]);
	/* getopt's table from the tool's: val = index + 256, or the short letter */
	for (size_t i = 0; i < t->nopt && i < 32; i++) {
		lopts[i] = (struct option){ t->opt[i].name, t->opt[i].has_arg ? required_argument : no_argument, NULL,
					    (int)i + 256 };
		if (t->opt[i].short_name) {
			size_t l = strlen(shorts);

			shorts[l] = t->opt[i].short_name;
			shorts[l + 1] = t->opt[i].has_arg ? ':' : '\0';
			shorts[l + 2] = '\0';
		}
	}
	lopts[t->nopt < 32 ? t->nopt : 32] = (struct option){ 0, 0, 0, 0 };
	optind = 2;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		size_t i = t->nopt;
		char list[512], what[160];

		if (c == 'h') {
			fputs(t->usage, stdout);
			return 0;
		}
		if (c >= 256)
			i = (size_t)c - 256;
		else
			for (size_t k = 0; k < t->nopt; k++)
				if (t->opt[k].short_name && t->opt[k].short_name == c)
					i = k;
		if (i >= t->nopt)
			return cli_usage_error(t, NULL, NULL); /* getopt said what */
		if (!(cmd->takes & CLI_BIT(i))) {
			list_options(t, cmd->takes, list, sizeof(list));
			if (t->opt[i].short_name)
				snprintf(what, sizeof(what), "%s does not take -%c/--%s", cmd->name, t->opt[i].short_name,
					 t->opt[i].name);
			else
				snprintf(what, sizeof(what), "%s does not take --%s", cmd->name, t->opt[i].name);
			fprintf(stderr, "%s: %s (%s takes %s)\n", t->name, what, cmd->name, list);
			return 2;
		}
		if (seen & CLI_BIT(i)) {
			snprintf(what, sizeof(what), "%s: --%s given twice", cmd->name, t->opt[i].name);
			return cli_usage_error(t, what, NULL);
		}
		seen |= CLI_BIT(i);
		if ((rc = t->set(opts, i, t->opt[i].has_arg ? optarg : NULL)) != 0)
			return rc;
	}
	argc -= optind;
	argv += optind;
	if (argc < cmd->min_args || (cmd->max_args >= 0 && argc > cmd->max_args)) {
		char what[160];

		snprintf(what, sizeof(what), "%s takes %s, not %d argument%s", cmd->name, cmd->args, argc,
			 argc == 1 ? "" : "s");
		return cli_usage_error(t, what, NULL);
	}
	return cmd->run(opts, argc, argv);
}
