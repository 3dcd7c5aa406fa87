#!/usr/bin/env python3
"""scripts/bench_report.py, which turns bench.sh's results file into the tables of
docs/benchmarks.md: the committed results regenerate the committed tables; bad input is
an error naming its line with nothing written; a workload run again with --threads.

Run by CTest (tests/tools/CMakeLists.txt), or alone: python3 tests/tools/bench_report_test.py
"""

import difflib
import importlib.util
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bench_report.py"
RESULTS = ROOT / "docs" / "bench-results.jsonl"
DOC = ROOT / "docs" / "benchmarks.md"

sys.dont_write_bytecode = True  # no scripts/__pycache__ in the source tree
spec = importlib.util.spec_from_file_location("bench_report", SCRIPT)
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)


def committed_lines():
    return RESULTS.read_text(encoding="utf-8").splitlines()


def number_of(lines, **match):
    """The 1-based number of the one line whose JSON has every key and value of match."""
    found = [n for n, text in enumerate(lines, 1) if match.items() <= json.loads(text).items()]
    assert len(found) == 1, f"{match}: lines {found}"
    return found[0]


def run_of(lines, workload, threads):
    """The slice of lines of workload's one run whose command has --threads (or has not)."""
    records = [json.loads(text) for text in lines]
    starts = [i for i, r in enumerate(records) if r.get("bench_sh") == "start" and r["workload"] == workload
              and ("--threads" in r["command"]) == threads]
    assert len(starts) == 1, f"{workload}, threads {threads}: {len(starts)} runs"
    end = next(i for i in range(starts[0], len(records)) if records[i].get("bench_sh") == "end")
    return slice(starts[0], end + 1)


def start_record(command):
    return report.Line("results.jsonl", 1, {"bench_sh": "start", "workload": "sqlite-sync", "command": command})


class ReportRun(unittest.TestCase):
    """Runs the script on results in a temporary directory, against a copy of the doc."""

    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)
        self.doc = self.dir / "benchmarks.md"
        shutil.copy(DOC, self.doc)
        self.results = self.dir / "results.jsonl"

    def run_report(self, lines):
        self.results.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # No --chart: the tables alone, so no gnuplot is needed.
        return subprocess.run([sys.executable, str(SCRIPT), str(self.results), "--doc", str(self.doc)],
                              capture_output=True, text=True)


class CommittedResults(ReportRun):
    def test_regenerate_exactly_the_committed_tables(self):
        # Emptied first, so that a run writing nothing cannot pass.
        text = DOC.read_text(encoding="utf-8")
        head, rest = text.split(report.BEGIN)
        self.doc.write_text(head + report.BEGIN + "\n" + report.END + rest.split(report.END)[1], encoding="utf-8")
        done = self.run_report(committed_lines())
        self.assertEqual(done.returncode, 0, done.stderr)
        regenerated = self.doc.read_text(encoding="utf-8")
        if regenerated != text:
            diff = difflib.unified_diff(text.splitlines(True), regenerated.splitlines(True),
                                        "docs/benchmarks.md", "regenerated from docs/bench-results.jsonl")
            self.fail("the committed tables and results disagree (scripts/bench.sh --tables-only "
                      "docs/bench-results.jsonl regenerates the tables):\n" + "".join(diff))


class BadInput(ReportRun):
    def assert_rejected(self, lines, message):
        """Exit status 1, `message` after the results file's name, and the doc untouched."""
        done = self.run_report(lines)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(f"bench_report: {self.results}{message}", done.stderr)
        self.assertEqual(self.doc.read_bytes(), DOC.read_bytes())
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), ["benchmarks.md", "results.jsonl"])

    def test_a_line_that_is_not_json_is_named(self):
        lines = committed_lines()
        lines[4] = lines[4][:20]
        self.assert_rejected(lines, ":5: not JSON")

    def test_a_workload_line_before_its_start_record_is_named(self):
        lines = committed_lines()
        del lines[number_of(lines, bench_sh="start", workload="write") - 1]
        self.assert_rejected(lines, ":2: outside a workload's start and end records")

    def test_an_end_record_without_a_start_is_named(self):
        lines = committed_lines()
        end = number_of(lines, bench_sh="end", workload="write")
        lines[1:1] = [lines.pop(end - 1)]
        self.assert_rejected(lines, ":2: outside a workload's start and end records")

    def test_a_start_record_before_the_previous_end_is_named(self):
        lines = committed_lines()
        end = number_of(lines, bench_sh="end", workload="write")
        del lines[end - 1]
        self.assert_rejected(lines, f":{end}: write has no end record")

    def test_a_figure_missing_from_a_line_is_named(self):
        lines = committed_lines()
        n = number_of(lines, workload="write", side="summary")
        summary = json.loads(lines[n - 1])
        del summary["journaled_ops_per_s"]
        lines[n - 1] = json.dumps(summary)
        self.assert_rejected(lines, f':{n}: no "journaled_ops_per_s" in ')


class Threads(unittest.TestCase):
    """sqlite-sync runs twice in bench.sh, the second time with --threads 16."""

    def setUp(self):
        # The 16-thread run moved before the one-thread run, so order alone cannot pick the right one.
        lines = committed_lines()
        one, sixteen = (run_of(lines, "sqlite-sync", threads) for threads in (False, True))
        self.assertEqual(one.stop, sixteen.start)
        lines[one.start:sixteen.stop] = lines[sixteen] + lines[one]
        self.dir = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)
        results = self.dir / "results.jsonl"
        results.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.machine, self.sections, self.done = report.read_results(str(results))
        self.sixteen, self.one = [s for s in self.sections if s.name == "sqlite-sync"]

    def test_threads_given_reads_the_number_after_threads_in_the_command(self):
        self.assertEqual(report.threads_given(self.sixteen), 16)
        self.assertIsNone(report.threads_given(self.one))
        self.assertEqual(report.threads_given(report.Section(start_record("journal-bench --threads 1"))), 1)

    def test_the_heading_names_the_threads_except_one(self):
        self.assertEqual(report.heading_threads(self.sixteen), ", 16 threads")
        self.assertEqual(report.heading_threads(self.one), "")
        self.assertEqual(report.heading_threads(report.Section(start_record("journal-bench --threads 1"))), "")
        rendered = report.render(self.machine, self.sections, self.done)
        self.assertEqual([l for l in rendered if l.startswith("### `sqlite-sync`")],
                         ["### `sqlite-sync`, 16 threads", "### `sqlite-sync`"])

    def test_a_failed_run_with_threads_names_its_own_stderr_file(self):
        self.assertEqual(report.file_stem(self.one), "sqlite-sync")
        self.assertEqual(report.file_stem(self.sixteen), "sqlite-sync-threads-16")
        self.sixteen.end = report.Line("results.jsonl", 1, {**self.sixteen.end, "exit": 1})
        rendered = "\n".join(report.render(self.machine, self.sections, self.done))
        self.assertIn("**Failed** (exit 1; its stderr is `sqlite-sync-threads-16.stderr`", rendered)

    def test_the_chart_takes_the_one_thread_run(self):
        self.assertIs(report.summary_of(self.sections, "sqlite-sync")[0], self.one)
        self.assertIsNotNone(report.chart_data(self.sections, str(self.dir)))
        rows = (self.dir / "write.dat").read_text(encoding="utf-8").splitlines()
        row = next(r for r in rows if r.startswith('"sqlite-sync'))
        m = self.one.one(side="summary")
        # Columns: journaled, bare RocksDB (not run beside SQLite), SQLite.
        self.assertEqual(row.split()[-3:],
                         [f"{m['journaled_ops_per_s']:.0f}", "NaN", f"{m['sqlite_ops_per_s']:.0f}"])


class Malloc(unittest.TestCase):
    """The machine line names the malloc when bench.sh recorded it (older results files did not)."""

    def test_the_machine_line_names_the_recorded_malloc_only(self):
        def machine_line(lines):
            path = pathlib.Path(tempfile.mkdtemp())
            self.addCleanup(shutil.rmtree, path)
            (path / "results.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            rendered = report.render(*report.read_results(str(path / "results.jsonl")))
            return next(l for l in rendered if l.startswith("Run on "))

        lines = committed_lines()
        machine = json.loads(lines[0])
        self.assertNotIn("malloc", machine)
        self.assertNotIn("malloc", machine_line(lines))
        lines[0] = json.dumps({**machine, "malloc": "tcmalloc"})
        self.assertIn(", malloc: tcmalloc", machine_line(lines))


if __name__ == "__main__":
    unittest.main()
