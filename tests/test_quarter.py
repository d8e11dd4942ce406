"""The department's quarter: when files came against the deadline, the manifest of what a run saw,
what changed since the last run, and one run at a time per output folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from builders import member, sample_config, write_register, write_roster
from pipeline.app import make_report
from pipeline.cli import main
from pipeline.config import DeadlineSettings, load_config
from pipeline.errors import PipelineError
from pipeline.lock import Busy, folder_lock

HANOI = dt.timezone(dt.timedelta(hours=7))
DEADLINE = dt.date(2022, 10, 5)
REPO = Path(__file__).resolve().parents[1]


def at(day: int, hour: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, 0, tzinfo=HANOI)


@pytest.fixture
def committee(tmp_path):
    """The small committee (CB-A, CB-B under the root; CB-H1, CB-H2 under DB-H), an empty inbox."""
    write_register(tmp_path / "units.xlsx")
    (tmp_path / "inbox").mkdir()
    return tmp_path


def build(base: Path, now: dt.datetime, **over):
    config = sample_config(admitting_body="Ban Thường vụ Đảng ủy Khối", report_date=dt.date(2022, 10, 27),
                           deadlines=DeadlineSettings(dates=(("2022-Q3", DEADLINE),)))
    args = dict(inbox=base / "inbox", units=base / "units.xlsx", quarter=3, out=base / "out", config=config,
                now=now, feedback=False, workers=1)
    args.update(over)
    return make_report(**args)


def units(run) -> dict[str, dict]:
    return {u["code"]: u for u in json.loads(run.summary.read_text(encoding="utf-8"))["units"]}


def roster(base: Path, code: str, people: int, name: str | None = None, **kw) -> Path:
    start = {"CB-A": 1, "CB-B": 20, "CB-H1": 40, "CB-H2": 60}[code]
    return write_roster(base / "inbox" / (name or f"{code}_2022-Q3.xlsx"), code,
                        [member(f"Nguyễn Văn Thử {chr(65 + i)}", 1990 + i, n=start + i) for i in range(people)], **kw)


# ---------- deadlines ----------

def test_files_first_seen_before_on_and_after_the_deadline_are_on_time_on_time_and_late(committee):
    roster(committee, "CB-A", 2)
    first = build(committee, at(3, 9))
    assert units(first)["CB-B"]["timeliness"] == "awaiting"        # not due yet: not "missing"
    roster(committee, "CB-H1", 1)
    build(committee, at(5, 22))                                      # on the deadline's day, late evening
    roster(committee, "CB-H2", 3)
    run = build(committee, at(8, 10))                                # three days after
    u = units(run)
    assert (u["CB-A"]["timeliness"], u["CB-A"]["days_late"]) == ("on_time", None)
    assert u["CB-A"]["submitted_at"] == "2022-10-03T09:00:00+07:00"
    assert (u["CB-H1"]["timeliness"], u["CB-H2"]["timeliness"], u["CB-H2"]["days_late"]) == ("on_time", "late", 3)
    assert u["CB-B"]["timeliness"] == "missing"                      # nothing came, the deadline has passed
    # rates at every level: the root over 4 cells, DB-H over its 2
    assert (u["DB-T"]["cells_on_time"], u["DB-T"]["cells_late"]) == (2, 1)
    assert (u["DB-T"]["completeness_rate"], u["DB-T"]["on_time_rate"]) == (0.75, 0.5)
    assert (u["DB-H"]["completeness_rate"], u["DB-H"]["on_time_rate"]) == (1.0, 0.5)
    assert (u["CB-A"]["completeness_rate"], u["CB-B"]["completeness_rate"]) == (1.0, 0.0)
    summary = json.loads(run.summary.read_text(encoding="utf-8"))
    assert summary["deadline"]["date"] == "2022-10-05"
    cov = summary["coverage"]
    assert (cov["on_time"], cov["late"], cov["completeness_rate"], cov["on_time_rate"]) == (2, 1, 0.75, 0.5)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(run.pdf).pages)
    assert "Hạn gửi danh sách quý III năm 2022 là ngày 05/10/2022" in text
    assert "02 chi bộ gửi đúng hạn (đạt 50,0% số chi bộ phải gửi), 01 chi bộ gửi muộn: Chi bộ Đội Cảnh sát (3 ngày)" in text


def test_a_correction_after_the_deadline_keeps_an_on_time_cell_on_time_and_a_late_fix_is_late(committee):
    roster(committee, "CB-A", 2)
    (committee / "inbox" / "CB-B_2022-Q3.xlsx").write_bytes(b"not a workbook")   # on time, but unusable
    first = build(committee, at(4, 9))
    assert units(first)["CB-B"]["timeliness"] == "rejected"
    roster(committee, "CB-A", 3, name="CB-A_2022-Q3_sua.xlsx", created=dt.date(2022, 10, 9))
    roster(committee, "CB-B", 1)
    u = units(build(committee, at(9, 8)))
    assert (u["CB-A"]["timeliness"], u["CB-A"]["members"]) == ("on_time", 3)
    assert (u["CB-B"]["timeliness"], u["CB-B"]["days_late"]) == ("late", 4)


def test_without_a_deadline_nothing_is_called_late(committee):
    roster(committee, "CB-A", 1)
    run = build(committee, at(20, 9), config=sample_config(admitting_body="Ban Thường vụ Đảng ủy Khối"))
    u = units(run)
    assert (u["CB-A"]["timeliness"], u["CB-B"]["timeliness"]) == ("received", "missing")
    summary = json.loads(run.summary.read_text(encoding="utf-8"))
    assert summary["deadline"]["date"] is None and summary["coverage"]["on_time_rate"] is None
    assert "Hạn gửi" not in " ".join(page.extract_text() for page in PdfReader(run.pdf).pages)


def test_the_deadlines_section_is_read_and_its_mistakes_are_said(tmp_path):
    path = tmp_path / "pipeline.toml"
    path.write_text('[deadlines]\ndays_after_quarter = 5\n"2022-Q4" = "10/01/2023"\n', encoding="utf-8")
    deadlines = load_config(path).deadlines
    from pipeline.period import Period
    assert deadlines.for_period(Period(2022, 3))[0] == dt.date(2022, 10, 5)
    assert deadlines.for_period(Period(2022, 4))[0] == dt.date(2023, 1, 10)
    for text, words in (('days_after_quarter = "năm"', "phải là số ngày"),
                        ('"quy 3" = "05/10/2022"', "khóa không biết: quy 3"),
                        ('"2022-Q3" = "31/09/2022"', "phải là một ngày"),
                        ('"2022-Q3" = "15/09/2022"', "chưa sau ngày cuối quý")):
        path.write_text(f"[deadlines]\n{text}\n", encoding="utf-8")
        with pytest.raises(PipelineError, match=words):
            load_config(path)


# ---------- the manifest ----------

def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_the_manifest_lists_every_file_with_its_status_and_why_and_the_inbox_is_not_touched(committee):
    inbox = committee / "inbox"
    roster(committee, "CB-A", 2, name="CB-A_cu.xlsx", created=dt.date(2022, 10, 1))
    roster(committee, "CB-A", 2, created=dt.date(2022, 10, 3))
    roster(committee, "CB-B", 1, name="CB-B_2022-Q2.xlsx", quarter=2)
    (inbox / "CB-H1_2022-Q3.xlsx").write_bytes(b"PK\x03\x04 broken")
    (inbox / "~$CB-A_2022-Q3.xlsx").write_bytes(b"lock")
    (inbox / "CB-H2_2022-Q3.xlsx.part").write_bytes(b"half")
    (inbox / ".hidden.xlsx").write_bytes(b"x")
    before = snapshot(inbox)
    run = build(committee, at(4, 9))
    assert snapshot(inbox) == before                               # only read
    listing = json.loads(run.manifest.read_text(encoding="utf-8"))
    files = {f["file"]: f for f in listing["files"]}
    assert set(files) == {p.name for p in inbox.iterdir()}          # every file, none dropped
    status = {name: f["status"] for name, f in files.items()}
    assert status == {"CB-A_2022-Q3.xlsx": "accepted", "CB-A_cu.xlsx": "superseded",
                      "CB-B_2022-Q2.xlsx": "other_period", "CB-H1_2022-Q3.xlsx": "rejected",
                      "~$CB-A_2022-Q3.xlsx": "ignored", "CB-H2_2022-Q3.xlsx.part": "ignored",
                      ".hidden.xlsx": "ignored"}
    assert files["CB-A_2022-Q3.xlsx"]["reason"] is None
    assert "CB-A_2022-Q3.xlsx" in files["CB-A_cu.xlsx"]["reason"]
    assert "quý II năm 2022" in files["CB-B_2022-Q2.xlsx"]["reason"]
    assert files["CB-H1_2022-Q3.xlsx"]["reason"] and files["CB-H1_2022-Q3.xlsx"]["errors"] >= 1
    assert "khóa" in files["~$CB-A_2022-Q3.xlsx"]["reason"]
    accepted = files["CB-A_2022-Q3.xlsx"]
    raw = (inbox / "CB-A_2022-Q3.xlsx").read_bytes()
    assert (accepted["sha256"], accepted["size"]) == (hashlib.sha256(raw).hexdigest(), len(raw))
    assert (accepted["unit"], accepted["period"], accepted["first_seen"]) == ("CB-A", "2022-Q3", at(4, 9).isoformat())
    assert listing["program"]["name"] == "pipeline" and len(listing["config_sha256"]) == 64
    assert listing["changes"] == [] and listing["previous_run"] is None

    again = json.loads(build(committee, at(6, 9)).manifest.read_text(encoding="utf-8"))
    assert again["previous_run"] == at(4, 9).isoformat()
    for name in ("generated_at", "previous_run"):
        again.pop(name), listing.pop(name)
    assert again == listing                                         # the same inbox, the same manifest


def test_a_resubmission_says_what_changed_because_of_which_file(committee, capsys):
    roster(committee, "CB-A", 2)
    roster(committee, "CB-B", 2)
    build(committee, at(3, 9))
    roster(committee, "CB-B", 3, created=dt.date(2022, 10, 4))        # sent again: one member more
    (committee / "inbox" / "CB-A_2022-Q3.xlsx").unlink()               # and one taken back
    run = build(committee, at(4, 14))
    texts = {c["unit"]: c["text"] for c in run.changes}
    assert texts == {"CB-B": "CB-B: 2 → 3 đảng viên, tệp CB-B_2022-Q3.xlsx gửi lại lúc 14:00 04/10/2022",
                     "CB-A": "CB-A: đã nhận → chưa gửi, 2 → 0 đảng viên, tệp CB-A_2022-Q3.xlsx không còn "
                             "trong thư mục nhận"}
    listing = json.loads(run.manifest.read_text(encoding="utf-8"))
    assert [c["text"] for c in listing["changes"]] == [c["text"] for c in run.changes]
    history = [json.loads(line) for line in (run.folder / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [h["totals"]["members"] for h in history] == [4, 3]
    assert history[0]["changes"] == [] and sorted(history[1]["changes"]) == sorted(texts.values())

    roster(committee, "CB-H1", 1)
    config = committee / "pipeline.toml"
    config.write_text((REPO / "input_samples" / "pipeline.toml").read_text(encoding="utf-8")
                      .replace('admitting_body = ""', 'admitting_body = "Ban Thường vụ Đảng ủy Khối"'), encoding="utf-8")
    shutil.copytree(REPO / "input_samples" / "loi-van", committee / "loi-van")   # the narrative beside it
    code = main(["report", "--quarter", "3", "--inbox", str(committee / "inbox"), "--units", str(committee / "units.xlsx"),
                 "--out", str(committee / "out"), "--config", str(config), "--no-feedback", "--workers", "1"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Thay đổi so với lần chạy trước (01 chi bộ):" in printed or "Thay đổi so với lần chạy trước (1 chi bộ):" in printed
    assert "CB-H1: chưa gửi → đã nhận, 1 đảng viên, tệp CB-H1_2022-Q3.xlsx gửi lúc" in printed


# ---------- one run at a time ----------

def test_two_reports_on_one_output_folder_never_interleave(committee):
    roster(committee, "CB-A", 2)
    roster(committee, "CB-B", 1)
    config = committee / "pipeline.toml"
    config.write_text((REPO / "input_samples" / "pipeline.toml").read_text(encoding="utf-8")
                      .replace('admitting_body = ""', 'admitting_body = "Ban Thường vụ Đảng ủy Khối"'), encoding="utf-8")
    shutil.copytree(REPO / "input_samples" / "loi-van", committee / "loi-van")   # the narrative beside it
    out = committee / "out"
    command = [sys.executable, "-m", "pipeline", "report", "--quarter", "3", "--inbox", str(committee / "inbox"),
               "--units", str(committee / "units.xlsx"), "--out", str(out), "--config", str(config),
               "--workers", "1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    logs = [committee / f"run{i}.err" for i in (1, 2)]
    with folder_lock(out, "kiểm thử"):                    # held: both runs must wait for it, then for each other
        runs = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
                for log in logs]
        deadline = time.monotonic() + 120
        while not all("Đang đợi" in log.read_text(encoding="utf-8") for log in logs):
            assert time.monotonic() < deadline, [log.read_text(encoding="utf-8") for log in logs]
            assert all(r.poll() is None for r in runs), "a run did not wait for the lock"
            time.sleep(0.2)
        assert "lệnh kiểm thử" in logs[0].read_text(encoding="utf-8")       # says who holds it
        refused = subprocess.run(command + ["--no-wait"], cwd=REPO, env=env, capture_output=True, text=True)
        assert refused.returncode == 5 and "đang được dùng" in refused.stderr
    assert [r.wait(timeout=300) for r in runs] == [0, 0]
    history = [json.loads(line) for line in (out / "2022-Q3" / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(history) == 2
    spans = sorted((dt.datetime.fromisoformat(h["started"]), dt.datetime.fromisoformat(h["finished"])) for h in history)
    assert spans[0][1] <= spans[1][0]                       # the second started writing after the first finished
    assert json.loads((out / "2022-Q3" / "summary.json").read_text(encoding="utf-8"))["totals"]["members"] == 3


def test_no_wait_refuses_at_once_in_the_library_too(committee):
    roster(committee, "CB-A", 1)
    with folder_lock(committee / "out", "kiểm thử"), pytest.raises(Busy, match="đang được dùng bởi lệnh kiểm thử"):
        build(committee, at(3, 9), wait=False)


def test_an_output_folder_inside_the_inbox_is_refused_before_anything_is_written(committee):
    roster(committee, "CB-A", 1)
    before = snapshot(committee / "inbox")
    with pytest.raises(PipelineError, match="lồng vào nhau"):
        build(committee, at(3, 9), out=committee / "inbox" / "ket-qua")
    assert snapshot(committee / "inbox") == before and not (committee / "inbox" / "ket-qua").exists()
