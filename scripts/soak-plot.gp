# SPDX-License-Identifier: GPL-2.0-or-later
# The soak's samples: each QEMU's RSS, threads and fds against checkpoints,
# plain and multifd side by side.
# gnuplot -e "dir='...'; accel='kvm'; png='...'"
set terminal pngcairo size 1200,480 font ",10"
set output png
set datafile separator ","
set key center right
set grid
set xlabel "checkpoints"
set ylabel "RSS (MiB)"
set y2label "threads, fds"
set y2tics
set ytics nomirror
# One side's rows (the CSV interleaves them, which would break the lines).
rows(kind, side) = sprintf("< grep ',%s,' %s/%s-pc-%s.csv", side, dir, accel, kind)
set multiplot layout 1,2
do for [kind in "plain multifd"] {
    set title sprintf("%s, %s, pc", kind, accel)
    plot for [side in "primary secondary"] rows(kind, side) \
             using 1:($7 / 1024) with linespoints lw 2 title side . " RSS", \
         for [side in "primary secondary"] rows(kind, side) \
             using 1:5 axes x1y2 with lines dt 2 lw 2 title side . " threads", \
         for [side in "primary secondary"] rows(kind, side) \
             using 1:6 axes x1y2 with lines dt 3 lw 2 title side . " fds"
}
unset multiplot
