# SPDX-License-Identifier: MIT
.PHONY: reference
reference:
	@true
