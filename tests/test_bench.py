"""The benchmark at a tiny size, end to end through its real entry point, so it never rots.

Timings are never asserted (machines here are shared and noisy): only that every stage ran, the
pipeline's figures equal the counts the generator planted, and the results JSON is complete. The
command-line figures are covered at 12 cells with the shortest plan: one cold run per size, the
first warm re-run only (`--reruns one`) and the watch latency (`--watch-sizes 12`).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# 12 cells (3 chi bộ cơ sở, 2 đảng bộ cơ sở with 9 chi bộ trực thuộc); one workbook of 1,000 rows.
SIZES = ("12", "1k")
STAGE_KEYS = (
    "startup_s",
    "register_s",
    "read_s",
    "validate_s",
    "aggregate_s",
    "pdf_import_s",
    "pdf_s",
    "workbook_s",
    "summary_s",
    "feedback_s",
)
SIZE_KEYS = (
    "files",
    "members",
    *STAGE_KEYS,
    "read_validate_aggregate_s",
    "committee_run_s",
    "peak_rss_mb",
    "all_processes_peak_rss_mb",
    "naive_s",
    "floor_s",
    "cores",
    "ratios",
)
COMMAND_KEYS = (
    "cold_run_s",
    "cold_run_peak_rss_mb",
    "rerun_first_full_s",
    "rerun_one_changed_s",
    "rerun_one_changed_no_feedback_s",
    "rerun_ten_changed_s",
    "rerun_ten_changed_no_feedback_s",
    "rerun_peak_rss_mb",
    "warm_peak_rss_mb",
    "rerun_packages_rendered",
    "rerun_packages_expected",
    "inbox_bytes",
    "cache_bytes",
    "watch_settle_s",
    "watch_latency_s",
    "watch_limit_s",
)
RATIO_KEYS = (
    "read_validate_aggregate_over_floor",
    "naive_over_committee_run",
    "feedback_speedup",
    "naive_over_cold_run",
    "rerun_one_changed_over_cold_run",
    "warm_over_cold_peak_rss",
    "cache_over_inbox",
    "watch_latency_over_limit",
)
FIGURES = (
    "members",
    "probationary",
    "admitted_quarter",
    "admitted_ytd",
    "recognized_quarter",
    "candidates",
)


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """One bench run over the tiny sizes → (data folder, results JSON, the finished process)."""
    root = tmp_path_factory.mktemp("bench")
    done = bench(
        "--sizes",
        ",".join(SIZES),
        "--data",
        str(root / "data"),
        "--results",
        str(root / "latest.json"),
        "--reruns",
        "one",
        "--watch-sizes",
        "12",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "data", json.loads((root / "latest.json").read_text(encoding="utf-8")), done


def test_results_json_has_every_stage_ratio_and_the_machine(tiny):
    _, results, _ = tiny
    assert list(results["sizes"]) == list(SIZES)
    for label, entry in results["sizes"].items():
        missing = [k for k in (*SIZE_KEYS, *COMMAND_KEYS) if k not in entry]
        assert not missing, f"{label}: {missing}"
        assert not [k for k in RATIO_KEYS if k not in entry["ratios"]]
        for key in ("read_s", "validate_s", "aggregate_s", "pdf_s", "naive_s", "floor_s"):
            assert entry[key] is not None and entry[key] >= 0, (label, key)
        assert entry["peak_rss_mb"] > 0
        assert entry["all_processes_peak_rss_mb"] >= entry["peak_rss_mb"]
    assert (
        results["sizes"]["12"]["feedback"] == "ran"
        and results["sizes"]["12"]["feedback_s"] is not None
    )
    assert (
        results["sizes"]["1k"]["feedback"] == "skipped"
    )  # the single workbook: committee outputs only
    assert results["machine"]["nproc"] >= 1 and results["machine"]["cpu_model"]
    assert "growth_7100_vs_710" in results and "targets" in results


def test_the_tables_are_printed_with_one_row_per_size(tiny):
    _, _, done = tiny
    tables = [
        [line for line in block.splitlines() if line.startswith("| ")]
        for block in done.stdout.split("\n\n")
    ]
    tables = [rows for rows in tables if rows]
    assert len(tables) == 2  # the stages; the command line (cold, warm, watch)
    for rows in tables:
        assert [row.split("|")[1].strip() for row in rows] == ["size", *SIZES]


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_cold_runs_warm_rerun_and_watch_latency_are_measured(tiny):
    data, results, _ = tiny
    for label in SIZES:  # one cold command-line run at every size
        entry = results["sizes"][label]
        assert len(entry["cold_run_s"]) == 1 and _number(entry["cold_run_s"][0]), label
        assert len(entry["ratios"]["naive_over_cold_run"]) == 1, label
        assert entry["cold_run_peak_rss_mb"][0] > 0, label
        assert entry["inbox_bytes"] > 0
    small = results["sizes"]["12"]
    assert small["rerun_feedback"] == "ran"
    for key in ("rerun_first_full_s", "rerun_one_changed_s", "watch_latency_s", "watch_limit_s"):
        assert _number(small[key]) and small[key] > 0, key
    assert _number(small["ratios"]["rerun_one_changed_over_cold_run"])
    assert _number(small["ratios"]["watch_latency_over_limit"])
    assert small["watch_settle_s"] == 1.0 and small["watch_stopped"] == "exit 0 on SIGINT"
    assert small["rerun_ten_changed_s"] is None  # --reruns one
    assert small["rerun_packages_expected"] == {"one_changed": 1}
    assert isinstance(small["rerun_packages_rendered"]["one_changed"], int)
    assert small["checked"]["summaries"].startswith("equal to planted")
    assert [t for t in results["targets"] if t["target"].startswith("watch latency s at 12")]
    # The single workbook: no re-runs, and no watch unless asked.
    big = results["sizes"]["1k"]
    assert big["rerun_one_changed_s"] is None and big["watch_latency_s"] is None


def test_the_rerun_saw_its_change_and_reported_the_planted_figures(tiny):
    from openpyxl import load_workbook

    data, _, _ = tiny
    planted = json.loads((data / "12" / "planted.json").read_text(encoding="utf-8"))
    work = data / "out" / "12"
    summary = json.loads((work / "warm" / "2022-Q3" / "summary.json").read_text(encoding="utf-8"))
    for key, expected in planted["totals"].items():
        assert summary["totals"][key] == expected, key
    # One file resubmitted (a real file in place of its link), the rest still links to the data.
    inbox = sorted((work / "warm-inbox").iterdir())
    real = [p for p in inbox if not p.is_symlink()]
    assert len(real) == 1 and len(inbox) == planted["cells"]
    assert load_workbook(real[0])["Thông tin"]["B6"].value == "Người lập sửa lần 1"
    # The generated data is never written.
    for path in (data / "12" / "inbox").iterdir():
        assert "sửa" not in str(load_workbook(path)["Thông tin"]["B6"].value)


@pytest.mark.parametrize("label", SIZES)
def test_reported_figures_equal_the_planted_counts(tiny, label):
    data, results, _ = tiny
    planted = json.loads((data / label / "planted.json").read_text(encoding="utf-8"))
    summary = json.loads(
        (data / "out" / label / "2022-Q3" / "summary.json").read_text(encoding="utf-8")
    )
    for key in FIGURES:
        assert summary["totals"][key] == planted["totals"][key], key
    assert summary["totals"]["target_year"] == planted["totals"]["target_year"]
    units = {u["code"]: u for u in summary["units"]}
    for cell, figures in planted["cell_figures"].items():
        for key in ("members", "admitted_quarter", "admitted_ytd"):
            assert units[cell][key] == figures[key], (cell, key)
    assert summary["coverage"]["accepted"] == summary["coverage"]["expected"] == planted["cells"]
    reported = {(i["rule"], i["file"], i["row"], i["column"]) for i in summary["issues"]}
    for plant in planted["issues"]:
        assert (plant["rule"], plant["file"], plant["row"], plant["column"]) in reported
    assert results["sizes"][label]["checked"]["figures"] == "equal to planted"
    assert results["sizes"][label]["members"] == planted["totals"]["members"]


def test_tree_has_the_seed_shape_scaled_down(tiny):
    data, _, _ = tiny
    summary = json.loads(
        (data / "out" / "12" / "2022-Q3" / "summary.json").read_text(encoding="utf-8")
    )
    counts = {k: summary["structure"][k] for k in ("grassroots_cells", "grassroots_committees", "subordinate_cells")}
    assert counts == {"grassroots_cells": 3, "grassroots_committees": 2, "subordinate_cells": 9}


def test_a_figure_that_differs_from_the_planted_count_stops_the_bench(tiny, tmp_path):
    data, _, _ = tiny
    shutil.copytree(data / "12", tmp_path / "data" / "12")
    planted_file = tmp_path / "data" / "12" / "planted.json"
    planted = json.loads(planted_file.read_text(encoding="utf-8"))
    planted["totals"]["members"] += 1
    planted_file.write_text(json.dumps(planted), encoding="utf-8")

    done = bench(
        "--sizes",
        "12",
        "--no-feedback",
        "--data",
        str(tmp_path / "data"),
        "--results",
        str(tmp_path / "latest.json"),
    )

    assert done.returncode != 0
    assert "FIGURES WRONG" in done.stderr and "total members" in done.stderr
    assert not (tmp_path / "latest.json").exists()


def test_generated_data_is_reused_when_seed_and_size_match(tiny):
    data, results, _ = tiny
    stamp = json.loads((data / "12" / "stamp.json").read_text(encoding="utf-8"))
    assert stamp["size"] == "12" and stamp["seed"] == results["seed"]
    before = (data / "12" / "inbox").stat().st_mtime_ns
    done = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--size", "12", "--data", str(data)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "reused" in done.stdout
    assert (data / "12" / "inbox").stat().st_mtime_ns == before
