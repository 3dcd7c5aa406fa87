#!/usr/bin/env bash
# The main job: installs what is needed, builds, and walks through journaldb:
# local writes, the journal log, a crash (SIGKILL) during heavy writing and
# the reopen that finds every acknowledged commit and a journal that folds
# to the stored state; then two clients that edit offline and converge
# through a local journal-server; then a recovery snapshot replayed into
# another database, exactly once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" >/dev/null
journal="$root/build/tools/cli/journal"
bench="$root/build/tools/bench/journal-bench"
server="$root/build/tools/server/journal-server"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
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

step "5. Sync: a real journal-server on a loopback port"
"$server" --data "$work/server" --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
addr="$(grep -o 'listening on [0-9.]*:[0-9]*' "$work/server.log" | awk '{print $3}')"
echo "journal-server (pid $server_pid) listening on $addr"
alice="$work/alice.journaldb"
bob="$work/bob.journaldb"

step "6. Two clients edit offline"
run "$journal" put "$alice" tasks t1 title="buy milk" done=false
run "$journal" incr "$alice" stats s views 2
run "$journal" put "$bob" tasks t2 title="call mom"
run "$journal" incr "$bob" stats s views 5
run "$journal" status "$alice"

step "7. Both sync (twice, so each sees the other's upload): they converge"
for client in "$alice" "$bob" "$alice"; do run "$journal" sync "$client" --server "$addr"; done
run "$journal" ls "$alice" tasks
run "$journal" ls "$bob" tasks
echo "increments commute: both clients count 2 + 5"
run "$journal" get "$alice" stats s
run "$journal" get "$bob" stats s
run "$journal" status "$bob"

step "8. Recovery: snapshot alice's unsynced work, replay it into a fresh copy, exactly once"
run "$journal" put "$alice" tasks t3 title="offline only"
run "$journal" incr "$alice" stats s views 1
run "$journal" snapshot "$alice" --reason demo
recovery="$(ls -d "$alice.recovery"/*/ | head -1)"
fresh="$work/fresh.journaldb"
run "$journal" put "$fresh" stats s views=7
run "$journal" diff "$recovery" "$fresh"
run "$journal" replay "$recovery" "$fresh" --policy local-wins
run "$journal" replay "$recovery" "$fresh" --policy local-wins
run "$journal" get "$fresh" stats s
run "$journal" verify "$fresh"

kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
server_pid=""
echo
echo "demo: done"
