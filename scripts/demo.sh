#!/usr/bin/env bash
# The main job: installs what is needed, builds, and walks through journaldb:
# local writes, the journal log, a crash (SIGKILL) during heavy writing and
# the reopen that finds every acknowledged commit and a journal that folds
# to the stored state; then two clients that edit offline and converge
# through a local journal-server, a shared list among them (both insert
# after the same element, one removes one: the lists converge element by
# element); then the server is restored from an older
# backup, and alice's client reset keeps everything she wrote: a recovery
# snapshot, the wipe, the server state, a three-way diff and an exactly-once
# replay (the list element by element, next to bob's edits of it), after
# which both clients converge with nothing lost.
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
start_server() {
  "$server" --data "$work/server" --listen "${1:-127.0.0.1:0}" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
}
# run, keeping the last line printed (a list command's element id) in the variable VAR.
keep() { local var="$1"; shift; run "$@" | tee "$work/last"; printf -v "$var" '%s' "$(tail -1 "$work/last")"; }
stop_server() { kill "$server_pid" && wait "$server_pid" 2>/dev/null || true; server_pid=""; }

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

step "5. Sync: a real journal-server on a loopback port (init creates its data directory, once)"
run "$server" init --data "$work/server"
start_server
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

step "7b. A shared list: both clients insert into it, bob removes an element; sync merges element by element"
# Each insert prints the new element's id; the other list commands take it.
keep milk "$journal" list-insert "$alice" lists shopping items milk
keep eggs "$journal" list-insert "$alice" lists shopping items eggs
for client in "$alice" "$bob"; do run "$journal" sync "$client" --server "$addr"; done
echo "offline, both insert right after milk; bob removes eggs"
keep butter "$journal" list-insert "$alice" lists shopping items butter --after "$milk"
keep flour "$journal" list-insert "$bob" lists shopping items flour --after "$milk"
run "$journal" list-remove "$bob" lists shopping items "$eggs"
for client in "$alice" "$bob" "$alice"; do run "$journal" sync "$client" --server "$addr"; done
run "$journal" get "$alice" lists shopping
run "$journal" get "$bob" lists shopping
if [ "$("$journal" get "$alice" lists shopping --json)" != "$("$journal" get "$bob" lists shopping --json)" ]; then
  echo "demo: the two lists differ" >&2; exit 1
fi
echo "converged: both inserts kept once, in the same (id) order on both clients; eggs stays removed"

step "8. The operator backs the server up"
stop_server
run "$server" backup --data "$work/server" --to "$work/backup"
start_server "$addr"

step "9. Alice syncs one more write (acknowledged), then works offline"
run "$journal" incr "$alice" stats s views 10
run "$journal" list-insert "$alice" lists shopping items sugar --after "$milk"
run "$journal" sync "$alice" --server "$addr"
run "$journal" put "$alice" tasks t3 title="offline only"
run "$journal" incr "$alice" stats s views 100
run "$journal" list-insert "$alice" lists shopping items jam --after "$flour"
run "$journal" list-set "$alice" lists shopping items "$butter" "salted butter"

step "10. Disaster: the server is restored from the backup (a new epoch)"
stop_server
run "$server" restore --data "$work/server" --from "$work/backup"
start_server "$addr"
echo "alice's acknowledged +10 and sugar are gone from the server; her offline work never reached it"

step "10b. Meanwhile bob works on the restored server: his reset is automatic (nothing of his is lost)"
run "$journal" sync "$bob" --server "$addr" --on-reset recover
run "$journal" list-insert "$bob" lists shopping items rice --after "$milk"
run "$journal" list-remove "$bob" lists shopping items "$butter"
run "$journal" sync "$bob" --server "$addr"
run "$journal" get "$bob" lists shopping

step "11. Alice's next sync: the server demands a client reset; nothing is touched yet"
run "$journal" sync "$alice" --server "$addr" || echo "(exit $?: the reset is pending)"
run "$journal" status "$alice"

step "12. Execute the reset: a recovery snapshot first, then the wipe, then the server state"
run "$journal" reset "$alice"
run "$journal" sync "$alice" --server "$addr"
run "$journal" get "$alice" stats s
recovery="$(ls -d "$alice.recovery"/*/ | head -1)"
recovery="${recovery%/}"

step "13. Three-way diff: base / local / server for every diverged op (list ops by element, with neighbours)"
run "$journal" diff "$recovery" "$alice"

step "14. Replay with local-wins, exactly once (a rerun does nothing)"
run "$journal" replay "$recovery" "$alice" --policy local-wins
run "$journal" replay "$recovery" "$alice" --policy local-wins
run "$journal" recoveries "$alice"

step "15. Everyone syncs: converged"
run "$journal" sync "$alice" --server "$addr"
run "$journal" sync "$bob" --server "$addr" --on-reset recover
run "$journal" sync "$alice" --server "$addr"
run "$journal" ls "$alice" tasks
run "$journal" ls "$bob" tasks
echo "nothing lost: 2 + 5 + 10 + 100 on both clients"
run "$journal" get "$alice" stats s
run "$journal" get "$bob" stats s
echo "the list, recovered element by element: sugar and jam (alice) and rice (bob) once each;"
echo "butter stays removed (bob), so alice's rename of it had no effect"
run "$journal" get "$alice" lists shopping
run "$journal" get "$bob" lists shopping
items="$("$journal" ls "$bob" lists)"
for item in sugar jam rice; do
  if [ "$(grep -o "\"$item\"" <<<"$items" | wc -l)" != 1 ]; then
    echo "demo: expected $item once in bob's list: $items" >&2; exit 1
  fi
done
if grep -q butter <<<"$items"; then echo "demo: butter came back: $items" >&2; exit 1; fi
run "$journal" verify "$alice"
alice_state="$("$journal" ls "$alice" --json)"
bob_state="$("$journal" ls "$bob" --json)"
if [ "$alice_state" != "$bob_state" ]; then echo "demo: alice and bob differ" >&2; exit 1; fi
if ! "$journal" get "$bob" stats s | grep -q "views  117"; then
  echo "demo: expected views 117 on bob" >&2; exit 1
fi

stop_server
echo
echo "demo: done"
