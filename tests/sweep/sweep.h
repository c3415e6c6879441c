/* SPDX-License-Identifier: MIT */
/* The malformed-input sweep's parts: real option ROMs (sweep.c), real saved VMs (states.c). */
#ifndef SWEEP_H
#define SWEEP_H

#include <stddef.h>
#include <stdint.h>

/* The whole file, malloc'd (exit 2 when it cannot be read). */
uint8_t *sweep_load(const char *path, size_t *len);

/* Sweeps each saved VM; adds its checks to *pass and *fail. */
void sweep_states(int n, char **files, int *pass, int *fail);

#endif
