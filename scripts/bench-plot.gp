# SPDX-License-Identifier: GPL-2.0-or-later
# The pause-time distribution of each configuration of colo-bench, as CDFs:
# one row per accelerator and link, idle and loaded guest side by side.
# gnuplot -e "tsv='...'; png='...'"
set datafile separator "\t"
groups = system(sprintf("awk -F'\t' 'NR > 1 && !seen[$1]++ { print $1 }' %s | tr '\n' ' '", tsv))
rows = words(groups)
set terminal pngcairo size 1200,(360 * rows) font ",10"
set output png
set key bottom right
set grid
set ylabel "fraction of checkpoints"
set xlabel "primary pause per checkpoint (ms)"
set yrange [0:1]
configs = "plain multifd-2 multifd-4"
set multiplot layout rows,2
do for [r in groups] {
    do for [g in "idle load"] {
        set title sprintf("%s, %s guest", r, g)
        plot for [c in configs] tsv using \
            (strcol(1) eq r && strcol(2) eq g && strcol(3) eq c ? $4 : NaN):(1) \
            smooth cnormal with lines lw 2 title c
    }
}
unset multiplot
