"""The benchmark: the pipeline's stages against the naive read and the bare-read floor, per size,
and the command line as the user runs it: cold, warm after resubmitted files, and under `watch`.

    python -m bench.run [--sizes 71,710,7100,200k] [--repeat 1] [--no-feedback] [--no-rerun]
                        [--reruns all|one] [--no-watch] [--watch-sizes 71,7100] [--watch-settle 1]
                        [--profile]

For each size the inbox comes from `bench.generate` (cached under bench/data/<size>/), then three
fresh processes run on the same files, one after another:

- **pipeline**: the stages as `python -m pipeline report` runs them, each timed apart — start-up
  (interpreter and imports), register, reading (`read_inbox`: every file read, matched, and its
  rows typed by `rules.prepare` in the reading workers), validation (`intake.select` +
  `rules.validate`: the accepted rows against the period and each other), aggregation (the rest
  of `build_report`: statuses, figures up the tree, appendices), the committee PDF (WeasyPrint's
  import apart), the Excel workbook, summary.json, and the per-unit feedback packages
  (`write_feedback`); peak RSS from `getrusage`. The report's figures are checked against the
  counts the generator planted: a mismatch stops the bench.
- **naive**: `pandas.read_excel(f, sheet_name=None, engine="openpyxl")` on every file, in turn.
- **floor**: `python_calamine.CalamineWorkbook.from_path(f)`, every sheet `.to_python()`.

`build_report` runs validation and aggregation in one call; the bench times them apart by
wrapping `pipeline.intake.select` and `pipeline.build.validate` while it runs (aggregation = the
call minus those). Should build.py stop calling them by those names, validation is reported as
null and aggregation holds both (the table says so).

Then `python -m pipeline …` itself, as subprocesses, so that whatever the product does between
runs (a cache of read files under `<out>/cache/`, kept feedback packages) is measured without the
bench knowing how; each run's summary.json is checked against the planted counts:

- **cold runs**: `report --no-feedback` into a fresh, empty folder, launch to exit (three times at
  7,100, once elsewhere), each against the naive read;
- **warm re-runs** (not for a single-workbook size; `--no-rerun` skips them): a full run on an
  inbox of symlinks, then into the same folder after one, then ten, resubmitted files (a new
  `Người lập` each time: the figures stay, the bytes change), with and without feedback; which
  packages were re-rendered, peak RSS from `os.wait4`, the size of `<out>/cache/`;
- **watch** (at 71 and 7,100, `--watch-sizes`): `watch --settle 1 --no-feedback`; once its first
  report is there one file is resubmitted, and the time until summary.json is replaced is taken.

Results go to bench/results/latest.json and two tables on stdout. Timings are best of `--repeat`
runs (the cold runs are all kept); peak RSS the largest. Ratios are taken inside one run, never
against another machine's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_RESULTS = BENCH / "results" / "latest.json"
DEFAULT_SIZES = "71,710,7100,200k"
REPORT_DATE = dt.date(2022, 10, 27)
QUARTER_SLUG = "2022-Q3"  # the generated data's period: <out>/2022-Q3/
# The committee's settings every run uses (it names a committee and dates the report).
CONFIG = REPO / "input_samples" / "pipeline.toml"
# Cold committee runs (`report --no-feedback` into a fresh folder) per size; at least --repeat.
COLD_RUNS = {"7100": 3}
DEFAULT_WATCH_SIZES = "71,7100"
WATCH_SETTLE_S = 1.0  # `watch --settle`: short, so that the latency is mostly the rebuild
POLL_S = 0.05  # how often the watch's summary.json is looked at
CACHE_DIR = "cache"  # the cache of read files the product may keep under <out>/
# The warm re-runs, in order: (name, which changed files, feedback packages asked for). A run
# with --no-feedback leaves the packages of the cells it saw change stale, so the ten files of
# the next feedback run include the one changed before it: each feedback run then has exactly
# its own files' cells to re-render.
RERUNS = (
    ("one_changed", "a", True),
    ("one_changed_no_feedback", "b", False),
    ("ten_changed", "ten", True),
    ("ten_changed_no_feedback", "ten", False),
)

# Seconds per stage, in the order they run. validate_s includes intake.select.
STAGES = (
    "startup_s",
    "register_s",
    "read_s",
    "validate_s",
    "aggregate_s",
    "pdf_import_s",
    "pdf_s",
    "docx_s",
    "workbook_s",
    "summary_s",
    "feedback_s",
)
COMMITTEE_STAGES = STAGES[:-1]  # `report --no-feedback`: everything but the feedback packages
# Feedback on one worker as well (the parallel speed-up) up to this many cells; above, it would
# take longer than the rest of the bench.
SCALING_MAX_CELLS = 1000
RESULT_KEYS = (
    "size",
    "files",
    "cells",
    "members",
    "member_rows",
    *STAGES,
    "read_validate_aggregate_s",
    "committee_run_s",
    "peak_rss_mb",
    "readers",
    "readers_peak_rss_mb",
    "all_processes_peak_rss_mb",
    "rss_mb_after",
    "naive_s",
    "floor_s",
    "naive_rss_mb",
    "floor_rss_mb",
    "cores",
    "feedback",
    "feedback_workers",
    "feedback_1worker_s",
    "cold_run_s",
    "cold_run_peak_rss_mb",
    "rerun_feedback",
    "rerun_first_full_s",
    *(f"rerun_{name}_s" for name, _, _ in RERUNS),
    "rerun_peak_rss_mb",
    "warm_peak_rss_mb",
    "rerun_packages_rendered",
    "rerun_packages_expected",
    "inbox_bytes",
    "cache_bytes",
    "watch_settle_s",
    "watch_first_report_s",
    "watch_latency_s",
    "watch_limit_s",
    "watch_peak_rss_mb",
    "watch_stopped",
    "generate_s",
    "checked",
    "ratios",
    "notes",
)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS).

    RUSAGE_SELF: this process; feedback workers are not in it. RUSAGE_CHILDREN: the largest of the
    finished children. It is read once, right after reading, when the only children are the
    reading workers (forked from this process, so their figure includes the pages they share with
    it); later it would also count the short forks libraries make (ctypes' find_library), which
    inherit this process's whole resident set."""
    peak = resource.getrusage(who).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def inbox_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "inbox").rglob("*") if p.is_file())


# --- the three child processes ----------------------------------------------------------------


def child_floor(folder: Path) -> dict:
    from python_calamine import CalamineWorkbook

    files = inbox_files(folder)
    started = time.perf_counter()
    rows = 0
    for f in files:
        book = CalamineWorkbook.from_path(str(f))
        for name in book.sheet_names:
            rows += len(book.get_sheet_by_name(name).to_python())
    return {"seconds": time.perf_counter() - started, "rows": rows, "rss_mb": _rss_mb()}


def child_naive(folder: Path) -> dict:
    import pandas as pd

    files = inbox_files(folder)
    started = time.perf_counter()
    rows = 0
    for f in files:
        rows += sum(
            len(frame) for frame in pd.read_excel(f, sheet_name=None, engine="openpyxl").values()
        )
    return {"seconds": time.perf_counter() - started, "rows": rows, "rss_mb": _rss_mb()}


class _Probe:
    """Times calls to module attributes while the block runs (used to split build_report)."""

    def __init__(self, targets: list[tuple[object, str]]):
        self.targets = [(module, name) for module, name in targets if hasattr(module, name)]
        self.missing = [name for module, name in targets if not hasattr(module, name)]
        self.seconds = 0.0

    def __enter__(self):
        self.saved = [(module, name, getattr(module, name)) for module, name in self.targets]
        for module, name, original in self.saved:
            setattr(module, name, self._wrap(original))
        return self

    def _wrap(self, original):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def __exit__(self, *exc):
        for module, name, original in self.saved:
            setattr(module, name, original)
        return False


def _feedback_workers() -> int:
    """Workers the feedback stage gets: every core, when write_feedback takes an executor."""
    import inspect

    from pipeline.feedback.packages import write_feedback

    if "executor" not in inspect.signature(write_feedback).parameters:
        return 1
    from pipeline.parallel import available_cores

    return available_cores()


def run_feedback(report, folder: Path, workers: int) -> None:
    """`write_feedback` as the CLI calls it: on an executor of `workers` processes when the API has
    one (pipeline.parallel), else in this process."""
    import inspect

    from pipeline.feedback.packages import write_feedback

    if "executor" not in inspect.signature(write_feedback).parameters:
        write_feedback(report, folder)
        return
    from pipeline.parallel import make_executor

    with make_executor(workers) as executor:
        write_feedback(report, folder, executor=executor)


def child_pipeline(
    folder: Path,
    out: Path,
    launched_at: float,
    *,
    feedback: bool,
    profile: Path | None,
    scaling: bool = False,
) -> dict:
    """Every stage of `python -m pipeline report`, timed apart; figures checked on the way."""
    from dataclasses import replace

    import pipeline.build as build
    import pipeline.intake as intake
    from pipeline.build import build_report
    from pipeline.intake import choose_period
    from pipeline.reading import read_inbox
    from pipeline.config import load_config
    from pipeline.outputs import pdf_name, workbook_name, write_summary, write_workbook
    from pipeline.register import read_register
    from pipeline.render.committee import committee_context, write_committee_pdf
    from pipeline.render.word import docx_name, write_committee_docx
    from pipeline.arrivals import record as record_arrivals
    from pipeline.manifest import ignored_files, manifest, write_manifest
    from pipeline.render.page import write_status_page

    seconds: dict[str, float | None] = {"startup_s": time.time() - launched_at}
    rss: dict[str, float] = {"startup_s": _rss_mb()}
    notes: list[str] = []
    planted = json.loads((folder / "planted.json").read_text(encoding="utf-8"))
    # The sample committee's settings: the report names a committee, as every real one does.
    config = replace(load_config(CONFIG), report_date=REPORT_DATE)
    if out.exists():
        shutil.rmtree(out)  # a cold run: nothing reused from an earlier one
    target = out / "2022-Q3"
    target.mkdir(parents=True)

    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()

    def stage(key, fn, *args, **kwargs):
        started = time.perf_counter()
        value = fn(*args, **kwargs)
        seconds[key] = time.perf_counter() - started
        rss[key] = _rss_mb()
        log(f"  {key[:-2]:<10} {seconds[key]:8.2f} s   peak RSS {rss[key]:7.1f} MB")
        return value

    register = stage("register_s", read_register, folder / "units.xlsx")
    inbox = stage("read_s", read_inbox, folder / "inbox", register)
    from pipeline.parallel import reader_count

    readers = reader_count(None, len(inbox_files(folder)))
    # None: the inbox was read in this process.
    readers_rss = _rss_mb(resource.RUSAGE_CHILDREN) if readers > 1 else None
    if readers_rss:
        log(f"  largest reading worker: peak RSS {readers_rss:7.1f} MB")
    submissions = inbox.submissions
    period = choose_period(submissions, None, 3)
    probe = _Probe([(intake, "select"), (build, "validate")])
    started = time.perf_counter()
    with probe:
        report = build_report(register, submissions, period, config, dt.date.today(), prepared=inbox.prepared)
    whole = time.perf_counter() - started
    if probe.missing:
        seconds["validate_s"], seconds["aggregate_s"] = None, whole
        notes.append(
            f"validation not timed apart (build.py no longer calls {', '.join(probe.missing)}): "
            "aggregate_s holds validation too"
        )
    else:
        seconds["validate_s"], seconds["aggregate_s"] = probe.seconds, whole - probe.seconds
    rss["validate_s"] = rss["aggregate_s"] = _rss_mb()
    log(
        f"  validate   {seconds['validate_s'] or 0:8.2f} s   "
        f"aggregate {seconds['aggregate_s']:.2f} s   peak RSS {rss['aggregate_s']:7.1f} MB"
    )
    checked = check_figures(report, planted)

    stage("pdf_import_s", importlib.import_module, "weasyprint")  # the CLI imports it lazily
    stage("pdf_s", write_committee_pdf, report, target / pdf_name(report))
    # The editable Word copy (issue 14), from the same context as the PDF.
    stage("docx_s", lambda: write_committee_docx(committee_context(report), target / docx_name(report)))
    stage("workbook_s", write_workbook, report, target / workbook_name(report))
    stage("summary_s", write_summary, report, target)
    # What a run writes besides the documents (issue 12): every file hashed and noted in the
    # arrivals log, the manifest, the quarter's page.
    arrivals = stage("arrivals_s", record_arrivals, out, [(s.workbook.path, s.file) for s in submissions],
                     dt.datetime.now().astimezone())
    stage("manifest_s", lambda: write_manifest(target, manifest(
        report, inbox=folder / "inbox", register=folder / "units.xlsx", arrivals=arrivals,
        ignored=ignored_files(folder / "inbox"), changed=[], previous_run=None, now=dt.datetime.now().astimezone())))
    stage("page_s", write_status_page, target, out)
    if profiler is not None:
        profiler.disable()
        _write_profile(profiler, profile)

    workers = one_worker_s = None
    if feedback:
        workers = _feedback_workers()
        stage("feedback_s", run_feedback, report, target, workers)
        if scaling and workers > 1:
            started = time.perf_counter()
            run_feedback(report, out / "one-worker", 1)
            one_worker_s = time.perf_counter() - started
            log(f"  feedback on 1 worker {one_worker_s:.2f} s")
    else:
        seconds["feedback_s"] = None
    seconds["feedback_1worker_s"] = one_worker_s

    return {
        "seconds": seconds,
        "rss_mb_after": rss,
        "peak_rss_mb": _rss_mb(),
        "readers": readers,
        "readers_peak_rss_mb": readers_rss,
        "checked": checked,
        "files": len(submissions),
        "feedback_workers": workers,
        "notes": notes,
    }


def _write_profile(profiler, path: Path) -> None:
    import io
    import pstats

    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(path.with_suffix(".prof")))
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
    stats.print_stats(
        r"pipeline|pandas/core/(frame|series|groupby)|weasyprint/__init__|openpyxl/(reader|writer)",
        60,
    )
    path.write_text(text.getvalue(), encoding="utf-8")
    log(f"  profile    {path} (and {path.with_suffix('.prof').name})")


class Mismatch(AssertionError):
    pass


def check_figures(report, planted: dict) -> dict:
    """The report's figures against the generator's counts. Raises Mismatch listing what differs."""
    import pandas as pd

    units = report.units
    wrong: list[str] = []
    root = planted["root"]
    totals = units.loc[root]
    for key, expected in planted["totals"].items():
        got = None if pd.isna(totals[key]) else int(totals[key])
        if got != expected:
            wrong.append(f"total {key}: report {got}, planted {expected}")
    for cell, figures in planted["cell_figures"].items():
        if cell not in units.index:
            wrong.append(f"cell {cell} missing from the report")
            continue
        for key, expected in figures.items():
            if int(units.at[cell, key]) != expected:
                wrong.append(f"{cell} {key}: report {int(units.at[cell, key])}, planted {expected}")
    for code, expected in planted["unit_members"].items():
        if code in units.index and int(units.at[code, "members"]) != expected:
            wrong.append(
                f"{code} members: report {int(units.at[code, 'members'])}, planted {expected}"
            )
    cov = report.coverage
    if (cov.expected, cov.accepted) != (planted["cells"], planted["cells"]):
        cells = planted["cells"]
        wrong.append(f"coverage: {cov.accepted}/{cov.expected} accepted, planted {cells}/{cells}")
    found = {(i.rule, i.file, i.row) for i in report.issues}
    for plant in planted["issues"]:
        if (plant["rule"], plant["file"], plant["row"]) not in found:
            wrong.append(
                f"planted {plant['rule']} not reported at {plant['file']} row {plant['row']}"
            )
    if wrong:
        more = f"\n  … and {len(wrong) - 20} more" if len(wrong) > 20 else ""
        raise Mismatch(
            "the report's figures differ from the planted counts:\n  "
            + "\n  ".join(wrong[:20])
            + more
        )
    planted_rules = {p["rule"] for p in planted["issues"]}
    unplanted = sorted({i.rule for i in report.issues} - planted_rules)
    return {
        "figures": "equal to planted",
        "units_checked": len(planted["unit_members"]),
        "planted_issues_found": len(planted["issues"]),
        "other_issue_rules": unplanted,
    }


# --- the parent: one size after another -------------------------------------------------------


def _spawn(kind: str, folder: Path, extra: list[str] = ()) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--child",
        kind,
        "--folder",
        str(folder),
        "--launched-at",
        repr(time.time()),
        *extra,
    ]
    done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(
            f"bench: the {kind} run on {folder} failed (exit {done.returncode}); see above."
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _warm(files: list[Path]) -> None:
    """Read every file once, so each run starts from the same (warm) page cache."""
    for f in files:
        f.read_bytes()


def _best(runs: list[dict]) -> dict:
    """Best of the repeats for each stage; the largest peak RSS."""
    first = runs[0]
    seconds = {
        k: min((r["seconds"][k] for r in runs), key=lambda v: float("inf") if v is None else v)
        for k in first["seconds"]
    }
    return dict(
        first,
        seconds=seconds,
        peak_rss_mb=max(r["peak_rss_mb"] for r in runs),
        readers_peak_rss_mb=max((r["readers_peak_rss_mb"] or 0 for r in runs), default=0) or None,
    )


# --- the command line, as the user runs it ----------------------------------------------------
#
# Everything below runs `python -m pipeline report` / `watch` as subprocesses and looks only at
# what they write, so it measures whatever the product does (a cache of read files under
# `<out>/cache/`, reused packages, parallel writes) without knowing how.


class _Command:
    """One `python -m pipeline …` subprocess, its output appended to a log file. Reaped with
    `os.wait4`, which hands back the child's rusage: its ru_maxrss is the largest resident set of
    the child and of every descendant it waited for (its reading and feedback workers), one
    process's peak, not their sum."""

    def __init__(self, argv: list[str], log_path: Path, *, session: bool = False):
        self.argv = [sys.executable, "-m", "pipeline", *argv]
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as out:
            out.write(("$ " + " ".join(self.argv) + "\n").encode())
            self.started = time.perf_counter()
            # session: its own process group, so that a watcher that hangs is killed with its
            # workers, and the bench's Ctrl-C reaches it only through `_stop_watch`.
            self.proc = subprocess.Popen(
                self.argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=session,
            )
        self.returncode: int | None = None
        self.seconds: float | None = None
        self.peak_rss_mb: float | None = None

    def poll(self, block: bool = False) -> int | None:
        """The exit code once the process has ended (reaping it), else None."""
        if self.returncode is None:
            pid, status, usage = os.wait4(self.proc.pid, 0 if block else os.WNOHANG)
            if pid:
                self.seconds = time.perf_counter() - self.started
                self.returncode = self.proc.returncode = os.waitstatus_to_exitcode(status)
                kib = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
                self.peak_rss_mb = round(kib / 1024, 1)
        return self.returncode

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def failed(self, what: str) -> SystemExit:
        return SystemExit(
            f"bench: {what} failed (exit {self.returncode}); the end of {self.log_path}:\n{self.tail()}"
        )


def run_cli(argv: list[str], log_path: Path, what: str) -> _Command:
    """Run `python -m pipeline argv` to its end: wall clock from launch to exit, and peak RSS."""
    command = _Command(argv, log_path)
    if command.poll(block=True) != 0:
        raise command.failed(what)
    return command


def _report_argv(folder: Path, inbox: Path, out: Path, *, feedback: bool) -> list[str]:
    """`report` as a committee runs it on the bench's data."""
    return [
        "report", "--quarter", "3", "--inbox", str(inbox), "--units", str(folder / "units.xlsx"),
        "--out", str(out), "--config", str(CONFIG), "--date", REPORT_DATE.strftime("%d/%m/%Y"),
        *([] if feedback else ["--no-feedback"]),
    ]


def _summary(out: Path) -> dict:
    return json.loads((out / QUARTER_SLUG / "summary.json").read_text(encoding="utf-8"))


def check_summary(summary: dict, planted: dict, where: str) -> None:
    """summary.json's figures against the generator's counts (the root's totals, every cell's and
    unit's figures, the coverage, the planted problems). Raises Mismatch listing what differs."""
    wrong: list[str] = []
    units = {u["code"]: u for u in summary.get("units", [])}
    root = units.get(planted["root"], {})
    for key, expected in planted["totals"].items():
        if summary["totals"].get(key) != expected:
            wrong.append(f"total {key}: summary {summary['totals'].get(key)}, planted {expected}")
        if root.get(key) != expected:
            wrong.append(f"root {planted['root']} {key}: summary {root.get(key)}, planted {expected}")
    for cell, figures in planted["cell_figures"].items():
        if cell not in units:
            wrong.append(f"cell {cell} missing from summary.json")
            continue
        for key, expected in figures.items():
            if units[cell].get(key) != expected:
                wrong.append(f"{cell} {key}: summary {units[cell].get(key)}, planted {expected}")
    for code, expected in planted["unit_members"].items():
        if code in units and units[code].get("members") != expected:
            wrong.append(f"{code} members: summary {units[code].get('members')}, planted {expected}")
    cov, cells = summary["coverage"], planted["cells"]
    if (cov["expected"], cov["accepted"]) != (cells, cells):
        wrong.append(f"coverage: {cov['accepted']}/{cov['expected']} accepted, planted {cells}/{cells}")
    found = {(i["rule"], i["file"], i["row"]) for i in summary["issues"]}
    for plant in planted["issues"]:
        if (plant["rule"], plant["file"], plant["row"]) not in found:
            wrong.append(f"planted {plant['rule']} not reported at {plant['file']} row {plant['row']}")
    if wrong:
        more = f"\n  … and {len(wrong) - 20} more" if len(wrong) > 20 else ""
        raise Mismatch(f"{where}: summary.json differs from the planted counts:\n  "
                       + "\n  ".join(wrong[:20]) + more)


def link_inbox(folder: Path, inbox: Path) -> list[Path]:
    """A fresh inbox of symlinks to the data's files (bench/data is never written); returns the
    files' paths inside it."""
    if inbox.exists():
        shutil.rmtree(inbox)
    names = []
    for source in inbox_files(folder):
        name = source.relative_to(folder / "inbox")
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).symlink_to(source)
        names.append(name)
    return names


def resubmit(folder: Path, inbox: Path, name: Path, text: str) -> float:
    """The cell sends `name` again with `text` as its `Người lập`: its figures unchanged, its bytes
    not. The edited copy is written beside the inbox, then renamed over the symlink (a rename
    replaces the link, never the data it points to). Returns time.monotonic() once the new file
    is in place."""
    from openpyxl import load_workbook

    from pipeline.contract import INFO_FIELDS, INFO_SHEET

    book = load_workbook(folder / "inbox" / name)
    label = INFO_FIELDS["created_by"]
    row = next((r for r in book[INFO_SHEET].iter_rows(max_col=2) if r[0].value == label), None)
    if row is None:
        raise SystemExit(f"bench: no `{label}` row on sheet {INFO_SHEET} of {name}")
    row[1].value = text
    staged = inbox.parent / f".{inbox.name}.{name.name}"
    book.save(staged)
    os.replace(staged, inbox / name)
    return time.monotonic()


def _package_stamps(live: Path) -> dict[Path, int]:
    """Every feedback package PDF (`units/<cell>/*.pdf`) and its mtime in ns. A kept package is
    hard-linked into the next set (its mtime stays); a re-rendered one is a new file."""
    return {p.relative_to(live): p.stat().st_mtime_ns for p in live.glob("units/*/*.pdf")}


def _code_digest() -> str:
    """sha256 of the product's code and templates as they are now. The checkout may be edited while
    the bench runs; a package's key holds the program's sources (feedback.cache), so an edit between
    two runs re-renders every package, which says nothing about the re-run."""
    import hashlib

    digest = hashlib.sha256()
    files = [*(REPO / "pipeline").rglob("*.py"), *(REPO / "templates").rglob("*")]
    for path in sorted(p for p in files if p.is_file()):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0")
        with suppress(OSError):
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def tree_bytes(path: Path) -> int | None:
    """The bytes of the files under `path`, each inode once; None when `path` is not there."""
    if not path.is_dir():
        return None
    seen, total = set(), 0
    for p in path.rglob("*"):
        st = p.lstat()
        if stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


def cold_runs(folder: Path, planted: dict, work: Path, count: int) -> list[_Command]:
    """`report --no-feedback` into a fresh, empty output folder, `count` times: launch to exit."""
    done = []
    for n in range(1, count + 1):
        out = work / f"cold-{n}"
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        run = run_cli(_report_argv(folder, folder / "inbox", out, feedback=False),
                      work / "logs" / f"cold-{n}.log", f"cold committee run {n}")
        check_summary(_summary(out), planted, f"cold run {n}")
        log(f"  cold run   {run.seconds:8.2f} s   peak RSS {run.peak_rss_mb:7.1f} MB   "
            f"(python -m pipeline report --no-feedback, fresh --out)")
        shutil.rmtree(out)  # nothing later reads it; at 7,100 its cache would be inbox-sized
        done.append(run)
    return done


def _changed_sets(names: list[Path]) -> dict[str, list[Path]]:
    """Which files each re-run resubmits: one in the middle, the next one, then that one and nine
    more spread over the inbox."""
    n = len(names)
    a, b = names[n // 2], names[(n // 2 + 1) % n]
    others = [f for f in names if f != b]
    step = len(others) / 9
    nine = others if len(others) <= 9 else [others[int(k * step)] for k in range(9)]
    return {"a": [a], "b": [b], "ten": [b, *nine]}


def warm_reruns(folder: Path, planted: dict, work: Path, feedback: bool, plan=RERUNS) -> dict:
    """A full run into one output folder on an inbox of symlinks, then the RERUNS into the same
    folder, each after resubmitting files with a `Người lập` no run has seen yet. Each re-run's
    summary.json is checked against the planted counts; after a feedback run, which packages were
    re-rendered (their PDF's mtime changed) against the cells whose files changed since the last
    feedback run, and whether the code changed meanwhile (`_code_digest`)."""
    inbox, out = work / "warm-inbox", work / "warm"
    if out.exists():
        shutil.rmtree(out)
    names = link_inbox(folder, inbox)
    logs = work / "logs"
    # The code the packages were last made with, as seen before and after that run (and since):
    # one digest, unchanged.
    code = {_code_digest()}
    first = run_cli(_report_argv(folder, inbox, out, feedback=feedback), logs / "warm-first.log",
                    "the first full run of the warm re-runs")
    code.add(_code_digest())
    live = out / QUARTER_SLUG
    summary = _summary(out)
    check_summary(summary, planted, "the first full run")
    cell_of = {u["file"]: u["code"] for u in summary["units"] if u.get("file")}
    log(f"  first run  {first.seconds:8.2f} s   peak RSS {first.peak_rss_mb:7.1f} MB   "
        f"(symlinked inbox{', with feedback' if feedback else ''})")
    sets = _changed_sets(names)
    seconds, rss, rendered, expected, packages = {}, {"first_full": first.peak_rss_mb}, {}, {}, {}
    stale: set[str] = set()  # cells whose file changed since the packages were last made
    edit = 0
    for name, which, with_feedback in plan:
        fb = with_feedback and feedback
        for f in sets[which]:
            edit += 1
            resubmit(folder, inbox, f, f"Người lập sửa lần {edit}")
            stale.add(cell_of.get(str(f), str(f)))
        before = _package_stamps(live) if fb else None
        during = {_code_digest()}
        run = run_cli(_report_argv(folder, inbox, out, feedback=fb), logs / f"warm-{name}.log",
                      f"the re-run {name}")
        during.add(_code_digest())
        code |= during
        check_summary(_summary(out), planted, f"the re-run {name}")
        seconds[name], rss[name] = run.seconds, run.peak_rss_mb
        said = ""
        if fb:
            after = _package_stamps(live)
            made = sorted({p.parent.name for p, mtime in after.items() if before.get(p) != mtime})
            rendered[name], expected[name] = len(made), len(stale)
            packages[name] = {
                "expected": sorted(stale),
                "extra": sorted(set(made) - stale),
                "missing": sorted(stale - set(made)),
                # pipeline/ or templates/ edited since the packages were last made: every
                # package's key changed, so the count is not the re-run's doing.
                "code_changed": len(code) > 1,
            }
            said = f"   packages re-rendered {len(made)} (changed cells {len(stale)})"
            if len(code) > 1:
                said += " — the code changed meanwhile"
            # Its packages were made with the code of some moment of this run: the next feedback
            # run is compared with all of them.
            stale, code = set(), during
        log(f"  re-run     {run.seconds:8.2f} s   peak RSS {run.peak_rss_mb:7.1f} MB   "
            f"{name}: {len(sets[which])} file(s) resubmitted{said}")
    return {
        "first_full_s": first.seconds,
        "seconds": seconds,
        "peak_rss_mb": rss,
        "packages_rendered": rendered if feedback else None,
        "packages_expected": expected if feedback else None,
        "packages": packages if feedback else None,
        "cache_bytes": tree_bytes(out / CACHE_DIR),
    }


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _wait_until(condition, watcher: _Command, timeout: float) -> float | None:
    """Poll `condition` every POLL_S until it holds (→ time.monotonic()), the watcher exits
    (SystemExit with its log) or `timeout` passes (→ None)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return time.monotonic()
        if watcher.poll() is not None:
            raise watcher.failed("the watcher")
        if time.monotonic() > deadline:
            return None
        time.sleep(POLL_S)


def _stop_watch(watcher: _Command, grace: float = 30.0) -> str:
    """SIGINT (Ctrl-C), as a clerk stops it; killed with its process group if it hangs."""
    if watcher.poll() is None:
        os.kill(watcher.proc.pid, signal.SIGINT)
        deadline = time.monotonic() + grace
        while watcher.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    if watcher.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(watcher.proc.pid, signal.SIGKILL)
        watcher.poll(block=True)
        return f"killed: still running {grace:.0f} s after SIGINT"
    return "exit 0 on SIGINT" if watcher.returncode == 0 else f"exit {watcher.returncode} on SIGINT"


def watch_latency(folder: Path, planted: dict, work: Path, settle: float, cold_s: float) -> dict:
    """`pipeline watch --no-feedback` on an inbox of symlinks: once its first report is written,
    one file is resubmitted; the latency runs from the moment the new file is in place to the
    moment the quarter's summary.json is replaced (another inode or mtime, polled every POLL_S)."""
    inbox, out = work / "watch-inbox", work / "watch"
    if out.exists():
        shutil.rmtree(out)
    names = link_inbox(folder, inbox)
    summary = out / QUARTER_SLUG / "summary.json"
    # Generous: a watch that never rebuilds is reported (null), not waited for forever.
    timeout = max(120.0, 10 * (settle + cold_s))
    watcher = _Command(
        ["watch", "--quarter", "3", "--year", str(REPORT_DATE.year), "--inbox", str(inbox),
         "--units", str(folder / "units.xlsx"), "--out", str(out), "--config", str(CONFIG),
         "--settle", str(settle), "--no-feedback"],
        work / "logs" / "watch.log", session=True,
    )
    launched = time.monotonic()
    result = {"first_report_s": None, "latency_s": None, "stopped": None, "notes": []}
    try:
        ready = _wait_until(summary.is_file, watcher, timeout)
        if ready is None:
            result["notes"].append(f"watch: no first report within {timeout:.0f} s")
            return result
        result["first_report_s"] = ready - launched
        check_summary(json.loads(summary.read_text(encoding="utf-8")), planted, "the watch's first report")
        before = _stamp(summary)
        written = resubmit(folder, inbox, names[len(names) // 2], "Người lập sửa khi đang theo dõi")
        replaced = _wait_until(lambda: _stamp(summary) not in (before, None), watcher, timeout)
        if replaced is None:
            result["notes"].append(f"watch: summary.json not replaced within {timeout:.0f} s of the change")
            return result
        result["latency_s"] = replaced - written
        check_summary(json.loads(summary.read_text(encoding="utf-8")), planted, "the watch's rebuild")
        log(f"  watch      {result['latency_s']:8.2f} s   from the resubmitted file to the new "
            f"summary.json (settle {settle:g} s; first report after {result['first_report_s']:.2f} s)")
    finally:
        result["stopped"] = _stop_watch(watcher)
        result["peak_rss_mb"] = watcher.peak_rss_mb
        if result["stopped"] != "exit 0 on SIGINT":
            result["notes"].append(f"watch: {result['stopped']} (log: {watcher.log_path})")
    return result


def _config_has_report_date() -> None:
    """`watch` takes no --date: the committee's configuration must date the report, or the
    report (and its packages) would carry the day the bench runs."""
    import tomllib

    with open(CONFIG, "rb") as fh:
        day = tomllib.load(fh).get("document", {}).get("report_date")
    if day != REPORT_DATE.strftime("%d/%m/%Y"):
        raise SystemExit(f"bench: {CONFIG} should set report_date = \"{REPORT_DATE:%d/%m/%Y}\" "
                         f"(it says {day!r}): `pipeline watch` has no --date")


def measure(label: str, args) -> dict:
    from bench.generate import ensure, parse_size

    size = parse_size(label)
    folder, planted, generate_s = ensure(size, args.seed, args.data, log=log)
    files = inbox_files(folder)
    _warm(files)
    feedback = not args.no_feedback and not size.single
    log(
        f"{label}: {len(files)} files, {planted['totals']['members']} members"
        + ("" if feedback else " (no feedback packages)")
    )
    floor = min((_spawn("floor", folder) for _ in range(args.repeat)), key=lambda r: r["seconds"])
    log(f"  floor      {floor['seconds']:8.2f} s")
    out = args.out / label
    extra = (
        ["--out", str(out)]
        + ([] if feedback else ["--no-feedback"])
        + (["--scaling"] if feedback and planted["cells"] <= SCALING_MAX_CELLS else [])
    )
    runs = []
    for n in range(args.repeat):
        profile = args.results.parent / f"profile-{label}.txt" if args.profile and n == 0 else None
        runs.append(
            _spawn("pipeline", folder, extra + (["--profile-to", str(profile)] if profile else []))
        )
    run = _best(runs)
    naive = min((_spawn("naive", folder) for _ in range(args.repeat)), key=lambda r: r["seconds"])
    log(f"  naive      {naive['seconds']:8.2f} s")

    # The command line, as the user runs it (after the stage runs, which empty `out` first).
    cold = cold_runs(folder, planted, out, max(args.repeat, COLD_RUNS.get(label, 1)))
    cold_s = [c.seconds for c in cold]
    cold_rss = [c.peak_rss_mb for c in cold]
    warm = watched = None
    notes = list(run["notes"])
    if args.rerun and not size.single:  # one changed file of many
        warm = warm_reruns(folder, planted, out, feedback, RERUNS if args.reruns == "all" else RERUNS[:1])
    if args.rerun and args.watch and label in args.watch_sizes:
        watched = watch_latency(folder, planted, out, args.watch_settle, min(cold_s))
        notes += watched["notes"]
    warm_s = (warm or {}).get("seconds", {})
    warm_rss = (warm or {}).get("peak_rss_mb", {})
    # The warm runs' memory against the cold runs': the re-runs without feedback, as the cold runs.
    warm_peak = max(
        (warm_rss[k] for k in warm_rss if k.endswith("_no_feedback") and warm_rss[k] is not None),
        default=None,
    )
    inbox_bytes = sum(f.stat().st_size for f in files)
    cache_bytes = (warm or {}).get("cache_bytes")
    watch_limit = None if watched is None else args.watch_settle + min(cold_s)

    s = run["seconds"]
    rva = s["read_s"] + (s["validate_s"] or 0) + s["aggregate_s"]
    committee = sum(s[k] or 0 for k in COMMITTEE_STAGES)
    checked = dict(run["checked"])
    checked["summaries"] = (
        "equal to planted after every command-line run" + ("" if warm else " (no re-runs)")
    )
    if warm and warm["packages"] is not None:
        checked["rerun_packages"] = warm["packages"]
        for name, packages in warm["packages"].items():
            if packages["code_changed"]:
                notes.append(
                    f"re-run {name}: pipeline/ or templates/ were edited since the packages were "
                    "last made, so every package's key changed; its package count says nothing"
                )
    result = {
        "size": label,
        "files": len(files),
        "cells": planted["cells"],
        "members": planted["totals"]["members"],
        "member_rows": planted["member_rows"],
        **{k: _round(s.get(k)) for k in STAGES},
        "read_validate_aggregate_s": _round(rva),
        "committee_run_s": _round(committee),
        "peak_rss_mb": run["peak_rss_mb"],
        "readers": run["readers"],
        "readers_peak_rss_mb": run["readers_peak_rss_mb"],
        # An upper bound: the main process and every reading worker at their peaks at once, the
        # pages a worker shares with the main process counted twice.
        "all_processes_peak_rss_mb": _round(
            run["peak_rss_mb"] + run["readers"] * (run["readers_peak_rss_mb"] or 0), 1
        ),
        "rss_mb_after": run["rss_mb_after"],
        "naive_s": _round(naive["seconds"]),
        "floor_s": _round(floor["seconds"]),
        "naive_rss_mb": naive["rss_mb"],
        "floor_rss_mb": floor["rss_mb"],
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "feedback": "ran" if feedback else "skipped",
        "feedback_workers": run["feedback_workers"],
        "feedback_1worker_s": _round(s.get("feedback_1worker_s")),
        "cold_run_s": [_round(v) for v in cold_s],
        "cold_run_peak_rss_mb": cold_rss,
        "rerun_feedback": None if warm is None else ("ran" if feedback else "skipped"),
        "rerun_first_full_s": _round((warm or {}).get("first_full_s")),
        **{f"rerun_{name}_s": _round(warm_s.get(name)) for name, _, _ in RERUNS},
        "rerun_peak_rss_mb": warm_rss or None,
        "warm_peak_rss_mb": warm_peak,
        "rerun_packages_rendered": (warm or {}).get("packages_rendered"),
        "rerun_packages_expected": (warm or {}).get("packages_expected"),
        "inbox_bytes": inbox_bytes,
        "cache_bytes": cache_bytes,
        "watch_settle_s": None if watched is None else args.watch_settle,
        "watch_first_report_s": _round((watched or {}).get("first_report_s")),
        "watch_latency_s": _round((watched or {}).get("latency_s")),
        "watch_limit_s": _round(watch_limit),
        "watch_peak_rss_mb": (watched or {}).get("peak_rss_mb"),
        "watch_stopped": (watched or {}).get("stopped"),
        "generate_s": _round(generate_s),
        "checked": checked,
        "notes": notes,
        "ratios": {
            # Target ≤ 1.5 at 710 and 7,100 units.
            "read_validate_aggregate_over_floor": _ratio(rva, floor["seconds"]),
            # Target ≥ 8 at 7,100 units: the whole committee run against the naive read alone.
            "naive_over_committee_run": _ratio(naive["seconds"], committee),
            "naive_over_read": _ratio(naive["seconds"], s["read_s"]),
            "feedback_s_per_cell": _ratio(s["feedback_s"], planted["cells"])
            if s["feedback_s"]
            else None,
            # Target ≥ 1.7 on 2 cores.
            "feedback_speedup": _ratio(s.get("feedback_1worker_s"), s["feedback_s"]),
            # Target ≥ 8 at 7,100 for each cold run: the naive read against the whole command.
            "naive_over_cold_run": [_ratio(naive["seconds"], c) for c in cold_s],
            # Target ≤ 0.4 at 7,100: one resubmitted file against the best cold run.
            "rerun_one_changed_over_cold_run": _ratio(warm_s.get("one_changed"), min(cold_s)),
            "rerun_one_changed_no_feedback_over_cold_run": _ratio(
                warm_s.get("one_changed_no_feedback"), min(cold_s)
            ),
            # Target ≤ 1.1 at 7,100.
            "warm_over_cold_peak_rss": _ratio(warm_peak, max(cold_rss)),
            # Target ≤ 2.
            "cache_over_inbox": _ratio(cache_bytes, inbox_bytes),
            # Target ≤ 1: latency ≤ settle + the best cold run.
            "watch_latency_over_limit": _ratio((watched or {}).get("latency_s"), watch_limit),
        },
    }
    return {key: result[key] for key in RESULT_KEYS}  # one order, and no key forgotten


def _round(value, digits=3):
    return None if value is None else round(value, digits)


def _ratio(a, b):
    return None if a is None or not b else round(a / b, 3)


GROWTH_STAGES = (
    "read_s",
    "validate_s",
    "aggregate_s",
    "read_validate_aggregate_s",
    "pdf_s",
    "docx_s",
    "workbook_s",
    "feedback_s",
    "committee_run_s",
    "floor_s",
    "naive_s",
)


def growth(results: dict, big: str = "7100", small: str = "710") -> dict | None:
    """Each stage at 7,100 units over the same stage at 710 (target ≤ 11: linear)."""
    if big not in results or small not in results:
        return None
    return {k: _ratio(results[big].get(k), results[small].get(k)) for k in GROWTH_STAGES}


def targets(results: dict, grown: dict | None) -> list[dict]:
    """The issue's targets that this run measured, each with its value and whether it is met."""
    out = []

    def add(name, value, limit, at_most=True):
        if value is not None:
            out.append(
                {
                    "target": name,
                    "value": value,
                    "limit": limit,
                    "met": value <= limit if at_most else value >= limit,
                }
            )

    for label in ("710", "7100"):
        if label in results:
            add(
                f"read+validate+aggregate / floor at {label}",
                results[label]["ratios"]["read_validate_aggregate_over_floor"],
                1.5,
            )
    if "7100" in results:
        big = results["7100"]
        # The command as the user runs it, launch to exit, each run on its own (not the stages'
        # sum, naive_over_committee_run, which leaves out what runs between them).
        for n, ratio in enumerate(big["ratios"]["naive_over_cold_run"], start=1):
            add(f"naive / cold committee run (wall clock) at 7100, run {n}", ratio, 8, at_most=False)
        add(
            "re-run after one changed file / best cold run at 7100",
            big["ratios"]["rerun_one_changed_over_cold_run"],
            0.4,
        )
        add(
            "warm re-run peak RSS / cold run peak RSS at 7100",
            big["ratios"]["warm_over_cold_peak_rss"],
            1.1,
        )
        add("peak RSS MB at 7100", results["7100"]["peak_rss_mb"], 1024)
        add("peak RSS MB at 7100, main + reading workers (upper bound)",
            results["7100"]["all_processes_peak_rss_mb"], 1024)
    for label, r in results.items():
        if label.endswith("k"):
            add(f"peak RSS MB at {label}", r["all_processes_peak_rss_mb"], 1024)
    if grown:
        add("growth 7100/710 of read+validate+aggregate", grown["read_validate_aggregate_s"], 11)
        add("growth 7100/710 of the committee run", grown["committee_run_s"], 11)
    for label, r in results.items():
        add(f"committee PDF s at {label}", r["pdf_s"], 2.0)
    for label, r in results.items():
        if r["feedback_workers"] and r["feedback_workers"] > 1:
            add(
                f"feedback speed-up on {r['feedback_workers']} workers over 1 at {label}",
                r["ratios"]["feedback_speedup"],
                1.7,
                at_most=False,
            )
    if "710" in results:
        add("re-run after one changed file at 710, s", results["710"]["rerun_one_changed_s"], 5.0)
    for label, r in results.items():
        add(f"cache / inbox bytes at {label}", r["ratios"]["cache_over_inbox"], 2)
    for label, r in results.items():
        if r["watch_latency_s"] is not None:
            add(
                f"watch latency s at {label} (settle {r['watch_settle_s']:g} s + best cold run)",
                r["watch_latency_s"],
                r["watch_limit_s"],
            )
    for label, r in results.items():
        for name, packages in (r["checked"].get("rerun_packages") or {}).items():
            # Exactly the changed cells' packages: none missing (stale), none extra (wasted).
            out.append(
                {
                    "target": f"packages re-rendered by the re-run {name} at {label} "
                    "= the changed cells'"
                    + (" (the code changed meanwhile: see the notes)" if packages["code_changed"] else ""),
                    "value": r["rerun_packages_rendered"][name],
                    "limit": r["rerun_packages_expected"][name],
                    "met": not packages["extra"] and not packages["missing"],
                }
            )
    return out


def machine() -> dict:
    def first(path, key):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            return None

    mem = first("/proc/meminfo", "MemTotal")
    versions = {}
    for name in ("pandas", "python-calamine", "openpyxl", "weasyprint"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = None
    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
            ).stdout.strip()
            or None
        )
        # Uncommitted changes to the code measured (others may be editing the same tree).
        modified = subprocess.run(
            ["git", "status", "--porcelain", "--", "pipeline", "templates"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        modified = [line[3:] for line in modified if line.strip()]
    except OSError:
        commit, modified = None, []
    return {
        "nproc": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu_model": first("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_gb": round(int(mem.split()[0]) / 1024 / 1024, 1) if mem else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "commit": commit,
        "uncommitted": modified,
    }


def _f(v, digits=2):
    return "—" if v is None else f"{v:.{digits}f}"


def _grid(lines: list[list[str]]) -> str:
    """A Markdown table: the first row the head, the first column left-aligned."""
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    rows = [
        "| "
        + " | ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        + " |"
        for row in lines
    ]
    rows.insert(
        1,
        "|"
        + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2)) for i, w in enumerate(widths))
        + "|",
    )
    return "\n".join(rows)


def table(results: dict) -> str:
    """Two tables: the stages, then the command line as the user runs it (cold, warm, watch)."""
    f = _f
    stages = [
        [
            "size",
            "files",
            "members",
            "read",
            "valid.",
            "aggr.",
            "PDF",
            "xlsx",
            "feedback",
            "run",
            "peak MiB",
            "+readers",
            "floor",
            "naive",
            "rva/floor",
            "naive/run",
            "fb ×",
        ]
    ]
    for label, r in results.items():
        ratios = r["ratios"]
        stages.append(
            [
                label,
                str(r["files"]),
                f"{r['members']:,}",
                f(r["read_s"]),
                f(r["validate_s"]),
                f(r["aggregate_s"]),
                f(r["pdf_s"]),
                f(r["workbook_s"]),
                f(r["feedback_s"]),
                f(r["committee_run_s"]),
                f(r["peak_rss_mb"], 0),
                f(r["all_processes_peak_rss_mb"], 0),
                f(r["floor_s"]),
                f(r["naive_s"]),
                f(ratios["read_validate_aggregate_over_floor"], 1) + "×",
                f(ratios["naive_over_committee_run"], 2) + "×",
                f(ratios["feedback_speedup"], 2) + ("×" if ratios["feedback_speedup"] else ""),
            ]
        )
    commands = [
        [
            "size",
            "cold run",
            "naive/cold",
            "1st full",
            "1 changed",
            "1 no-fb",
            "10 changed",
            "10 no-fb",
            "1 chg/cold",
            "packages 1/10",
            "cold MiB",
            "warm MiB",
            "cache/inbox",
            "watch",
            "≤",
        ]
    ]
    for label, r in results.items():
        ratios = r["ratios"]
        rendered = r["rerun_packages_rendered"]
        commands.append(
            [
                label,
                " / ".join(f(v) for v in r["cold_run_s"]),
                " / ".join(f(v, 1) + "×" for v in ratios["naive_over_cold_run"]),
                f(r["rerun_first_full_s"]),
                f(r["rerun_one_changed_s"]),
                f(r["rerun_one_changed_no_feedback_s"]),
                f(r["rerun_ten_changed_s"]),
                f(r["rerun_ten_changed_no_feedback_s"]),
                f(ratios["rerun_one_changed_over_cold_run"]),
                "—"
                if not rendered
                else " / ".join(str(rendered.get(k, "—")) for k in ("one_changed", "ten_changed")),
                f(max(r["cold_run_peak_rss_mb"]), 0),
                f(r["warm_peak_rss_mb"], 0),
                f(ratios["cache_over_inbox"]),
                f(r["watch_latency_s"]),
                f(r["watch_limit_s"]),
            ]
        )
    return _grid(stages) + "\n\n" + _grid(commands)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma-separated: cells (71, 710, 7100) or thousand rows in one workbook (200k); "
        f"default {DEFAULT_SIZES}",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement; the best is kept (default 1)"
    )
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument(
        "--no-feedback", action="store_true", help="skip the per-unit feedback packages"
    )
    parser.add_argument(
        "--no-rerun",
        dest="rerun",
        action="store_false",
        help="skip the warm re-runs after resubmitted files and the watch latency",
    )
    parser.add_argument(
        "--reruns",
        choices=("all", "one"),
        default="all",
        help="all: the four warm re-runs (default); one: only the first, after one changed file, "
        "with feedback (the test suite, to keep it short)",
    )
    parser.add_argument(
        "--no-watch", dest="watch", action="store_false", help="skip the watch latency"
    )
    parser.add_argument(
        "--watch-sizes",
        default=DEFAULT_WATCH_SIZES,
        help=f"sizes whose watch latency is measured (default {DEFAULT_WATCH_SIZES})",
    )
    parser.add_argument(
        "--watch-settle",
        type=float,
        default=WATCH_SETTLE_S,
        help=f"`watch --settle` seconds (default {WATCH_SETTLE_S:g})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the committee stages; writes bench/results/profile-<size>.txt and .prof",
    )
    parser.add_argument(
        "--data", type=Path, default=BENCH / "data", help="generated inboxes (default bench/data)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="pipeline outputs (default <data>/out)"
    )
    parser.add_argument(
        "--results", type=Path, default=DEFAULT_RESULTS, help="JSON written (default %(default)s)"
    )
    # Internal: one measured process.
    parser.add_argument("--child", choices=("pipeline", "naive", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--launched-at", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scaling", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return _child(args)

    args.out = args.out or args.data / "out"
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.watch_sizes = {s.strip() for s in args.watch_sizes.split(",") if s.strip()}
    if args.rerun and args.watch and args.watch_sizes & set(labels):
        _config_has_report_date()
    from bench.generate import parse_size

    for label in labels:
        try:
            parse_size(label)
        except ValueError as exc:
            parser.error(str(exc))
    started = time.perf_counter()
    results = {}
    for label in labels:
        try:
            results[label] = measure(label, args)
        except Mismatch as exc:  # a command-line run's summary.json (the stage runs stop in the child)
            print(f"bench: FIGURES WRONG at {label}: {exc}", file=sys.stderr)
            return 3
    grown = growth(results)
    document = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "seed": args.seed,
        "repeat": args.repeat,
        "sizes": results,
        "growth_7100_vs_710": grown,
        "targets": targets(results, grown),
        "bench_wall_s": round(time.perf_counter() - started, 1),
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(results))
    if grown:
        print(
            f"growth 7100 vs 710: read+validate+aggregate {grown['read_validate_aggregate_s']}×, "
            f"committee run {grown['committee_run_s']}×"
        )
    for t in document["targets"]:
        state = "met    " if t["met"] else "NOT met"
        print(f"{state}  {t['target']}: {t['value']} (limit {t['limit']})")
    for label, r in results.items():
        for note in r["notes"]:
            print(f"note ({label}): {note}")
    print(f"written: {args.results}")
    return 0


def _child(args) -> int:
    folder = args.folder
    if args.child == "floor":
        result = child_floor(folder)
    elif args.child == "naive":
        result = child_naive(folder)
    else:
        try:
            result = child_pipeline(
                folder,
                args.out,
                args.launched_at,
                feedback=not args.no_feedback,
                profile=args.profile_to,
                scaling=args.scaling,
            )
        except Mismatch as exc:
            print(f"bench: FIGURES WRONG at {folder.name}: {exc}", file=sys.stderr)
            return 3
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
