#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# config-define.sh CONFIG_HOST_H NAME: prints the value of "#define NAME
# value" in a QEMU build's config-host.h, without quotes; fails if absent.
value=$(sed -n "s/^#define $2 //p" "$1" | tr -d '"')
[ -n "$value" ] || { echo "$1 does not define $2" >&2; exit 1; }
echo "$value"
