/* SPDX-License-Identifier: MIT */
/* Line-oriented config text (see conf.h). */
#include "conf.h"

#include <string.h>

static enum lib_result split(char *line, unsigned lineno, conf_line_fn fn, void *ctx, struct diag *d)
{
	char *f[CONF_FIELDS_MAX];
	size_t nf = 0;
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	for (char *p = line; *p && nf < CONF_FIELDS_MAX;) {
		p += strspn(p, " \t\r");
		if (!*p)
			break;
		f[nf++] = p;
		p += strcspn(p, " \t\r");
		if (*p)
			*p++ = '\0';
	}
	return nf ? fn(f, nf, lineno, ctx, d) : LIB_OK;
}

enum lib_result conf_parse(const char *text, size_t len, conf_line_fn fn, void *ctx, struct diag *d)
{
	char line[CONF_LINE_MAX];
	unsigned lineno = 0;
	size_t pos = 0;
	enum lib_result rc = LIB_OK;

	while (pos < len) {
		size_t n = 0;

		lineno++;
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0')
				return diag_add(d, DIAG_ERROR, "line %u: NUL byte", lineno);
			if (n + 1 >= sizeof(line))
				return diag_add(d, DIAG_ERROR, "line %u: longer than %d characters",
						lineno, CONF_LINE_MAX - 1);
			line[n++] = text[pos++];
		}
		pos++; /* the newline, or one past the end */
		line[n] = '\0';
		if (split(line, lineno, fn, ctx, d) != LIB_OK)
			rc = LIB_REFUSED;
	}
	return rc;
}
