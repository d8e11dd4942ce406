"""What the outputs keep safe: citizen IDs masked outside the cell's own package, outputs readable
only by their owner (or the department's group), and a quarter's outputs replaced as one set — a
run killed at any moment leaves the previous complete report or the new one, never a mix."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from builders import REPO, cccd, member, sample_config, write_register, write_roster
from pipeline import delivery
from pipeline.app import make_report
from pipeline.files import recover, staging_for, switch
from pipeline.privacy import mask

ADMITTING = "Ban Thường vụ Đảng ủy Khối"


@pytest.fixture
def committee(tmp_path):
    write_register(tmp_path / "units.xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return tmp_path


def build(base: Path, **over):
    args = dict(inbox=base / "inbox", units=base / "units.xlsx", quarter=3, out=base / "out",
                config=sample_config(admitting_body=ADMITTING), report_date=dt.date(2022, 10, 27), workers=1)
    args.update(over)
    return make_report(**args)


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return " ".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        return " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                        if v is not None)
    return path.read_text(encoding="utf-8", errors="replace")


# ---------- citizen IDs ----------

def test_masking_keeps_the_first_four_and_last_two_digits_of_a_citizen_id_and_leaves_other_numbers():
    assert mask('Số CCCD "001090123445" không khớp') == 'Số CCCD "0010******45" không khớp'
    assert mask("CMND 049123456") == "CMND 049****56"
    assert mask("2022-10-27, dòng 12, 1.098 đảng viên, mã 0010901234456") == \
        "2022-10-27, dòng 12, 1.098 đảng viên, mã 0010901234456"   # a date, a row, 13 digits: not an ID
    assert mask(None) is None and mask(12) == 12


def test_a_citizen_id_is_in_full_only_in_the_cells_own_package(committee):
    wrong = cccd(7, gender="Nữ", born=1990)   # the ID says a woman; the row says a man
    write_roster(committee / "inbox" / "CB-A_2022-Q3.xlsx", "CB-A",
                 [member("Nguyễn Văn An", 1990, n=1, **{"Số CCCD": wrong})])
    write_roster(committee / "inbox" / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1985, n=3)])
    run = build(committee)
    summary = json.loads(run.summary.read_text(encoding="utf-8"))
    flagged = [i for i in summary["issues"] if i["unit"] == "CB-A" and i["value"] and "*" in i["value"]]
    assert flagged and flagged[0]["value"] == mask(wrong) and mask(wrong) != wrong
    everywhere = [run.summary, run.pdf, run.workbook, run.manifest, run.page]
    for path in everywhere:
        assert wrong not in text_of(path), path.name
    own = sorted((run.folder / "units" / "CB-A").glob("*.pdf")) + sorted((run.folder / "units" / "CB-A").glob("*.xlsx"))
    assert any(wrong in text_of(path) for path in own)       # the clerk must find the row


# ---------- who may read ----------

def modes(root: Path) -> set[tuple[str, int]]:
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode)) for p in [root, *root.rglob("*")]}


def test_outputs_are_the_owners_alone_unless_the_configuration_shares_them_with_the_group(committee):
    write_roster(committee / "inbox" / "CB-A_2022-Q3.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    out = committee / "out"
    out.mkdir(mode=0o755)
    delivery.Ledger(out / delivery.LEDGER_NAME).close()        # a ledger an earlier send made
    os.chmod(out / delivery.LEDGER_NAME, 0o644)
    previous = os.umask(0o022)                                  # the usual umask: 0644 files otherwise
    try:
        run = build(committee)
        assert modes(run.folder) == {("dir", 0o700), ("file", 0o600)}
        assert stat.S_IMODE((out / delivery.LEDGER_NAME).stat().st_mode) == 0o600
        assert stat.S_IMODE((out / "arrivals.sqlite").stat().st_mode) == 0o600
        shared = build(committee, config=sample_config(admitting_body=ADMITTING, output_access="group"))
        assert modes(shared.folder) == {("dir", 0o770), ("file", 0o660)}
        assert os.umask(0o022) == 0o022                         # the process's umask is given back
    finally:
        os.umask(previous)


# ---------- one set at a time ----------

def test_switching_sets_leaves_one_complete_set_and_recovery_undoes_a_half_switch(tmp_path):
    live = tmp_path / "2022-Q3"
    live.mkdir()
    (live / "summary.json").write_text("old", encoding="utf-8")
    staging = staging_for(live)
    staging.mkdir()
    (staging / "summary.json").write_text("new", encoding="utf-8")
    switch(staging, live)
    assert (live / "summary.json").read_text(encoding="utf-8") == "new" and not staging.exists()
    # killed between the two renames of the fallback: the old set is put back
    retired = live.with_name(".2022-Q3.old")
    os.rename(live, retired)
    staging.mkdir()
    (staging / "summary.json").write_text("half", encoding="utf-8")
    recover(live)
    assert (live / "summary.json").read_text(encoding="utf-8") == "new"
    assert not retired.exists() and not staging.exists()


def complete(folder: Path) -> int:
    """The members figure of the complete report in `folder`; fails on a torn one."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    listing = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    members = summary["totals"]["members"]
    assert listing["generated_at"] == summary["generated_at"]            # written by the same run
    [pdf] = folder.glob("bao-cao-*.pdf")
    assert re.search(rf"(có|với) {members} đảng viên", " ".join(PdfReader(pdf).pages[0].extract_text().split()))
    [book] = folder.glob("so-lieu-*.xlsx")
    assert load_workbook(book, read_only=True).sheetnames
    for unit in summary["units"]:
        if unit["type"].startswith("Chi bộ"):
            assert list((folder / "units" / unit["code"]).glob("phan-hoi-*.pdf")), unit["code"]
    history = [json.loads(line) for line in (folder / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert history[-1]["totals"]["members"] == members
    assert "index.html" in {p.name for p in folder.iterdir()}
    return members


def test_a_run_killed_at_any_moment_leaves_the_previous_report_or_the_new_one(committee):
    inbox, out = committee / "inbox", committee / "out"
    config = committee / "pipeline.toml"
    config.write_text((REPO / "input_samples" / "pipeline.toml").read_text(encoding="utf-8")
                      .replace('admitting_body = ""', f'admitting_body = "{ADMITTING}"'), encoding="utf-8")
    shutil.copytree(REPO / "input_samples" / "loi-van", committee / "loi-van")   # the narrative beside it
    command = [sys.executable, "-m", "pipeline", "report", "--quarter", "3", "--inbox", str(inbox), "--units",
               str(committee / "units.xlsx"), "--out", str(out), "--config", str(config), "--workers", "1",
               "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    write_roster(inbox / "CB-H1_2022-Q3.xlsx", "CB-H1", [member("Phạm Văn Đức", 1985, n=4)])
    assert subprocess.run(command, cwd=REPO, env=env, capture_output=True).returncode == 0
    folder = out / "2022-Q3"
    assert complete(folder) == 2
    full, kills, chance = None, 0, random.Random(2022)
    for attempt in range(8):
        one_more = attempt % 2 == 0               # the runs alternate: CB-B with one member, then two
        people = [member("Trần Văn Bảo", 1985, n=3)] + ([] if one_more else [member("Lê Thị Duyên", 1990, "Nữ", n=5)])
        write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", people)
        before, new = complete(folder), 2 + len(people)
        started = time.monotonic()
        run = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if full is None:                          # the first run is timed whole, to aim the kills inside one
            assert run.wait(timeout=300) == 0
            full = time.monotonic() - started
        else:
            time.sleep(chance.uniform(0.2, full))
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=60)
            kills += run.returncode == -signal.SIGKILL
        assert complete(folder) in {before, new}  # never torn: the complete old set or the complete new one
    assert kills >= 4
    (inbox / "CB-B_2022-Q3.xlsx").unlink()
    last = subprocess.run(command + ["--debug"], cwd=REPO, env=env, capture_output=True, text=True)
    assert last.returncode == 0, last.stderr
    assert complete(folder) == 2 and not (out / ".2022-Q3.new").exists()   # the next run cleans up
