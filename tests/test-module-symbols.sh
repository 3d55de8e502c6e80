#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-module-symbols.sh MODULE HEADER: the module defines only what QEMU's
# loader looks for (its stamp and qemu_module_dummy) and needs nothing from
# QEMU beyond the contract HEADER declares; the rest must come from libc or
# GLib.
module=$1 header=$2
echo "1..2"
defined=$(nm -D --defined-only "$module" | awk '$2 == "T" || $2 == "D" || $2 == "B" { print $3 }')
bad_defined=$(echo "$defined" | grep -v -e '^qemu_stamp_[0-9a-f]*$' -e '^qemu_module_dummy$')
if [ -z "$bad_defined" ] && echo "$defined" | grep -q '^qemu_stamp_'; then
    echo "ok 1 - defines the stamp $(echo "$defined" | grep '^qemu_stamp_') and nothing else"
else
    echo "not ok 1 - exported: $(echo $defined)"
fi
bad_undefined=
for sym in $(nm -D --undefined-only "$module" | awk '$1 == "U" { print $2 }'); do
    case $sym in
        *@GLIBC_*) continue ;;                 # libc
        g_*) continue ;;                       # GLib
    esac
    grep -q "[ *]$sym(" "$header" || bad_undefined="$bad_undefined $sym"
done
if [ -z "$bad_undefined" ]; then
    echo "ok 2 - every QEMU symbol it needs is declared in $(basename "$header")"
else
    echo "not ok 2 - needs symbols outside the contract:$bad_undefined"
fi
[ -z "$bad_defined" ] && [ -z "$bad_undefined" ]
