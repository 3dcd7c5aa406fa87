#!/usr/bin/env bash
# Runs every journal-bench workload once with fixed parameters, keeps the JSON
# lines, and regenerates the generated section of docs/benchmarks.md (between
# its bench.sh markers) and the chart docs/bench-throughput.svg from them.
#
#   scripts/bench.sh [--quick] [OUT_DIR]   build, run, regenerate (about 15 min;
#                                          --quick: a smoke run of 2 or 3 min)
#   scripts/bench.sh --tables-only FILE    regenerate from a saved results.jsonl
#
# OUT_DIR (default: BUILD_DIR/bench-<UTC time>) receives results.jsonl (the
# workloads' lines and this script's own records: machine, load average before,
# during and after each workload) and each workload's stderr; a full run (or
# --tables-only) also copies the results to docs/bench-results.jsonl. BUILD_DIR
# (default: build-release) holds the Release build of journal-bench.
# BENCH_POSTGRES=CONNINFO gives sync-nodes a PostgreSQL server; without it the
# script starts a throwaway cluster if PostgreSQL's binaries are installed, and
# otherwise runs sync-nodes on the data directory only. A --quick run writes
# its tables and chart into OUT_DIR, not into docs/.
# Exit status: 0, or 1 if a workload, the build or the regeneration failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
report="$root/scripts/bench_report.py"
doc="$root/docs/benchmarks.md"
chart="$root/docs/bench-throughput.svg"
# The results the committed section and chart were made from.
kept="$root/docs/bench-results.jsonl"

usage() {
  sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

quick=0
tables_only=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --tables-only)
      [ $# -ge 2 ] || usage
      tables_only="$2"
      shift
      ;;
    -h | --help) usage ;;
    -*) echo "bench.sh: unknown option $1" >&2; usage ;;
    *)
      [ -z "$out" ] || usage
      out="$1"
      ;;
  esac
  shift
done

# gnuplot draws the chart; python3 (one of install-deps.sh's own packages) makes the tables.
"$root/scripts/install-deps.sh" gnuplot-nox

if [ -n "$tables_only" ]; then
  python3 "$report" "$tables_only" --doc "$doc" --chart "$chart"
  if [ ! "$tables_only" -ef "$kept" ]; then cp "$tables_only" "$kept"; fi
  exit 0
fi

build_dir="${BUILD_DIR:-$root/build-release}"
out="${out:-$build_dir/bench-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
results="$out/results.jsonl"
: >"$results"

echo "bench.sh: building journal-bench (Release) in $build_dir"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DJOURNALDB_BUILD_TOOLS=ON \
  -DJOURNALDB_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target journal-bench >/dev/null
bench="$build_dir/tools/bench/journal-bench"

# The 1-, 5- and 15-minute load averages as a JSON array.
load() { awk '{ printf "[%s,%s,%s]", $1, $2, $3 }' /proc/loadavg; }
# A string fit for a JSON value: quotes and backslashes dropped.
plain() { tr -d '\042\134' <<<"$1" | tr -s '[:space:]' ' ' | sed 's/^ //;s/ $//'; }

# PostgreSQL for sync-nodes: a throwaway cluster on a unix socket in a fresh
# directory, stopped and removed on exit. initdb refuses root, so as root it
# runs as the postgres user.
pg_dir=""
pg_bin=""
pg_as=()
# shellcheck disable=SC2317  # run by the EXIT trap
stop_postgres() {
  if [ -n "$pg_dir" ]; then
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap stop_postgres EXIT
postgres="${BENCH_POSTGRES:-}"
postgres_note="BENCH_POSTGRES"
if [ -z "$postgres" ]; then
  pg_bin="$(pg_config --bindir 2>/dev/null || true)"
  if [ ! -x "$pg_bin/initdb" ]; then
    for d in /usr/lib/postgresql/*/bin; do if [ -x "$d/initdb" ]; then pg_bin="$d"; fi; done
  fi
  if [ "$(id -u)" -eq 0 ]; then pg_as=(runuser -u postgres --); fi
  if [ ! -x "$pg_bin/initdb" ]; then
    postgres_note="no PostgreSQL binaries found"
  elif [ ${#pg_as[@]} -gt 0 ] && ! id postgres >/dev/null 2>&1; then
    postgres_note="running as root without a postgres user"
  else
    pg_dir="$(mktemp -d /tmp/bench-pg.XXXXXX)"
    if [ ${#pg_as[@]} -gt 0 ]; then chown postgres:postgres "$pg_dir"; fi
    if "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" --auth=trust --no-sync -U postgres \
      >"$out/postgres.log" 2>&1 &&
      "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories=$pg_dir -p 55432" start \
        >>"$out/postgres.log" 2>&1; then
      postgres="host=$pg_dir port=55432 user=postgres"
      postgres_note="a throwaway PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }') cluster on a unix socket, default fsync and synchronous_commit"
    else
      postgres_note="the throwaway cluster did not start (see postgres.log)"
      echo "bench.sh: $postgres_note; sync-nodes runs on the data directory only" >&2
    fi
  fi
fi

# Fixed parameters: the full run takes about 15 minutes on 2 cores.
if [ "$quick" = 1 ]; then
  workloads=(
    "write --ops 20000 --runs 1"
    "write-sync --ops 1000"
    "sqlite --ops 20000 --runs 1"
    "sqlite-sync --ops 1000 --runs 1"
    "sqlite-sync --ops 200 --runs 1 --threads 16"
    "replay --ops 10000"
    "replay-sqlite --ops 10000 --runs 1"
    "snapshot --sizes 16M --runs 1"
    "list-insert --ops 400 --runs 1"
    "list-replay --ops 2000"
    "sync --ops 2000"
    "sync-nodes --ops 200"
  )
else
  # sync's idle connections need a hard open-file limit above N + 1,000.
  idle=1000
  if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -le $((idle + 1000)) ]; then idle=0; fi
  workloads=(
    "write --ops 200000 --runs 3"
    "write-sync --ops 10000"
    "sqlite --ops 200000 --runs 3"
    "sqlite-sync --ops 5000 --runs 3"
    "sqlite-sync --ops 2000 --runs 3 --threads 16"
    "replay --txn-ops 10"
    "replay-sqlite --ops 200000 --runs 3"
    "snapshot --sizes 100M,1G --runs 3"
    "list-insert --runs 3"
    "list-replay --txn-ops 10"
    "sync --ops 20000 --idle-connections $idle"
    "sync-nodes --ops 2000"
  )
fi

tmp_fs="$(df --output=fstype "${TMPDIR:-/tmp}" | tail -1)"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=false
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=true; fi
mem_kib="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
cpu="$(plain "$(lscpu | sed -n 's/^Model name: *//p' | head -1)")"
# The malloc journal-bench runs on ("journal-bench 0.1.0 (malloc: tcmalloc)").
malloc="$(plain "$("$bench" --version | sed -n 's/.*(malloc: \(.*\))$/\1/p')")"
printf '{"bench_sh":"machine","date":"%s","quick":%s,"commit":"%s","dirty":%s,"build_type":"Release","nproc":%s,"cpu_model":"%s","mem_kib":%s,"kernel":"%s","tmpdir_fs":"%s","malloc":"%s","postgres":%s,"postgres_note":"%s"}\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$([ "$quick" = 1 ] && echo true || echo false)" \
  "$commit" "$dirty" "$(nproc)" "$cpu" "$mem_kib" "$(uname -r)" "$tmp_fs" "${malloc:-unknown}" \
  "$([ -n "$postgres" ] && echo true || echo false)" "$(plain "$postgres_note")" >>"$results"

failed=0
start=$SECONDS
for spec in "${workloads[@]}"; do
  read -r -a args <<<"$spec"
  name="${args[0]}"
  # A workload run again from other threads keeps its files apart (bench_report.py names them alike).
  stem="$name"
  if [[ "$spec" =~ --threads\ ([0-9]+) ]]; then stem="$name-threads-${BASH_REMATCH[1]}"; fi
  args=(--workload "${args[@]}")
  shown="journal-bench ${args[*]}"
  if [ "$name" = sync-nodes ] && [ -n "$postgres" ]; then
    args+=(--postgres "$postgres")
    shown="$shown --postgres CONNINFO"
  fi
  echo "bench.sh: $shown (at $((SECONDS - start)) s, load $(load))"
  printf '{"bench_sh":"start","workload":"%s","command":"%s","load":%s}\n' \
    "$name" "$shown" "$(load)" >>"$results"
  # The 1-minute load every 5 s while the workload runs; its maximum goes
  # into the end record.
  (while sleep 5; do cut -d' ' -f1 /proc/loadavg; done) >"$out/$stem.load" &
  sampler=$!
  t0=$SECONDS
  rc=0
  "$bench" "${args[@]}" >>"$results" 2>"$out/$stem.stderr" || rc=$?
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  max="$(sort -g "$out/$stem.load" | tail -1)"
  printf '{"bench_sh":"end","workload":"%s","exit":%s,"seconds":%s,"load":%s,"max_load_1m":%s}\n' \
    "$name" "$rc" "$((SECONDS - t0))" "$(load)" "${max:-null}" >>"$results"
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "bench.sh: $name failed (exit $rc): $(tail -1 "$out/$stem.stderr")" >&2
  fi
done
printf '{"bench_sh":"done","seconds":%s}\n' "$((SECONDS - start))" >>"$results"
echo "bench.sh: workloads done in $((SECONDS - start)) s; results in $results"

if [ "$quick" = 1 ]; then
  cp "$doc" "$out/benchmarks.md"
  python3 "$report" "$results" --doc "$out/benchmarks.md" --chart "$out/bench-throughput.svg" ||
    failed=1
else
  if python3 "$report" "$results" --doc "$doc" --chart "$chart"; then
    cp "$results" "$kept"
  else
    failed=1
  fi
fi
exit "$failed"
