# SPDX-License-Identifier: GPL-2.0-or-later
# The two commands of the README; everything else is in scripts/ and meson.
BUILDDIR ?= build

.PHONY: all run check setup clean
all: setup

setup:
	scripts/setup.sh $(BUILDDIR)

# The main job: build everything, run the COLO matrix, print the results.
run: setup
	scripts/run-matrix.sh $(BUILDDIR)

# The tests.
check: setup
	meson test -C $(BUILDDIR) --print-errorlogs

clean:
	rm -rf $(BUILDDIR)
