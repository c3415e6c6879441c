/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harnesses: one per parser entry point in lib/. libFuzzer hands
 * each input in a heap buffer of exactly its size, so ASan sees any read
 * past it; UBSan aborts on undefined behaviour; a leak fails the run.
 * A harness may also assert a property with FUZZ_ASSERT (a finding when false).
 */
#ifndef FWSLOT_FUZZ_H
#define FWSLOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "fuzz property failed: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
