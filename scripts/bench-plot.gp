# SPDX-License-Identifier: GPL-2.0-or-later
# The pause-time distribution of each configuration of colo-bench, as CDFs,
# idle and loaded guest side by side.  gnuplot -e "tsv='...'; png='...'"
set terminal pngcairo size 1200,480 font ",10"
set output png
set datafile separator "\t"
set key bottom right
set grid
set ylabel "fraction of checkpoints"
set xlabel "primary pause per checkpoint (ms)"
set yrange [0:1]
configs = "plain multifd-2 multifd-4"
# Count of one configuration's samples, for the cumulative fraction.
count(g, c) = system(sprintf("awk -F'\t' '$1==\"%s\" && $2==\"%s\"' %s | wc -l", g, c, tsv)) + 0
set multiplot layout 1,2
do for [g in "idle load"] {
    set title sprintf("%s guest", g)
    plot for [c in configs] tsv using \
        (strcol(1) eq g && strcol(2) eq c ? $3 : NaN):(1.0 / count(g, c)) \
        smooth cumulative with lines lw 2 title c
}
unset multiplot
