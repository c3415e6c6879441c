/* SPDX-License-Identifier: MIT */
/* Line-oriented config text (lib/conf.c): comments, fields, line numbers, the limits. */
#include <string.h>

#include "conf.h"
#include "t.h"

struct seen {
	unsigned lines[16];
	size_t nf[16];
	char first[16][32];
	size_t n;
	unsigned refuse_line; /* the callback refuses this line */
};

static enum lib_result record(char **f, size_t nf, unsigned lineno, void *ctx, struct diag *d)
{
	struct seen *s = ctx;

	if (s->n < 16) {
		s->lines[s->n] = lineno;
		s->nf[s->n] = nf;
		snprintf(s->first[s->n], sizeof(s->first[0]), "%s", f[0]);
		s->n++;
	}
	if (lineno == s->refuse_line)
		return diag_add(d, DIAG_ERROR, "line %u: refused", lineno);
	return LIB_OK;
}

static enum lib_result parse(const char *text, struct seen *s, struct diag *d)
{
	memset(s->lines, 0, sizeof(s->lines));
	s->n = 0;
	diag_init(d);
	return conf_parse(text, strlen(text), record, s, d);
}

/* blank lines and comments are not lines; fields split on blanks and tabs; numbers count every line */
static void test_lines_fields_comments(void)
{
	struct seen s = { .refuse_line = 0 };
	struct diag d;

	CHECK(parse("# head\n\nbios.bin 128K  # slot\n\t vga\t64K x\n", &s, &d) == LIB_OK, "%s", diag_first(&d));
	CHECK(s.n == 2 && s.lines[0] == 3 && s.lines[1] == 4, "%zu lines: %u, %u", s.n, s.lines[0], s.lines[1]);
	CHECK(s.nf[0] == 2 && !strcmp(s.first[0], "bios.bin") && s.nf[1] == 3 && !strcmp(s.first[1], "vga"),
	      "fields %zu '%s', %zu '%s'", s.nf[0], s.first[0], s.nf[1], s.first[1]);
	CHECK(parse("last line without newline", &s, &d) == LIB_OK && s.n == 1 && s.nf[0] == 4, "%zu", s.nf[0]);
	CHECK(parse("", &s, &d) == LIB_OK && s.n == 0 && d.n == 0, "empty text: no line, no finding");
}

/* a refused line makes the whole text refused, and the walk goes on to name every bad line */
static void test_refusal_goes_on(void)
{
	struct seen s = { .refuse_line = 2 };
	struct diag d;

	CHECK(parse("a 1\nb 2\nc 3\n", &s, &d) == LIB_REFUSED && s.n == 3 && DIAG_HAS(&d, "line 2: refused"),
	      "%zu lines, '%s'", s.n, diag_first(&d));
}

/* a line of more than CONF_FIELDS_MAX fields reaches the callback cut at CONF_FIELDS_MAX, more than
 * any table takes, so the callback can still say "too many" */
static void test_field_limit(void)
{
	struct seen s = { .refuse_line = 0 };
	struct diag d;
	char line[128] = "";

	for (int i = 0; i < CONF_FIELDS_MAX + 3; i++)
		strcat(line, "f ");
	CHECK(parse(line, &s, &d) == LIB_OK && s.n == 1 && s.nf[0] == CONF_FIELDS_MAX, "nf %zu", s.nf[0]);
}

/* a line of CONF_LINE_MAX - 1 characters is read; CONF_LINE_MAX is refused naming the line; a NUL ends it */
static void test_line_length_and_nul(void)
{
	static char text[2 * CONF_LINE_MAX + 8];
	struct seen s = { .refuse_line = 0 };
	struct diag d;

	memset(text, 'x', CONF_LINE_MAX - 1);
	text[CONF_LINE_MAX - 1] = '\n';
	text[CONF_LINE_MAX] = '\0';
	CHECK(parse(text, &s, &d) == LIB_OK && s.n == 1, "limit - 1: %s", diag_first(&d));
	memset(text, 'x', CONF_LINE_MAX);
	text[CONF_LINE_MAX] = '\n';
	text[CONF_LINE_MAX + 1] = '\0';
	CHECK(parse(text, &s, &d) == LIB_REFUSED && DIAG_HAS(&d, "line 1"), "limit: '%s'", diag_first(&d));
	diag_init(&d);
	s.n = 0;
	CHECK(conf_parse("a 1\n\0b 2\n", 9, record, &s, &d) == LIB_REFUSED && DIAG_HAS(&d, "line 2"),
	      "NUL: '%s'", diag_first(&d));
}

int main(void)
{
	T_RUN(test_lines_fields_comments);
	T_RUN(test_refusal_goes_on);
	T_RUN(test_field_limit);
	T_RUN(test_line_length_and_nul);
	return T_END("conf");
}
