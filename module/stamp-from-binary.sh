#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# stamp-from-binary.sh QEMU: prints the CONFIG_STAMP of an installed QEMU
# system emulator built with --enable-modules, read from the binary itself:
# its module loader looks each module up by the symbol name "qemu_stamp"
# followed by the stamp, and that name is a string in the binary.  For
# distributions, whose QEMU installs no config-host.h.
set -e
[ $# -eq 1 ] || { echo "usage: $0 QEMU-BINARY" >&2; exit 2; }
[ -f "$1" ] || { echo "$1: no such QEMU binary" >&2; exit 1; }
stamps=$(grep -ao 'qemu_stamp_[0-9a-f]\{40\}' "$1" | sort -u)
case $(printf '%s\n' "$stamps" | grep -c .) in
1) printf '%s\n' "${stamps#qemu_stamp}" ;;
0) echo "$1 names no module stamp: not a QEMU built with --enable-modules" >&2; exit 1 ;;
*) echo "$1 names several module stamps:" $stamps >&2; exit 1 ;;
esac
