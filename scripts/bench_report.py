#!/usr/bin/env python3
"""Tables and chart from the results.jsonl of scripts/bench.sh.

    bench_report.py RESULTS --doc docs/benchmarks.md [--chart docs/bench-throughput.svg]

RESULTS holds journal-bench's JSON lines (a "workload" key) and bench.sh's own
records (a "bench_sh" key: the machine, then a start and an end record around
each workload's lines, with the load averages). The tables replace what lies
between the bench.sh markers in the doc; the chart is drawn by gnuplot with
scripts/bench-chart.gp, and only if --chart is given (so the tables alone need
no gnuplot: tests/tools/bench_report_test.py regenerates them so). A line that
is not a JSON object, a record out of place or a figure missing from a line is
an error naming the line: exit status 1 and nothing written.
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

BEGIN = "<!-- bench.sh:begin -->"
END = "<!-- bench.sh:end -->"
CHART_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-chart.gp")


class ReportError(Exception):
    pass


class Line(dict):
    """One JSON object of the results file; a missing key names its line."""

    def __init__(self, path, number, values):
        super().__init__(values)
        self.where = f"{path}:{number}"

    def __getitem__(self, key):
        if key not in self:
            raise ReportError(f"{self.where}: no \"{key}\" in {json.dumps(dict(self))}")
        return super().__getitem__(key)


class Section:
    """One workload's run: bench.sh's start and end records and the lines between."""

    def __init__(self, start):
        self.start = start
        self.name = start["workload"]
        self.lines = []
        self.end = None

    def where(self, **match):
        return [l for l in self.lines if all(l.get(k) == v for k, v in match.items())]

    def one(self, **match):
        found = self.where(**match)
        if len(found) != 1:
            raise ReportError(
                f"{self.start.where}: {self.name}: expected one line with {match}, found {len(found)}"
            )
        return found[0]


def read_results(path):
    machine, sections, done = None, [], None
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                values = json.loads(text)
            except json.JSONDecodeError as e:
                raise ReportError(f"{path}:{number}: not JSON: {e.msg} at column {e.colno}") from e
            if not isinstance(values, dict):
                raise ReportError(f"{path}:{number}: not a JSON object")
            line = Line(path, number, values)
            kind = values.get("bench_sh")
            if kind is None and "workload" not in values:
                raise ReportError(f"{path}:{number}: neither a journal-bench line nor a bench.sh record")
            if kind == "machine":
                if machine is not None or sections:
                    raise ReportError(f"{path}:{number}: a second machine record")
                machine = line
            elif machine is None:
                raise ReportError(f"{path}:{number}: the first record must be bench.sh's machine record")
            elif kind == "start":
                if sections and sections[-1].end is None:
                    raise ReportError(f"{path}:{number}: {sections[-1].name} has no end record")
                sections.append(Section(line))
            elif kind in ("end", None):
                if not sections or sections[-1].end is not None:
                    raise ReportError(f"{path}:{number}: outside a workload's start and end records")
                if line["workload"] != sections[-1].name:
                    raise ReportError(
                        f"{path}:{number}: a {line['workload']} line inside {sections[-1].name}'s run"
                    )
                if kind == "end":
                    sections[-1].end = line
                else:
                    sections[-1].lines.append(line)
            elif kind == "done":
                done = line
            else:
                raise ReportError(f"{path}:{number}: unknown bench.sh record \"{kind}\"")
    if machine is None:
        raise ReportError(f"{path}: empty")
    if sections and sections[-1].end is None:
        raise ReportError(f"{path}: {sections[-1].name} has no end record (the run was cut short)")
    return machine, sections, done


# Number formats.
def count(x):
    return f"{round(x):,}"


def fixed(x, decimals):
    return f"{x:,.{decimals}f}"


def mib(kib):
    return f"{kib / 1024:,.0f} MiB"


def runs_of(lines, key="ops_per_s"):
    return ", ".join(count(l[key]) for l in lines)


def minutes(seconds):
    m, s = divmod(int(seconds), 60)
    return f"{m} min {s} s" if m else f"{s} s"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


# One renderer per workload: its lines -> markdown lines.
def render_against_baseline(s, baseline, label):
    """write, sqlite, sqlite-sync: journaled runs alternating with a baseline's."""
    m = s.one(side="summary")
    rows = [
        ["journaled (public API)", count(m["journaled_ops_per_s"]),
         runs_of(s.where(side="journaled")), fixed(m["seconds"], 3),
         fixed(m["journaled_cpu_us_per_op"], 2), mib(m["peak_rss_kib"])],
        [label(m), count(m[f"{baseline}_ops_per_s"]), runs_of(s.where(side=baseline)),
         fixed(m[f"{baseline}_seconds"], 3), fixed(m[f"{baseline}_cpu_us_per_op"], 2),
         mib(m[f"{baseline}_peak_rss_kib"]) + " (incl. pre-encoded input)"],
        ["**ratio**", f"**{fixed(m['ratio'], 3)}**", "", "", f"cpu_ratio {fixed(m['cpu_ratio'], 3)}", ""],
    ]
    threads = "threads, summed" if heading_threads(s) else "thread"
    return table(["side", "ops/s (median)", "runs, ops/s", "seconds", f"CPU µs per op (committing {threads})",
                  "peak RSS"], rows)


def render_write(s):
    return render_against_baseline(s, "bare", lambda m: "bare RocksDB, same bytes")


def render_sqlite(s):
    return render_against_baseline(
        s, "sqlite", lambda m: f"SQLite {m['sqlite_version']} WAL, synchronous={m['sqlite_synchronous']}")


def render_write_sync(s):
    # The one-thread line is the base and has no speedup of its own.
    speedup = lambda l: "1" if l["threads"] == 1 else fixed(l["speedup_vs_1_thread"], 2)
    rows = [[l["threads"], count(l["ops"]), count(l["ops_per_s"]), fixed(l["seconds"], 3),
             fixed(l["cpu_seconds"], 3), speedup(l), mib(l["peak_rss_kib"])]
            for l in s.lines]
    return table(["threads", "ops", "ops/s", "seconds", "CPU seconds", "speedup vs 1 thread", "peak RSS"], rows)


def render_replay(s):
    lists = s.name == "list-replay"
    rows = []
    for l in s.lines:
        row = [count(l["ops"])] + ([l["ops_per_list"]] if lists else [])
        row += [l["txn_ops"], count(l["transactions"]), count(l["ops_per_s"]),
                fixed(l["cpu_us_per_op"], 2), mib(l["peak_rss_kib"]), count(l["commit_ops_per_s"]),
                fixed(l["commit_cpu_us_per_op"], 2), mib(l["commit_peak_rss_kib"])]
        rows.append(row)
    header = ["diverged ops"] + (["ops per list"] if lists else [])
    header += ["ops per transaction", "transactions", "replay ops/s", "replay CPU µs per op",
               "replay peak RSS", "direct commits ops/s", "commit CPU µs per op", "commit peak RSS"]
    return table(header, rows)


def render_replay_sqlite(s):
    rows = []
    for m in s.where(summary=True):
        k = m["txn_ops"]
        rows.append([k, count(m["journaldb_ops_per_s"]), runs_of(s.where(side="journaldb", txn_ops=k)),
                     count(m["sqlite_changes_per_s"]), runs_of(s.where(side="sqlite", txn_ops=k)),
                     f"**{fixed(m['ratio'], 3)}**", fixed(m["journaldb_cpu_us_per_op"], 2),
                     fixed(m["sqlite_cpu_us_per_op"], 2), f"{count(m['conflicting_ops'])} of {count(m['ops'])}"])
    if not rows:
        raise ReportError(f"{s.start.where}: replay-sqlite: no summary line")
    return table(["ops per transaction", "journaldb replay ops/s", "runs", "SQLite apply changes/s", "runs",
                  "ratio", "journaldb CPU µs per op", "SQLite CPU µs per op", "conflicting"], rows)


def render_snapshot(s):
    rows = []
    for m in s.where(side="summary"):
        size = m["size_target_bytes"]
        runs = ", ".join(fixed(l["ms"], 1) for l in s.where(side="snapshot", size_target_bytes=size))
        rows.append([f"{size / 2**30:g} GiB" if size >= 2**30 else f"{size / 2**20:g} MiB", f"{m['db_bytes'] / 1e6:,.1f} MB", count(m["ops"]),
                     f"**{fixed(m['snapshot_ms'], 1)} ms** ({runs})", f"{fixed(m['synced_snapshot_ms'], 1)} ms",
                     f"{fixed(m['checkpoint_ms'], 2)} ms", f"{count(m['copy_ms'])} ms", fixed(m["ratio"], 3),
                     fixed(m["synced_ratio"], 3)])
    if not rows:
        raise ReportError(f"{s.start.where}: snapshot: no summary line")
    return table(["size", "`du` of the database", "objects", "snapshot, every op diverged (runs)",
                  "snapshot after upload", "checkpoint alone", "durable copy", "diverged / copy",
                  "synced / copy"], rows)


def render_list_insert(s):
    rows = []
    for m in s.where(side="summary"):
        n = m["list_length"]
        rows.append([count(n), count(m["ops"]), count(m["ops_per_s"]),
                     runs_of(s.where(side="run", list_length=n)), fixed(m["cpu_us_per_op"], 1),
                     count(m["journal_bytes_per_op"]), count(m["largest_entry_bytes"])])
    if not rows:
        raise ReportError(f"{s.start.where}: list-insert: no summary line")
    return table(["list length", "ops", "ops/s (median)", "runs", "CPU µs per op", "journal bytes per op",
                  "largest entry, bytes"], rows)


def render_sync(s):
    idle = s.one(mode="idle")
    out = [
        f"Idle: {idle['idle_connections']:,} long-polling connections"
        f"{' over TLS' if idle['tls'] else ''}, opened in {fixed(idle['open_seconds'], 2)} s; the server "
        f"used {fixed(idle['server_idle_cpu_percent_of_one_core'], 2)}% of a core over "
        f"{fixed(idle['idle_window_seconds'], 1)} s idle, {idle['server_threads_idle']} threads, "
        f"{mib(idle['server_rss_kib_idle'])} resident ({mib(idle['server_rss_kib_before'])} before the "
        f"connections); a fresh client's sync of {count(idle['fresh_client_entries'])} entries took "
        f"{fixed(idle['fresh_client_sync_seconds'], 3)} s.",
        "",
    ]
    rows = [[l["mode"], l["clients"], count(l["ops"]), fixed(l["seconds"], 3), count(l["ops_per_s"]),
             mib(l["server_peak_rss_kib"])] for l in s.lines if l.get("mode") != "idle"]
    return out + table(["upload", "clients", "entries", "seconds", "entries/s (acknowledged)",
                        "server peak RSS"], rows)


def render_sync_nodes(s):
    rows = []
    for l in s.lines:
        fanout = ""
        if "fanout_median_ms" in l:
            fanout = f"{fixed(l['fanout_median_ms'], 2)} / {fixed(l['fanout_p99_ms'], 2)} ms"
        store = "data directory" if l["store"] == "rocksdb" else "PostgreSQL"
        rows.append([store, l["nodes"], l["clients"], count(l["versions"]), fixed(l["seconds"], 2),
                     count(l["versions_per_s"]), fanout])
    return table(["store", "nodes", "clients", "versions", "seconds", "versions/s", "fan-out median / p99"],
                 rows)


def render_generic(s):
    keys = []
    for l in s.lines:
        keys += [k for k in l if k not in keys and k != "workload"]
    return table([f"`{k}`" for k in keys], [[json.dumps(l.get(k, "")) for k in keys] for l in s.lines])


RENDERERS = {
    "write": render_write,
    "write-sync": render_write_sync,
    "sqlite": render_sqlite,
    "sqlite-sync": render_sqlite,
    "replay": render_replay,
    "list-replay": render_replay,
    "replay-sqlite": render_replay_sqlite,
    "snapshot": render_snapshot,
    "list-insert": render_list_insert,
    "sync": render_sync,
    "sync-nodes": render_sync_nodes,
}


def load_text(section):
    before, after = section.start["load"], section.end["load"]
    text = f"load average (1 min) {fixed(before[0], 2)} before, {fixed(after[0], 2)} after"
    if section.end.get("max_load_1m") is not None:
        text += f", at most {fixed(section.end['max_load_1m'], 2)} during"
    return text


def threads_given(section):
    """The --threads N its command gave (sqlite-sync runs again from 16 threads), or None."""
    found = re.search(r"--threads (\d+)", section.start["command"])
    return int(found.group(1)) if found else None


def heading_threads(section):
    n = threads_given(section)
    return f", {n} threads" if n is not None and n != 1 else ""


def file_stem(section):
    """bench.sh's name for the workload's stderr and load files."""
    n = threads_given(section)
    return section.name if n is None else f"{section.name}-threads-{n}"


def render(machine, sections, done):
    date = machine["date"].replace("T", " ").rstrip("Z")
    commit = f"`{machine['commit']}`" + (" with uncommitted changes" if machine["dirty"] else "")
    total = f"; the workloads took {minutes(done['seconds'])} in all" if done else ""
    # Results files written before bench.sh recorded the malloc lack it.
    malloc = f", malloc: {machine['malloc']}" if "malloc" in machine else ""
    out = [
        BEGIN,
        "",
        f"Generated by `scripts/bench.sh` from its results file ([bench-results.jsonl](bench-results.jsonl)): "
        "do not edit by hand.",
        "",
        f"Run on {date} UTC{' (`--quick`: smoke parameters, not figures)' if machine['quick'] else ''}, "
        f"commit {commit}, Release build; `nproc` {machine['nproc']}, `lscpu` model name "
        f"\"{machine['cpu_model']}\", {machine['mem_kib'] / 2**20:.0f} GiB, Linux {machine['kernel']}, "
        f"`TMPDIR` on {machine['tmpdir_fs']}{malloc}{total}. Each workload ran once, in this order, "
        "with the load average before and after it (and its highest 5-second sample during it); "
        "the benchmark's own threads count in it (about 1 for one committing thread). On a shared "
        "machine wall-clock rates move with the other load; CPU µs per op much less. "
        f"`sync-nodes` PostgreSQL: {machine['postgres_note'] if machine['postgres'] else 'not run (' + machine['postgres_note'] + '), data directory only'}.",
        "",
        "![journaled vs bare RocksDB vs SQLite write throughput, and replay vs SQLite changeset apply]"
        "(bench-throughput.svg)",
    ]
    for s in sections:
        out += ["", f"### `{s.name}`{heading_threads(s)}", "",
                f"`{s.start['command']}`: {minutes(s.end['seconds'])}, {load_text(s)}.", ""]
        if s.end["exit"] != 0:
            out += [f"**Failed** (exit {s.end['exit']}; its stderr is `{file_stem(s)}.stderr` next to the results "
                    "file).", ""]
            if s.lines:
                out += render_generic(s)
            continue
        if not s.lines:
            raise ReportError(f"{s.start.where}: {s.name} exited 0 but printed no line")
        out += RENDERERS.get(s.name, render_generic)(s)
    out += ["", END]
    return out


def replace_section(doc_path, generated):
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ReportError(f"{doc_path}: needs exactly one {BEGIN} line followed by one {END} line")
    head, rest = text.split(BEGIN)
    tail = rest.split(END)[1]
    return head + "\n".join(generated) + tail


def summary_of(sections, name):
    """The one-thread run of a workload (sqlite-sync also runs from 16 threads)."""
    for s in sections:
        if s.name == name and s.end["exit"] == 0 and threads_given(s) in (None, 1):
            return s, s.one(side="summary")
    return None, None


def chart_data(sections, directory):
    """Writes the chart's two data files; None when a workload it needs is missing."""
    q = lambda v: "NaN" if v is None else f"{v:.0f}"
    load = lambda s: f"load {s.start['load'][0]:.1f} to {s.end['load'][0]:.1f}"
    rows = []
    for name, label in (("write", "buffered"), ("sqlite", "buffered"), ("sqlite-sync", "fsync per commit")):
        s, m = summary_of(sections, name)
        if s is None:
            return None
        bare = m["bare_ops_per_s"] if name == "write" else None
        sqlite = m.get("sqlite_ops_per_s") if name != "write" else None
        rows.append(f"\"{name}\\n{label}\\n{load(s)}\" {q(m['journaled_ops_per_s'])} {q(bare)} {q(sqlite)}")
    with open(os.path.join(directory, "write.dat"), "w", encoding="utf-8") as f:
        f.write("# label journaled bare sqlite (ops/s)\n" + "\n".join(rows) + "\n")
    s = next((s for s in sections if s.name == "replay-sqlite" and s.end["exit"] == 0), None)
    if s is None:
        return None
    rows = [f"\"{m['txn_ops']} op{'s' if m['txn_ops'] != 1 else ''} per transaction\\n"
            f"ratio {m['ratio']:.2f}\\n{load(s)}\" {q(m['journaldb_ops_per_s'])} {q(m['sqlite_changes_per_s'])}"
            for m in s.where(summary=True)]
    with open(os.path.join(directory, "replay.dat"), "w", encoding="utf-8") as f:
        f.write("# label journaldb sqlite (ops/s)\n" + "\n".join(rows) + "\n")
    return directory


def draw_chart(sections, machine, chart_path):
    if shutil.which("gnuplot") is None:
        raise ReportError("gnuplot is not installed (apt-get install gnuplot-nox)")
    with tempfile.TemporaryDirectory() as directory:
        if chart_data(sections, directory) is None:
            print("bench_report: the chart needs write, sqlite, sqlite-sync and replay-sqlite; not drawn",
                  file=sys.stderr)
            return False
        title = (f"journal-bench, {machine['date'][:10]}, {machine['nproc']} cores"
                 f"{' (--quick)' if machine['quick'] else ''}")
        partial = chart_path + ".tmp"
        args = ["gnuplot", "-e", f"dir='{directory}'; out='{partial}'; title='{title}'", CHART_SCRIPT]
        done = subprocess.run(args, capture_output=True, text=True)
        if done.returncode != 0:
            raise ReportError(f"gnuplot failed: {done.stderr.strip()}")
        os.replace(partial, chart_path)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--doc", required=True, help="markdown file with the bench.sh markers")
    parser.add_argument("--chart", help="SVG file to write (omitted: the tables only)")
    a = parser.parse_args()
    try:
        machine, sections, done = read_results(a.results)
        text = replace_section(a.doc, render(machine, sections, done))
        drew = draw_chart(sections, machine, a.chart) if a.chart else False
        partial = a.doc + ".tmp"
        with open(partial, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(partial, a.doc)
    except (ReportError, OSError) as e:
        print(f"bench_report: {e}", file=sys.stderr)
        return 1
    print(f"bench_report: {len(sections)} workloads into {a.doc}" + (f", chart {a.chart}" if drew else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
