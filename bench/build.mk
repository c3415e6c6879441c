# SPDX-License-Identifier: MIT
.PHONY: bench
bench: tools $(REF)/padded.stamp $(O)/asan/tests/gen ## time the tools against peer tools and cat, as ratios
	$(Q)pkg/deps.sh bench
	$(Q)O=$(O) bench/romsize.sh
	$(Q)O=$(O) bench/fdsplit.sh
	$(Q)O=$(O) bench/fdsplit-many.sh
	$(Q)O=$(O) bench/varstore-transitions.sh
	$(Q)O=$(O) bench/saved-state.sh

.PHONY: measurements
measurements: ## write what the last make and make check measured into doc/measurements.md (a dated section)
	$(Q)python3 pkg/measurements.py $(O) doc/measurements.md
