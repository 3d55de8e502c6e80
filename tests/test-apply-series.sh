#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/apply-series.sh: applies a quilt-style series, and rejects a patch
# that does not apply with a message naming it.  TAP.
set -u
apply=$(dirname "$0")/../scripts/apply-series.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}

fresh_tree() {
    rm -rf "$tmp/src"
    mkdir -p "$tmp/src"
    printf 'one\ntwo\nthree\n' > "$tmp/src/file.txt"
}

series() {  # series DIR PATCH...: a series dir holding the given patches
    local dir=$tmp/$1 p
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    : > "$dir/series"
    for p in "$@"; do
        echo "$p  # comment" >> "$dir/series"
    done
}

good_patch() {
    cat <<'PATCH'
Description: change line two
--- a/file.txt
+++ b/file.txt
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
PATCH
}

bad_patch() {
    cat <<'PATCH'
Description: expects a line the tree does not have
--- a/file.txt
+++ b/file.txt
@@ -1,3 +1,3 @@
 one
-zwei
+ZWEI
 three
PATCH
}

echo "1..5"

fresh_tree
series empty
"$apply" "$tmp/src" "$tmp/empty" 2>/dev/null
ok $? "an empty series applies nothing"

fresh_tree
series good 0001-good.patch
good_patch > "$tmp/good/0001-good.patch"
"$apply" "$tmp/src" "$tmp/good" 2>/dev/null && grep -qx TWO "$tmp/src/file.txt"
ok $? "a good patch is applied"

fresh_tree
series bad 0001-good.patch 0002-bad.patch
good_patch > "$tmp/bad/0001-good.patch"
bad_patch > "$tmp/bad/0002-bad.patch"
out=$("$apply" "$tmp/src" "$tmp/bad" 2>&1)
rc=$?
[ $rc -ne 0 ]
ok $? "a patch that does not apply fails the series (exit $rc)"
echo "$out" | grep -q "patch 0002-bad.patch does not apply"
ok $? "the message names the patch that does not apply"
if [ $failed -ne 0 ]; then echo "$out" | sed 's/^/# /'; fi

fresh_tree
series missing 0001-missing.patch
out=$("$apply" "$tmp/src" "$tmp/missing" 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q "series names 0001-missing.patch"
ok $? "a series naming a missing patch fails with its name"

exit $failed
