/* SPDX-License-Identifier: MIT */
/* What fdsplit's commands share: options, loading, writing, the CODE read once, JSON findings. */
#ifndef FDSPLIT_H
#define FDSPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "fvmodule.h"
#include "io.h"
#include "json.h"
#include "ovmfcode.h"
#include "varmigrate.h"

/*
 * The JSON documents' version (man fdsplit, JSON OUTPUT). 2: check has one
 * shape however many files; "errors" holds errors only, "warnings" and
 * "notes" the rest.
 */
#define FDSPLIT_JSON_VERSION 2

struct fdsplit_opts {
	int json, force, dry_run, no_backup, replace_pk;
	const char *code, *vars, *tmpl, *out, *against, *from;
	struct migrate_opts migrate;
	char prefer[1024];       /* --prefer-template's copy, split in place */
};

struct file {
	const char *path;
	uint8_t *buf;
	size_t len;
};

/* Reads path; on trouble the reason goes to d (or to stderr when d is NULL) and 2 is returned. */
int fd_load(struct file *f, const char *path, struct diag *d);

/* Writes parts to path atomically; 0, or 2 with the reason on stderr. */
int fd_write(const char *path, const struct io_part *parts, size_t n);

/* The usage error: "fdsplit: msg[: arg]" and the usage on stderr; 2. */
int fd_usage(const char *msg, const char *arg);

/* "errors", "warnings" and "notes" arrays of d's findings, by level. */
void fd_json_findings(struct json *j, const struct diag *d);

/* A CODE image, loaded and parsed once for any number of varstores. */
struct code_ref {
	const char *path;
	size_t len;
	struct ovmf_code c;
	enum fv_module_result ftw_pei; /* FaultTolerantWritePei in its volumes */
};

/* Loads and parses CODE. Returns 0, 1 (not a CODE image, or malformed: d
 * says which), 2 (I/O trouble, out of memory). */
int code_load(struct code_ref *cr, const char *path, struct diag *d);

/* Whether a CODE carries FaultTolerantWritePei; the search's notes are dropped. */
enum fv_module_result code_ftw_pei(const uint8_t *p, size_t len);

/* The commands (run by cli_main with struct fdsplit_opts). */
int cmd_split(void *o, int argc, char **argv);
int cmd_join(void *o, int argc, char **argv);
int cmd_info(void *o, int argc, char **argv);
int cmd_check(void *o, int argc, char **argv);
int cmd_migrate(void *o, int argc, char **argv);
int cmd_audit(void *o, int argc, char **argv);
int cmd_update_keys(void *o, int argc, char **argv);

#endif
