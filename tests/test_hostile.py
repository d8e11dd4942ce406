"""A hostile inbox (`tests/data/hostile/`, made by `tests/data/make_hostile.py`) read in one report
beside the samples: the run finishes, costs little, refuses every hostile file with a reason in
Vietnamese, reads the one roster whose text cells carry payloads as text, leaves the samples'
figures as they were, writes nothing outside its output folder and copies nothing of the
machine's own files into its outputs.

The report runs as `python -m pipeline report` (feedback packages on, two workers) in a child
process, once over the samples alone and once with the hostile files, so its time and memory can
be measured: the largest resident set of the process and the reading
workers it waits for (`RUSAGE_CHILDREN`), and, sampled from /proc, the resident memory of its
whole process tree at once (the feedback workers, which a forkserver starts, are not the report's
children). The samples' own figures come from a report of the samples alone, never typed here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.reading import load_inbox
from pipeline.register import read_register
from pipeline.rulebook import RULES

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "data" / "hostile"
SAMPLES = REPO / "input_samples"
EXPECTED = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))
PAYLOAD = EXPECTED.pop("_payload")
HOSTILE_FILES = sorted(EXPECTED)
MB = 1024 * 1024
FIGURES = ("members", "probationary", "admitted_quarter", "admitted_ytd", "recognized_quarter", "candidates",
           "candidates_certified", "overdue", "cells_expected", "cells_submitted", "cells_accepted", "status")
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủứừửữựỳỷỹý]")
# What a parser's own message looks like: none of it may reach a clerk.
PARSER_WORDS = re.compile(r"Error|error:|unrecognized|undefined entity|Traceback|not well-formed|BadZip|line \d+, column",
                          re.IGNORECASE)

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc (Linux)")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and every process below it, now."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            pass
    return total


def _run_measured(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, int, int]:
    """Run `python -m pipeline …args` in a wrapper child that reports its children's peak
    (RUSAGE_CHILDREN) → (result, that peak, the sampled peak of the whole process tree), bytes."""
    wrapper = ("import resource, subprocess, sys\n"
               "done = subprocess.run([sys.executable, '-m', 'pipeline', *sys.argv[1:]])\n"
               "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, file=sys.stderr)\n"
               "sys.exit(done.returncode)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", wrapper, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sampled = [0]

    def sample() -> None:
        while proc.poll() is None:
            sampled[0] = max(sampled[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        out, err = proc.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the report over the hostile inbox did not finish in 15 minutes\n{err[-3000:]}")
    watcher.join()
    peak = int(next(line.split()[1] for line in err.splitlines() if line.startswith("PEAK ")))
    return subprocess.CompletedProcess(args, proc.returncode, out, err), peak, sampled[0]


def _snapshot(root: Path, skip: Path) -> dict[str, tuple]:
    """Every file and folder under `root` but `skip`: kind, size and content digest."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path == skip or skip in path.parents:
            continue
        rel = str(path.relative_to(root))
        if path.is_dir():
            found[rel] = ("dir",)
        else:
            found[rel] = ("file", path.stat().st_size, path.stat().st_mtime_ns,
                          hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def _report(inbox: Path, out: Path, cwd: Path) -> dict:
    started = time.monotonic()
    result, peak, tree_peak = _run_measured(
        ["report", "--quarter", "3", "--inbox", str(inbox), "--units", str(SAMPLES / "units.xlsx"),
         "--config", str(SAMPLES / "pipeline.toml"), "--out", str(out), "--workers", "2", "--quiet"], cwd)
    folder = out / "2022-Q3"
    read = lambda name: json.loads((folder / name).read_text(encoding="utf-8")) if folder.is_dir() else None  # noqa: E731
    return {"result": result, "peak": peak, "tree_peak": tree_peak, "seconds": time.monotonic() - started,
            "folder": folder, "summary": read("summary.json"), "manifest": read("manifest.json")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The samples' report on its own (their figures, time and memory), then the same report over
    the samples and the hostile files together."""
    base = tmp_path_factory.mktemp("samples")
    alone = _report(SAMPLES / "inbox", base / "out", base)
    work = tmp_path_factory.mktemp("hostile")
    inbox = work / "hop thu"
    shutil.copytree(SAMPLES / "inbox", inbox)
    for name in HOSTILE_FILES:
        shutil.copy2(HOSTILE / "inbox" / name, inbox / name)
    out = work / "ket qua"
    before = _snapshot(work, out)
    mixed = _report(inbox, out, work)
    return {**mixed, "alone": alone, "work": work, "inbox": inbox, "out": out, "before": before,
            "after": _snapshot(work, out)}


def test_the_run_finishes_with_a_report(runs):
    result = runs["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert (runs["folder"] / "summary.json").is_file()
    assert any(runs["folder"].glob("*.pdf"))


@pytest.mark.parametrize("name", [n for n in HOSTILE_FILES if EXPECTED[n]["status"] == "rejected"])
def test_every_hostile_file_is_refused_with_its_reason_in_vietnamese(runs, name):
    listed = {f["file"]: f for f in runs["manifest"]["files"]}
    entry = listed[name]
    assert entry["status"] == "rejected", entry
    reason = entry["reason"]
    assert VIETNAMESE.search(reason) and not PARSER_WORDS.search(reason), reason
    rules = {i["rule"] for i in runs["summary"]["issues"] if i["file"] == name}
    assert EXPECTED[name]["rule"] in rules, (name, rules)
    for issue in (i for i in runs["summary"]["issues"] if i["file"] == name):
        assert VIETNAMESE.search(issue["message"]) and not PARSER_WORDS.search(issue["message"]), issue


def test_a_file_over_a_limit_names_the_limit(runs):
    reasons = {f["file"]: f["reason"] for f in runs["manifest"]["files"]}
    assert "1.000.000 dòng một trang" in reasons["CB-PC07 qua-nhieu-dong.xlsx"]
    assert "200 cột một trang" in reasons["CB-PC09 qua-nhieu-cot.xlsx"]
    assert "20.000.000 ô" in reasons["CB-PC10 qua-nhieu-o.xlsx"]
    assert "quá giới hạn 200 lần" in reasons["CB-PC01 bom-nen.xlsx"]
    long = [i for i in runs["summary"]["issues"] if i["file"] == "chuoi-qua-dai.xlsx" and i["rule"] == "CELL_TOO_LONG"]
    assert [i["cell"] for i in long] == ["M2"] and "32.767 ký tự" in long[0]["message"]


def test_the_payload_roster_is_used_and_its_payloads_are_read_as_text(runs):
    listed = {f["file"]: f for f in runs["manifest"]["files"]}
    assert listed[PAYLOAD["file"]]["status"] == "accepted"
    sample = next((SAMPLES / "inbox").glob(f"{PAYLOAD['cell']}_*.xlsx")).name
    assert listed[sample]["status"] == "superseded"
    # What the intake owns: each payload arrives as the text it was, whitespace folded, never computed.
    register = read_register(SAMPLES / "units.xlsx")
    read = next(s for s in load_inbox(runs["inbox"], register) if s.file == PAYLOAD["file"])
    texts = {str(v) for table in (read.workbook.members, read.workbook.candidates)
             for column in table.columns.values() for v in column if isinstance(v, str)}
    folded = {" ".join(p.split()) for p in PAYLOAD["payloads"]}
    for payload in folded:
        assert any(payload in " ".join(t.split()) for t in texts), payload
    for issue in (i for i in runs["summary"]["issues"] if i["file"] == PAYLOAD["file"]):
        assert issue["rule"] in RULES and VIETNAMESE.search(issue["message"]), issue


def test_the_samples_figures_are_unchanged(runs):
    alone, mixed = runs["alone"]["summary"], runs["summary"]
    for key in ("members", "admitted_quarter", "admitted_ytd"):
        assert mixed["totals"][key] == alone["totals"][key], key
    assert mixed["totals"] == alone["totals"]
    before = {u["code"]: {k: u[k] for k in FIGURES} for u in alone["units"]}
    after = {u["code"]: {k: u[k] for k in FIGURES} for u in mixed["units"]}
    assert after == before


def test_the_hostile_files_cost_little_time(runs):
    """Refused files are refused on their look, and nothing opens them again: the run over 25 more
    files takes about as long as the samples' own (a margin for a busy machine)."""
    assert runs["seconds"] < 2 * runs["alone"]["seconds"] + 60, (runs["seconds"], runs["alone"]["seconds"])


def test_peak_memory_stays_under_1_gb(runs):
    assert runs["peak"] < 1024 * MB, f"report and reading workers peaked at {runs['peak'] // MB} MB"
    assert runs["tree_peak"] < 1024 * MB, f"the whole process tree peaked at {runs['tree_peak'] // MB} MB"


def test_nothing_is_written_outside_the_output_folder(runs):
    assert runs["after"] == runs["before"]
    outside = [p for p in runs["out"].rglob("*") if ".." in p.name or "\\" in p.name]
    assert outside == []


def _texts(path: Path):
    """The text of an output file as a reader would see it: a zip's parts unpacked, a PDF's text."""
    data = path.read_bytes()
    yield data
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                yield zf.read(name)
    if data.startswith(b"%PDF"):
        yield "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).encode()


def test_no_local_file_content_reaches_any_output(runs):
    passwd = Path("/etc/passwd")
    lines = [line for line in passwd.read_text(errors="replace").splitlines() if line.count(":") >= 6][:3] \
        if passwd.is_file() else []
    needles = [b"root:x:0:0"] + [line.encode() for line in lines]
    leaked = [(str(path.relative_to(runs["out"])), needle) for path in runs["out"].rglob("*") if path.is_file()
              for text in _texts(path) for needle in needles if needle in text]
    assert leaked == []
