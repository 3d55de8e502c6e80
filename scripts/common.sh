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
# The local version suffix of the project's qemu packages (make deb): a new
# build of them with other contents needs a new one.
: "${DEB_LOCAL_VERSION:=+colomultifd1}"

TOPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${COLO_CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/colo-multifd}"
: "${QEMU_SRC_DIR:=$TOPDIR/subprojects/qemu}"
SERIES_DIR=$TOPDIR/subprojects/packagefiles/qemu
# Which part of the series to apply: full (default), fixes (without the
# optional performance patches) or none (Debian's qemu as it is, for
# comparisons such as QEMU's own migration tests).  Each has a source tree,
# a build and an installation of its own.
: "${QEMU_SERIES:=full}"
case $QEMU_SERIES in
    full) ;;
    fixes|none) QEMU_SRC_DIR=$TOPDIR/subprojects/qemu-$QEMU_SERIES ;;
    *) printf 'error: QEMU_SERIES=%s: use full, fixes or none\n' "$QEMU_SERIES" >&2; exit 1 ;;
esac
# The line of the series file that starts its optional performance part.
PERF_MARKER='# --- performance (optional:'

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
# order; '#' starts a comment, as in quilt.  PART is QEMU_SERIES unless
# given: fixes stops at the performance marker, none lists nothing.
series_patches() {
    local dir=${1:-$SERIES_DIR} part=${2:-$QEMU_SERIES}
    [ -f "$dir/series" ] && [ "$part" != none ] || return 0
    awk -v part="$part" -v marker="$PERF_MARKER" '
        part == "fixes" && index($0, marker) == 1 { exit }
        { sub(/#.*/, ""); sub(/[[:space:]]+$/, ""); if ($0 != "") print }' "$dir/series"
}

# What fetch-qemu.sh unpacked and patched into $QEMU_SRC_DIR, in its
# SOURCE_STATE_FILE there: build-qemu.sh builds only the tree it keys by.
SOURCE_STATE_FILE=.colo-multifd-source
source_state() {
    printf 'version=%s\nseries=%s\n' "$QEMU_DEB_VERSION" "$(series_hash)"
}

# The project's files, as a source package of it takes them: tracked and
# new ones, not what git ignores (build directories, the QEMU trees).
project_files() {
    git -C "$TOPDIR" ls-files --cached --others --exclude-standard
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
