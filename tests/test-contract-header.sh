#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-contract-header.sh HEADER PATCH: the copy of the module contract that
# the QEMU patch adds must be the project's include/colo-multifd.h, byte for
# byte, or QEMU and the module could disagree on it.
header=$1 patch=$2
copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
# The added file's hunk: its "+" lines, without the "+++" header line.
awk '/^\+\+\+ b\/include\/migration\/colo-multifd.h/ { f = 1; next }
     /^diff / { f = 0 }
     f && /^\+/ { print substr($0, 2) }' "$patch" > "$copy"
echo "1..1"
if [ -s "$copy" ] && cmp -s "$header" "$copy"; then
    echo "ok 1 - $(basename "$patch") carries $(basename "$header") unchanged"
else
    echo "not ok 1 - $(basename "$patch") carries a different colo-multifd.h"
    diff "$header" "$copy" | sed 's/^/# /' | head -20
    exit 1
fi
