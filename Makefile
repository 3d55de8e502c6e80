# SPDX-License-Identifier: GPL-2.0-or-later
# The two commands of the README; everything else is in scripts/ and meson.
BUILDDIR ?= build

.PHONY: all run check bench bench-net soak setup clean migration-test valgrind-disk valgrind-net \
	deb deb-install-test
all: setup

setup:
	scripts/setup.sh $(BUILDDIR)

# The main job: build everything, run the COLO matrix, print the results.
run: setup
	scripts/run-matrix.sh $(BUILDDIR)

# The tests.  A failure ends with its failing subtests, the part of a long
# log a reader (or a truncated CI log) needs.
check: setup
	meson test -C $(BUILDDIR) --print-errorlogs || { \
	    echo "failing subtests:"; \
	    grep -h -e '^not ok' -e '^Bail out' $(BUILDDIR)/meson-logs/testlog.txt | cut -c1-400; \
	    exit 1; }

# QEMU's own migration-test, every case, stock against patched (make check
# runs the families the series touches).
migration-test: setup
	scripts/qemu-migration-test.sh --full

# The checkpoint pause benchmark: table, JSON, TSV and plot in bench/, on
# every accelerator (KVM where usable) and link (the shaped ones as root).
BENCH_ARGS ?= --samples 100 --link loopback --link 10gbit --link 1gbit
bench: setup
	scripts/bench.sh $(BUILDDIR) bench $(BENCH_ARGS)

# The network cases' client figures: no COLO, plain, multifd, answers that
# differ; table and JSON in bench/ (as root: two network namespaces).
bench-net: setup
	scripts/bench-net.sh $(BUILDDIR) bench

# One long COLO session (SOAK_CHECKPOINTS, default 5000), both QEMUs
# sampled: CSV, TAP and plot in bench/soak/.  make check runs a short one.
soak: setup
	scripts/soak.sh $(BUILDDIR) bench/soak

# The disk case under memcheck on TCG, where KVM cannot run Linux (make
# run has it on KVM): about an hour here, most of it the guest's boot.
valgrind-disk: setup
	$(BUILDDIR)/shim/colo-shim --tap --accel tcg --module-dir $(BUILDDIR)/module \
	    --qemu "$$(scripts/build-qemu.sh --print-prefix)/bin/qemu-system-x86_64" \
	    --valgrind --valgrind-supp tests/valgrind.supp \
	    --only /colo/tcg/q35/disk/plain/secondary_failover \
	    --exclude /colo/tcg/q35/disk/plain/secondary_failover_

# The same for a network case: colo-compare and the filters under memcheck.
valgrind-net: setup
	$(BUILDDIR)/shim/colo-shim --tap --accel tcg --module-dir $(BUILDDIR)/module \
	    --qemu "$$(scripts/build-qemu.sh --print-prefix)/bin/qemu-system-x86_64" \
	    --valgrind --valgrind-supp tests/valgrind.supp \
	    --only /colo/tcg/q35/net/plain/secondary_failover \
	    --exclude /colo/tcg/q35/net/plain/secondary_failover_

# Debian packages of the patched QEMU (x86 only) and of the module, built
# in a chroot of the machine's release and checked with lintian (README,
# "Debian packages").  About 30 min the first time, seconds after.
deb:
	scripts/install-deps.sh
	scripts/build-deb.sh
	scripts/build-module-deb.sh
	scripts/lint-deb.sh

# make deb's packages installed with apt in a fresh chroot; upstream's eight
# cases there against /usr/bin/qemu-system-x86_64, then the module removed.
deb-install-test: setup deb
	scripts/test-deb-install.sh $(BUILDDIR)

clean:
	rm -rf $(BUILDDIR)
