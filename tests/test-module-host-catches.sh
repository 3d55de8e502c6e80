#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-module-host-catches.sh HOST GUARDED: runs the module host against a
# deliberately broken module (MODULE_UNDER_TEST) and checks that exactly
# the subtest guarding the broken rule fails: GUARDED is "not ok", every
# other subtest the host ran is "ok".  A host that fails for another
# reason (crash, no plan, another subtest failing) fails this test.  TAP.
host=$1 guarded=$2
out=$("$host" --tap 2>&1)
rc=$?
echo "1..3"
results=$(printf '%s\n' "$out" | grep -E '^(ok|not ok) [0-9]+ /')
if printf '%s\n' "$out" | grep -qE '^1\.\.[0-9]+$' && [ -n "$results" ]; then
    echo "ok 1 - the host ran and reported $(printf '%s\n' "$results" | wc -l) subtests (exit $rc)"
else
    echo "not ok 1 - the host reported no TAP results (exit $rc)"
    printf '%s\n' "$out" | sed 's/^/# /'
    exit 1
fi
failed=0
if printf '%s\n' "$results" | grep -qE "^not ok [0-9]+ $guarded( |\$)"; then
    echo "ok 2 - $guarded fails with this module"
else
    echo "not ok 2 - $guarded does not fail with this module"
    failed=1
fi
others=$(printf '%s\n' "$results" | grep -vE "^(ok|not ok) [0-9]+ $guarded( |\$)")
bad=$(printf '%s\n' "$others" | grep -c '^not ok')
if [ "$bad" -eq 0 ]; then
    echo "ok 3 - the $(printf '%s' "$others" | grep -c .) other subtests pass"
else
    echo "not ok 3 - $bad other subtests fail too: the module is broken in more than one rule, or the host is"
    printf '%s\n' "$others" | grep '^not ok' | sed 's/^/# /'
    failed=1
fi
[ "$failed" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# host: /'
exit $failed
