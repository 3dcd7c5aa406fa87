# The chart of docs/benchmarks.md, drawn by scripts/bench_report.py:
#   gnuplot -e "dir='DATA_DIR'; out='FILE.svg'; title='...'" scripts/bench-chart.gp
# DATA_DIR/write.dat: label, journaled, bare RocksDB, SQLite ops/s (NaN: none);
# DATA_DIR/replay.dat: label, journaldb replay ops/s, SQLite changeset apply changes/s.
set terminal svg size 1200,540 font "sans,11" background rgb "white"
set output out
set datafile missing "NaN"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key top right noenhanced
set xtics noenhanced nomirror scale 0 font ",10"
set ytics nomirror
set format y "%.0s%c"
set yrange [0:*]
set bmargin 5
# 276, 7.3k, 147k
k(v) = v < 1000 ? sprintf("%.0f", v) : v < 10000 ? sprintf("%.1fk", v / 1000) : sprintf("%.0fk", v / 1000)
set multiplot layout 1,2 title title noenhanced font ",13"

# Throughput: journaled against each baseline, measured in alternation.
set title "Write throughput, single-op transactions (ops/s, medians)"
set offsets 0, 0, graph 0.3, 0
plot dir."/write.dat" using 2:xtic(1) title "journaled" lc rgb "#1f77b4", \
     ""              using 3 title "bare RocksDB, same bytes" lc rgb "#7f7f7f", \
     ""              using 4 title "SQLite" lc rgb "#d62728", \
     ""              using ($0 - 0.25):2:(k($2)) with labels offset 0,0.6 font ",9" notitle, \
     ""              using ($0):3:(k($3)) with labels offset 0,0.6 font ",9" notitle, \
     ""              using ($0 + 0.25):4:(k($4)) with labels offset 0,0.6 font ",9" notitle

# Replay: the same change set applied both ways.
set title "Re-applying 10% conflicting updates (ops/s, medians)"
plot dir."/replay.dat" using 2:xtic(1) title "journaldb replay (local-wins)" lc rgb "#1f77b4", \
     ""               using 3 title "SQLite changeset apply (REPLACE)" lc rgb "#d62728", \
     ""               using ($0 - 1.0/6):2:(k($2)) with labels offset 0,0.6 font ",9" notitle, \
     ""               using ($0 + 1.0/6):3:(k($3)) with labels offset 0,0.6 font ",9" notitle
unset multiplot
