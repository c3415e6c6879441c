/* SPDX-License-Identifier: MIT */
/* Line-oriented config text (pkg/slots.conf, pkg/romdevs.conf): lines, '#' comments, blank-separated fields. */
#ifndef FWSLOT_CONF_H
#define FWSLOT_CONF_H

#include <stddef.h>

#include "diag.h"

#define CONF_LINE_MAX 512
#define CONF_FIELDS_MAX 8

/* Called once per line that has fields; f[0..nf) are NUL-terminated, nf may
 * exceed the caller's count by one so that "too many" can be reported
 * (lines with more than CONF_FIELDS_MAX fields are cut there). Returns LIB_REFUSED to
 * mark the line bad (after adding a diag), LIB_OK otherwise. */
typedef enum lib_result (*conf_line_fn)(char **f, size_t nf, unsigned lineno, void *ctx, struct diag *d);

/* Walks text[0..len) (need not be NUL-terminated). A NUL byte or a line of
 * CONF_LINE_MAX characters or more ends the walk with an error naming the
 * line. Returns LIB_OK if every line was good, LIB_REFUSED otherwise. */
enum lib_result conf_parse(const char *text, size_t len, conf_line_fn fn, void *ctx, struct diag *d);

#endif
