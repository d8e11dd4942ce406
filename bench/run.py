"""The benchmark: the pipeline's stages against the naive read and the bare-read floor, per size.

    python -m bench.run [--sizes 71,710,7100,200k] [--repeat 1] [--no-feedback] [--no-rerun]
                        [--profile]

For each size the inbox comes from `bench.generate` (cached under bench/data/<size>/), then three
fresh processes run on the same files, one after another:

- **pipeline**: the stages as `python -m pipeline report` runs them, each timed apart — start-up
  (interpreter and imports), register, reading (`read_inbox`: every file read, matched, and its
  rows typed by `rules.prepare` in the reading workers), validation (`intake.select` +
  `rules.validate`: the accepted rows against the period and each other), aggregation (the rest of `build_report`: statuses, figures up the tree,
  appendices), the committee PDF (WeasyPrint's import apart), the Excel workbook, summary.json,
  and the per-unit feedback packages (`write_feedback`); peak RSS from `getrusage`. The report's
  figures are checked against the counts the generator planted: a mismatch stops the bench.
- **naive**: `pandas.read_excel(f, sheet_name=None, engine="openpyxl")` on every file, in turn.
- **floor**: `python_calamine.CalamineWorkbook.from_path(f)`, every sheet `.to_python()`.

`build_report` runs validation and aggregation in one call; the bench times them apart by
wrapping `pipeline.intake.select` and `pipeline.build.validate` while it runs (aggregation = the
call minus those). Should build.py stop calling them by those names, validation is reported as
null and aggregation holds both (the table says so).

Results go to bench/results/latest.json and a table on stdout. Timings are best of `--repeat`
runs; peak RSS the largest. Ratios are taken inside one run, never against another machine's.
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
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_RESULTS = BENCH / "results" / "latest.json"
DEFAULT_SIZES = "71,710,7100,200k"
REPORT_DATE = dt.date(2022, 10, 27)

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
    "rerun_one_changed_s",
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
    rerun: bool,
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
    config = replace(load_config(Path(__file__).resolve().parents[1] / "input_samples" / "pipeline.toml"),
                     report_date=REPORT_DATE)
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

    peak = _rss_mb()  # before the re-run, which holds a second report beside the first
    rerun_s = None
    if rerun:
        rerun_s = _rerun_one_changed(folder, out, register, config, feedback)
    return {
        "seconds": seconds,
        "rss_mb_after": rss,
        "peak_rss_mb": peak,
        "readers": readers,
        "readers_peak_rss_mb": readers_rss,
        "checked": checked,
        "files": len(submissions),
        "feedback_workers": workers,
        "rerun_one_changed_s": rerun_s,
        "notes": notes,
    }


def _rerun_one_changed(folder: Path, out: Path, register, config, feedback: bool) -> float:
    """A second full run after one cell resubmits (its `Người lập` changed), into the same output:
    what an incremental rebuild should make cheap. The cached inbox is left as it is: the new
    inbox links every other file."""
    from openpyxl import load_workbook

    from pipeline.build import build_report
    from pipeline.intake import choose_period
    from pipeline.reading import read_inbox
    from pipeline.outputs import pdf_name, workbook_name, write_summary, write_workbook
    from pipeline.render.committee import committee_context, write_committee_pdf
    from pipeline.render.word import docx_name, write_committee_docx

    files = inbox_files(folder)
    changed = files[len(files) // 2]
    inbox = out / "rerun-inbox"
    inbox.mkdir()
    for f in files:
        if f != changed:
            (inbox / f.name).symlink_to(f)
    book = load_workbook(changed)
    book["Thông tin"]["B6"] = "Người lập đã sửa"
    book.save(inbox / changed.name)
    started = time.perf_counter()
    read = read_inbox(inbox, register)
    report = build_report(register, read.submissions, choose_period(read.submissions, None, 3), config,
                          dt.date.today(), prepared=read.prepared)
    target = out / "2022-Q3"
    write_committee_pdf(report, target / pdf_name(report))
    write_committee_docx(committee_context(report), target / docx_name(report))
    write_workbook(report, target / workbook_name(report))
    write_summary(report, target)
    if feedback:
        run_feedback(report, target, _feedback_workers())
    seconds = time.perf_counter() - started
    log(f"  rerun      {seconds:8.2f} s   (one file changed: {changed.name})")
    return seconds


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
        rerun = args.rerun and n == 0 and not size.single  # one changed file of many
        runs.append(
            _spawn(
                "pipeline",
                folder,
                extra
                + (["--rerun-child"] if rerun else [])
                + (["--profile-to", str(profile)] if profile else []),
            )
        )
    run = _best(runs)
    naive = min((_spawn("naive", folder) for _ in range(args.repeat)), key=lambda r: r["seconds"])
    log(f"  naive      {naive['seconds']:8.2f} s")

    s = run["seconds"]
    rva = s["read_s"] + (s["validate_s"] or 0) + s["aggregate_s"]
    committee = sum(s[k] or 0 for k in COMMITTEE_STAGES)
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
        "rerun_one_changed_s": _round(runs[0]["rerun_one_changed_s"]),
        "generate_s": _round(generate_s),
        "checked": run["checked"],
        "notes": run["notes"],
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
        add(
            "naive / committee run at 7100",
            results["7100"]["ratios"]["naive_over_committee_run"],
            8,
            at_most=False,
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


def table(results: dict) -> str:
    def f(v, digits=2):
        return "—" if v is None else f"{v:.{digits}f}"

    head = [
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
    lines = [head]
    for label, r in results.items():
        ratios = r["ratios"]
        lines.append(
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
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
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
        help="skip the second full run after one file changes (incremental rebuilds)",
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
    parser.add_argument("--rerun-child", action="store_true", help=argparse.SUPPRESS)
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
    from bench.generate import parse_size

    for label in labels:
        try:
            parse_size(label)
        except ValueError as exc:
            parser.error(str(exc))
    started = time.perf_counter()
    results = {}
    for label in labels:
        results[label] = measure(label, args)
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
                rerun=args.rerun_child,
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
