#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench-net.sh BUILDDIR OUTDIR [ROUNDS]: the network cases' client figures
# side by side in one run: the same guest's TCP service without COLO (the
# survivor after a failover), under COLO plain and under COLO multifd, and
# with answers that differ, where each one costs a checkpoint colo-compare
# asks for.  ROUNDS (default 3) runs of each case, TCG, q35, two network
# namespaces.  Writes OUTDIR/bench-net.txt (the table) and
# OUTDIR/bench-net.json.
. "$(dirname "$0")/common.sh"

builddir=$1 outdir=$2 rounds=${3:-3}
prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)
mkdir -p "$outdir"
tap="$outdir/bench-net.tap"
: > "$tap"

run_round() {
    local base=/colo/tcg/q35/net
    "$builddir/shim/colo-shim" --tap --accel tcg --netns \
        --qemu "$prefix/bin/qemu-system-x86_64" --module-dir "$builddir/module" \
        --only $base/plain/primary_failover --only $base/multifd/primary_failover \
        --only $base/plain/secondary_failover_differ \
        --only $base/multifd/secondary_failover_differ \
        --exclude $base/plain/primary_failover_ \
        --exclude $base/multifd/primary_failover_ >> "$tap" 2>&1
}

# The cases' own lines: figures of the spans they measured.
summarize() {
    python3 - "$tap" "$outdir/bench-net.json" "$rounds" <<'EOF' | tee "$outdir/bench-net.txt"
import json, re, statistics, sys

tap, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
phase = re.compile(r'^# (under COLO|after the failover, without COLO): (\d+) '
                   r'answers, ([\d.]+)/s, latency mean ([\d.]+) ms, p50 '
                   r'([\d.]+), p99 ([\d.]+), max ([\d.]+)')
compare = re.compile(r'^# colo-compare, (\d+) answers in ([\d.]+) s .*: (\d+) '
                     r'payloads matched, (\d+) checkpoints it asked for')
result = re.compile(r'^(ok|not ok) \d+ (/colo/\S+)')
rows, pending, failed = {}, [], []
for line in open(tap):
    m = phase.match(line)
    if m:
        pending.append((m.group(1), [float(x) for x in m.groups()[1:]]))
        continue
    m = compare.match(line)
    if m:
        n, secs, matched, ckpts = m.groups()
        pending.append(('compare', [int(n), float(secs), int(matched),
                                    int(ckpts)]))
        continue
    m = result.match(line)
    if m:
        if m.group(1) != 'ok':
            failed.append(m.group(2))
        else:
            kind = m.group(2).split('/')[5]
            differ = m.group(2).endswith('_differ')
            for what, v in pending:
                if what == 'compare':
                    key = (kind + (' differ' if differ else ''), 'compare')
                    rows.setdefault(key, []).append(v)
                    continue
                name = 'no COLO' if what.startswith('after') else kind
                if differ:
                    name = kind + ' differ' if what == 'under COLO' else None
                if name:
                    rows.setdefault((name, 'phase'), []).append(v)
        pending = []

def med(samples, i):
    return statistics.median(s[i] for s in samples)

table, data = [], {'rounds': rounds, 'failed': failed, 'configs': {}}
base = None
print('%-22s %8s %10s %9s %9s %9s %8s' % ('configuration', 'answers/s',
      'mean ms', 'p50 ms', 'p99 ms', 'max ms', 'x no-COLO'))
for name in ('no COLO', 'plain', 'multifd', 'plain differ',
             'multifd differ'):
    s = rows.get((name, 'phase'))
    if not s:
        continue
    rate = med(s, 1)
    base = base or rate
    cfg = {'samples': len(s), 'answers_per_s': rate,
           'latency_mean_ms': med(s, 2), 'latency_p50_ms': med(s, 3),
           'latency_p99_ms': med(s, 4), 'latency_max_ms': med(s, 5),
           'rate_vs_no_colo': rate / base}
    c = rows.get((name, 'compare'))
    if c and name.endswith('differ'):
        cfg['compare_checkpoints_per_s'] = statistics.median(
            k[3] / k[1] for k in c if k[1] > 0)
        cfg['compare_checkpoints_per_answer'] = statistics.median(
            k[3] / k[0] for k in c)
    data['configs'][name] = cfg
    print('%-22s %8.1f %10.2f %9.2f %9.2f %9.2f %8.2f' % (name, rate,
          cfg['latency_mean_ms'], cfg['latency_p50_ms'],
          cfg['latency_p99_ms'], cfg['latency_max_ms'], rate / base))
for name in ('plain differ', 'multifd differ'):
    cfg = data['configs'].get(name, {})
    if 'compare_checkpoints_per_s' in cfg:
        print('%s: colo-compare asked for %.1f checkpoints/s, %.2f per '
              'answer' % (name, cfg['compare_checkpoints_per_s'],
                          cfg['compare_checkpoints_per_answer']))
json.dump(data, open(out, 'w'), indent=2)
if failed:
    print('failed cases (their figures left out): ' + ', '.join(failed))
    sys.exit(1)
EOF
}

for i in $(seq "$rounds"); do
    step "network cases, round $i/$rounds" run_round
done
step "table and $outdir/bench-net.json" summarize
