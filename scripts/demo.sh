#!/usr/bin/env bash
# The main job: installs what is needed, builds, and walks through journaldb:
# local writes, the journal log, a crash (SIGKILL) during heavy writing and
# the reopen that finds every acknowledged commit and a journal that folds
# to the stored state.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" >/dev/null
journal="$root/build/tools/cli/journal"
bench="$root/build/tools/bench/journal-bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/app.journaldb"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "${*/#$root\/build\/tools\/*\//}"; "$@"; }

step "1. Local writes: every commit is a journal entry"
run "$journal" put "$db" tasks t1 title="buy milk" done=false priority=2
run "$journal" put "$db" tasks t2 title="call mom" done=false
run "$journal" incr "$db" tasks t1 priority 3
run "$journal" del "$db" tasks t2 done
run "$journal" put "$db" notes n1 text:=42 pinned=true
run "$journal" get "$db" tasks t1
run "$journal" ls "$db"

step "2. The journal: lsn, sync tags, ops and before-images"
run "$journal" log "$db"

step "3. Crash: SIGKILL a writer in the middle of committing"
"$bench" --workload write --ops 5000000 --db "$db" >"$work/bench.out" 2>&1 &
writer=$!
sleep 1.5
kill -9 "$writer"
wait "$writer" 2>/dev/null || true
echo "writer (pid $writer) killed with SIGKILL mid-stream"

step "4. Reopen: nothing partial, nothing lost, state = fold of the journal"
run "$journal" info "$db"
run "$journal" verify "$db"
run "$journal" get "$db" tasks t1
echo
echo "demo: done"
