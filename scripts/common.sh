# SPDX-License-Identifier: GPL-2.0-or-later
# Shared settings and helpers for the set-up scripts; sourced, never run.
#
# Everything here can be overridden from the environment (README, "Knobs").

set -eEuo pipefail
trap 'printf "error: %s failed (%s line %s)\n" "$BASH_COMMAND" "${BASH_SOURCE[0]##*/}" "$LINENO" >&2' ERR

# The one place the QEMU base is pinned.  Debian point releases replace
# this version in the archive; QEMU_DEB_VERSION takes another 10.0.x.
: "${QEMU_DEB_VERSION:=1:10.0.13+ds-0+deb13u1}"
: "${QEMU_DEB_SUITE:=trixie}"

TOPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${COLO_CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/colo-multifd}"
: "${QEMU_SRC_DIR:=$TOPDIR/subprojects/qemu}"
SERIES_DIR=$TOPDIR/subprojects/packagefiles/qemu

# Debian's meson and python modules live under /usr/bin's python3; a
# pyenv or venv python3 earlier in PATH would not see them.
SYS_PYTHON=/usr/bin/python3

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# step NAME CMD...: run one set-up step, saying what runs and how long it took.
step() {
    local name=$1 t0 rc=0
    shift
    log "==> $name"
    t0=$(date +%s)
    "$@" || rc=$?
    if [ "$rc" -ne 0 ]; then
        log "<== $name FAILED after $(( $(date +%s) - t0 )) s"
        return "$rc"
    fi
    log "<== $name: $(( $(date +%s) - t0 )) s"
}

# Files of the patch series in DIR (default: the project's), in application
# order; '#' starts a comment, as in quilt.
series_patches() {
    local dir=${1:-$SERIES_DIR}
    [ -f "$dir/series" ] || return 0
    sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$dir/series" | grep -v '^$' || true
}

# Hash of the patches the series applies, names and contents in order: a
# changed patch means a changed QEMU, a changed comment does not.
series_hash() {
    local p
    for p in $(series_patches); do
        echo "$p"
        cat "$SERIES_DIR/$p"
    done | sha256sum | cut -c1-16
}
