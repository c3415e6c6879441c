/* SPDX-License-Identifier: MIT */
/* What romsize's commands share: the options and the slot each file is judged by. */
#ifndef ROMSIZE_H
#define ROMSIZE_H

#include <stdint.h>

#include "report.h"
#include "romdevs.h"
#include "slots.h"

struct opts {
	int json, require_all, allow_removed, overlay;
	unsigned top;
	uint64_t slot;
	struct check_opts chk;
	const char *manifest_path, *romdevs_path;
	const char *out;
	const char *code;        /* diff STATE: the CODE file name the VM's pflash names */
	const char *machine;     /* diff STATE: the machine type, when the stream names none */
	struct slot_manifest manifest;
	struct romdevs devs;
};

/* The usage error: "romsize: msg[: arg]" and the usage on stderr; 2. */
int die_usage(const char *msg, const char *arg);

/* The slot a file is judged by: --slot, or its manifest entry. */
struct slot_spec spec_for(const struct opts *o, const char *file);

/* Whether p names a folder. */
int is_dir(const char *p);

/* romsize pad FILE...: each padded to its slot (pad.c). */
int cmd_pad(struct opts *o, int argc, char **argv);

#endif
