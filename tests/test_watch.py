"""Watch mode (pipeline.watch): a real `python -m pipeline watch` over a temporary inbox, files
dropped into it the way cells' files arrive, and what its log, summary.json and manifest.json say.

The committee: Đảng bộ Công an tỉnh with three chi bộ cơ sở (CB-A, CB-B, CB-C); the watch starts
with CB-A's file (2 members) in the inbox. `--settle 1` and `--no-feedback` keep each test short.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

import pytest

from builders import REPO, member, sample_config, write_register, write_roster
from pipeline import intake
from pipeline.contract import GRASSROOTS_CELL, ROOT
from pipeline.errors import PipelineError

SETTLE = 1.0
CONFIG = REPO / "input_samples" / "pipeline.toml"
REGISTER = [
    ["DB-T", "Đảng bộ Công an tỉnh", ROOT, None, None, None],
    ["CB-A", "Chi bộ Phòng Tham mưu", GRASSROOTS_CELL, "DB-T", "a@example.vn", 3],
    ["CB-B", "Chi bộ Phòng Hậu cần", GRASSROOTS_CELL, "DB-T", None, 2],
    ["CB-C", "Chi bộ Phòng Kỹ thuật", GRASSROOTS_CELL, "DB-T", None, 1],
]
A_MEMBERS = [member("Nguyễn Văn An", 1990, n=1), member("Trần Thị Bình", 1996, "Nữ", n=2)]
B_MEMBERS = [member("Lê Văn Cường", 1985, n=3), member("Phạm Thị Dung", 1988, "Nữ", n=4),
             member("Hoàng Văn Em", 1991, n=5)]
STAMP = re.compile(r"^\d\d:\d\d:\d\d ")


@pytest.fixture
def committee(tmp_path):
    write_register(tmp_path / "units.xlsx", REGISTER)
    (tmp_path / "inbox").mkdir()
    write_roster(tmp_path / "inbox" / "CB-A_2022-Q3.xlsx", "CB-A", A_MEMBERS)
    (tmp_path / "staging").mkdir()   # where files are made before they "arrive"
    return tmp_path


class Watch:
    """`python -m pipeline watch` running in the background; its stdout read line by line."""

    def __init__(self, committee: Path, *options: str):
        self.committee = committee
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "watch", "--inbox", "inbox", "--units", "units.xlsx", "--out", "out",
             "--config", str(CONFIG), "--settle", str(SETTLE), "--no-feedback", "--workers", "1", *options],
            cwd=committee, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def _next(self, timeout: float) -> str | None:
        line = self._queue.get(timeout=timeout)
        if line is None:
            self._queue.put(None)
            raise AssertionError("the watch ended:\n" + "\n".join(self.lines) + "\n" + self.proc.stderr.read())
        self.lines.append(line)
        return line

    def wait_for(self, words: str, timeout: float = 60) -> str:
        """The next line holding `words` (the lines before it are kept in self.lines)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._next(left)
            except queue.Empty:
                break
            if words in line:
                return line
        raise AssertionError(f"no line with {words!r} within {timeout} s:\n" + "\n".join(self.lines))

    def quiet_for(self, seconds: float) -> list[str]:
        """The lines that come within `seconds`."""
        start, deadline = len(self.lines), time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            with suppress(queue.Empty):
                self._next(min(left, 0.2))
        return self.lines[start:]

    def stop(self, how=signal.SIGINT) -> int:
        self.proc.send_signal(how)
        code = self.proc.wait(timeout=60)
        while (line := self._queue.get(timeout=10)) is not None:
            self.lines.append(line)
        return code

    def watching(self) -> list[str]:
        """The lines since the watch began to watch (after its first build)."""
        ready = next(i for i, line in enumerate(self.lines) if "Đang theo dõi" in line)
        return self.lines[ready + 1:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def watches():
    started: list[Watch] = []
    yield started
    for w in started:
        w.kill()
        print(f"--- {' '.join(w.proc.args[3:])}", *w.lines, sep="\n")   # shown when the test fails


def summary(committee: Path) -> dict:
    return json.loads((committee / "out" / "2022-Q3" / "summary.json").read_text(encoding="utf-8"))


def rebuilds(lines: list[str]) -> list[str]:
    return [line for line in lines if " Làm lại báo cáo " in line]


def copy_slowly(source: Path, target: Path, chunks: int = 5, pause: float = 0.3) -> None:
    """Write `source`'s bytes into `target` in pieces, as a slow copy over a network share does."""
    data = source.read_bytes()
    size = -(-len(data) // chunks)
    with open(target, "wb") as out:
        for i in range(0, len(data), size):
            out.write(data[i:i + size])
            out.flush()   # the size and time change at each piece, as the watch sees them
            time.sleep(pause)


def test_each_settled_change_rebuilds_the_report_once_and_the_watch_survives_a_broken_file(committee, watches):
    inbox, staging = committee / "inbox", committee / "staging"
    watch = Watch(committee, "--poll")
    watches.append(watch)
    assert "Làm báo cáo quý III năm 2022: 2 đảng viên, 1/3 chi bộ" in watch.wait_for("báo cáo quý III năm 2022")
    watch.wait_for("Đang theo dõi")

    # CB-B's clerk has the file open in Excel (its lock file comes first), and it is copied slowly:
    # five pieces, each pause shorter than the settle time. One rebuild, with the whole file.
    (inbox / "~$CB-B_2022-Q3.xlsx").write_bytes(b"\x0bLe Thi Thu")
    write_roster(staging / "CB-B.xlsx", "CB-B", B_MEMBERS)
    copy_slowly(staging / "CB-B.xlsx", inbox / "CB-B_2022-Q3.xlsx")
    (inbox / "~$CB-B_2022-Q3.xlsx").write_bytes(b"\x0bLe Thi Thu again")
    line = watch.wait_for("Làm lại báo cáo")
    assert "Làm lại báo cáo quý III năm 2022: 5 đảng viên, 2/3 chi bộ (" in line and line.endswith(" giây)")
    watch.quiet_for(2 * SETTLE)
    after_copy = watch.watching()
    assert len(rebuilds(after_copy)) == 1
    said = [line[len("09:12:03 "):] for line in after_copy if "CB-B_2022-Q3.xlsx" in line]
    assert said[:3] == ["Bỏ qua ~$CB-B_2022-Q3.xlsx (tệp khóa của Office)",   # once, though written twice
                        "Tệp mới: CB-B_2022-Q3.xlsx",                          # once, though written in five pieces
                        "  CB-B_2022-Q3.xlsx (CB-B): Được dùng, 0 lỗi, 0 cảnh báo"]
    assert said[3].startswith("  CB-B: chưa gửi → đã nhận, 3 đảng viên, tệp CB-B_2022-Q3.xlsx gửi lúc ")
    assert len(said) == 4
    assert summary(committee)["totals"]["members"] == 5

    # A broken file (not a workbook at all): said, the report rebuilt with it marked unusable.
    (inbox / "CB-C_2022-Q3.xlsx").write_bytes(os.urandom(2000))
    assert "Tệp hỏng, không mở được như tệp .xlsx: CB-C_2022-Q3.xlsx" in watch.wait_for("Tệp hỏng")
    assert "5 đảng viên, 2/3 chi bộ" in watch.wait_for("Làm lại báo cáo")
    assert "CB-C_2022-Q3.xlsx (CB-C): Không dùng được, 1 lỗi" in watch.wait_for("CB-C_2022-Q3.xlsx (CB-C)")
    assert summary(committee)["coverage"]["rejected"] == ["CB-C"]
    assert watch.proc.poll() is None

    # CB-A sends its file again with one more member: the new figure, and what changed since.
    write_roster(staging / "CB-A.xlsx", "CB-A", A_MEMBERS + [member("Đỗ Văn Giang", 1993, n=6)])
    shutil.copy(staging / "CB-A.xlsx", inbox / "CB-A_2022-Q3.xlsx")
    assert "Tệp thay đổi: CB-A_2022-Q3.xlsx" in watch.wait_for("CB-A_2022-Q3.xlsx")
    assert "6 đảng viên, 2/3 chi bộ" in watch.wait_for("Làm lại báo cáo")
    assert "CB-A: 2 → 3 đảng viên, tệp CB-A_2022-Q3.xlsx gửi lại lúc" in watch.wait_for("CB-A: 2 → 3")
    assert summary(committee)["totals"]["members"] == 6
    manifest = json.loads((committee / "out" / "2022-Q3" / "manifest.json").read_text(encoding="utf-8"))
    assert [c["text"] for c in manifest["changes"] if c["unit"] == "CB-A" and "→" in c["text"]]

    # The broken file taken away: it leaves the report.
    (inbox / "CB-C_2022-Q3.xlsx").unlink()
    assert "Tệp đã xóa: CB-C_2022-Q3.xlsx" in watch.wait_for("Tệp đã xóa")
    watch.wait_for("Làm lại báo cáo")
    assert summary(committee)["coverage"]["rejected"] == [] and summary(committee)["coverage"]["missing"] == ["CB-C"]

    assert watch.stop(signal.SIGINT) == 0
    assert watch.lines[-1].endswith(" Đã dừng theo dõi.")
    assert all(STAMP.match(line) for line in watch.lines)
    assert len(rebuilds(watch.watching())) == 4   # the slow copy, the broken file, the resubmission, the deletion
    assert sorted(p.name for p in inbox.iterdir()) == ["CB-A_2022-Q3.xlsx", "CB-B_2022-Q3.xlsx",
                                                       "~$CB-B_2022-Q3.xlsx"]   # the inbox is only read


def test_a_second_watch_on_the_same_output_refuses_and_a_restart_picks_up_what_came_meanwhile(committee, watches):
    inbox, staging = committee / "inbox", committee / "staging"
    first = Watch(committee)   # file events (inotify), not polling
    watches.append(first)
    first.wait_for("Đang theo dõi")

    second = subprocess.run(
        [sys.executable, "-m", "pipeline", "watch", "--inbox", "inbox", "--units", "units.xlsx", "--out", "out",
         "--config", str(CONFIG), "--no-feedback"], cwd=committee, capture_output=True, text=True, timeout=60)
    assert second.returncode == 1 and second.stdout == ""
    assert second.stderr.startswith("Lỗi: Thư mục kết quả out đang được một lệnh watch khác theo dõi (tiến trình "
                                    f"{first.proc.pid} trên máy ")
    assert "dừng lệnh kia (Ctrl-C) hoặc chọn --out khác" in second.stderr

    # Three files copied in at once, two for quý III and CB-B's late file for quý II: one build per
    # period, not one per file.
    write_roster(staging / "CB-B.xlsx", "CB-B", B_MEMBERS)
    write_roster(staging / "CB-C.xlsx", "CB-C", [member("Vũ Thị Hoa", 1994, "Nữ", n=7)])
    write_roster(staging / "CB-B-Q2.xlsx", "CB-B", B_MEMBERS, quarter=2)
    for source, name in (("CB-B.xlsx", "CB-B_2022-Q3.xlsx"), ("CB-C.xlsx", "CB-C_2022-Q3.xlsx"),
                         ("CB-B-Q2.xlsx", "CB-B_2022-Q2.xlsx")):
        shutil.copy(staging / source, inbox / name)
    first.wait_for("Làm báo cáo quý II năm 2022")
    first.wait_for("Làm lại báo cáo quý III năm 2022")
    first.quiet_for(2 * SETTLE)
    builds = [line[9:] for line in first.watching() if re.search(r"Làm (lại )?báo cáo quý", line)]
    assert [line.split(" (")[0] for line in builds] == [
        "Làm báo cáo quý II năm 2022: 3 đảng viên, 1/3 chi bộ",
        "Làm lại báo cáo quý III năm 2022: 6 đảng viên, 3/3 chi bộ"]
    assert first.stop(signal.SIGTERM) == 0
    assert first.lines[-1].endswith(" Đã dừng theo dõi.")
    assert not (committee / "out" / ".watch.lock.json").exists()

    # While no watch runs, CB-A sends its file again with one more member; the next watch's first
    # build (of the latest period in the inbox) takes it in.
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", A_MEMBERS + [member("Đỗ Văn Giang", 1993, n=6)])
    again = Watch(committee)
    watches.append(again)
    assert "Làm lại báo cáo quý III năm 2022: 7 đảng viên, 3/3 chi bộ" in again.wait_for("báo cáo quý")
    assert "CB-A: 2 → 3 đảng viên" in again.wait_for("CB-A:")
    again.wait_for("Đang theo dõi")
    assert again.stop() == 0


def test_the_library_entry_point_waits_on_an_empty_inbox_and_stops_when_asked(tmp_path):
    from pipeline.watch import watch

    write_register(tmp_path / "units.xlsx", REGISTER)
    (tmp_path / "inbox").mkdir()
    lines: list[str] = []
    stop = threading.Event()
    args = dict(inbox=tmp_path / "inbox", units=tmp_path / "units.xlsx", out=tmp_path / "out")
    kwargs = dict(config=CONFIG, settle=0.5, feedback=False, workers=1, log=lines.append, stop=stop)
    runner = threading.Thread(target=watch, kwargs=args | kwargs)
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while not any("Đang theo dõi" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(line.endswith("Thư mục nhận chưa có tệp nào: báo cáo được làm khi có tệp đầu tiên.")
                   for line in lines)
        with pytest.raises(PipelineError, match="đang được một lệnh watch khác theo dõi"):
            watch(**args, **kwargs)
        write_roster(tmp_path / "inbox" / "CB-A_2022-Q3.xlsx", "CB-A", A_MEMBERS)
        while not any("chi bộ (" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert any("Làm báo cáo quý III năm 2022: 2 đảng viên, 1/3 chi bộ" in line for line in lines)
    assert lines[-1].endswith(" Đã dừng theo dõi.") and all(STAMP.match(line) for line in lines)


def test_with_send_the_cell_whose_file_changed_gets_its_new_feedback_and_no_other_cell_does(committee):
    controller = pytest.importorskip("aiosmtpd.controller")
    from pipeline.config import SmtpSettings
    from pipeline.watch import watch

    from mailserver import Mailbox, free_port

    port = free_port()
    mailbox = Mailbox()
    server = controller.Controller(mailbox, hostname="127.0.0.1", port=port)
    server.start()
    config = replace(sample_config(), smtp=SmtpSettings(host="127.0.0.1", port=port, security="none",
                                                        sender="Ban Tổ chức <btc@example.vn>", rate_per_minute=0))
    lines: list[str] = []
    stop = threading.Event()
    runner = threading.Thread(target=watch, args=(committee / "inbox", committee / "units.xlsx", committee / "out"),
                              kwargs=dict(config=config, send=True, settle=0.5, workers=1, log=lines.append,
                                          stop=stop))

    def said(words: str, count: int = 1) -> list[str]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = [line for line in lines if words in line]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no line with {words!r}:\n" + "\n".join(lines))

    runner.start()
    try:
        # On start CB-A's package goes out (CB-A has sent its file and has an Email).
        assert said("Gửi phản hồi")[0].endswith("Gửi phản hồi (CB-A): đã gửi: CB-A → a@example.vn")
        said("Đang theo dõi")
        # CB-B sends its file: every package is made again (they show the committee's totals), but
        # only CB-B's goes out, and CB-B has no Email: said so.
        write_roster(committee / "inbox" / "CB-B_2022-Q3.xlsx", "CB-B", B_MEMBERS)
        assert "Gửi phản hồi (CB-B): chưa có Email trong danh mục: CB-B" in said("Gửi phản hồi", 2)[1]
        # CB-A fixes its file: its new package goes out as a correction.
        write_roster(committee / "staging" / "CB-A.xlsx", "CB-A", A_MEMBERS + [member("Đỗ Văn Giang", 1993, n=6)])
        shutil.copy(committee / "staging" / "CB-A.xlsx", committee / "inbox" / "CB-A_2022-Q3.xlsx")
        assert said("Gửi phản hồi", 3)[2].endswith("Gửi phản hồi (CB-A): đính chính: CB-A → a@example.vn")
    finally:
        stop.set()
        runner.join(timeout=60)
        server.stop()
    subjects = mailbox.subjects("a@example.vn")
    assert len(subjects) == 2 and subjects[1].startswith("Đính chính:")
    assert len(mailbox.arrived) == 2


def test_a_year_without_a_quarter_is_refused_before_watching(committee):
    from pipeline.watch import watch

    with pytest.raises(PipelineError, match="Ghi --quarter cùng --year"):
        watch(committee / "inbox", committee / "units.xlsx", committee / "out", config=CONFIG, year=2022)
    assert not (committee / "out").exists()


@pytest.mark.parametrize("name, reason", [
    ("~$CB-A_2022-Q3.xlsx", "tệp khóa của Office"),
    (".~lock.CB-A_2022-Q3.xlsx#", "tệp khóa của LibreOffice"),
    ("CB-A_2022-Q3.xlsx.part", "tệp đang tải dở (.part)"),
    ("CB-A_2022-Q3.xlsx.crdownload", "tệp đang tải dở (.crdownload)"),
    ("A1B2C3D4.TMP", "tệp tạm (.tmp)"),
    ("Thumbs.db", "tệp hệ thống"), ("desktop.ini", "tệp hệ thống"), (".DS_Store", "tệp hệ thống"),
    (".CB-A_2022-Q3.xlsx", "tệp ẩn"),
    ("CB-A_2022-Q3.xlsx", None), ("DS dang vien quy 3.ods", None),
])
def test_what_the_inbox_listing_and_the_watch_leave_out_is_said_in_words(name, reason):
    assert intake.ignored_reason(name) == reason


def test_the_report_listing_leaves_out_partial_downloads_too(tmp_path):
    for name in ("CB-A.xlsx", "CB-B.xlsx.part", "CB-C.xlsx.crdownload", "~WRL0001.tmp", "~$CB-A.xlsx",
                 ".hidden.xlsx", "Thumbs.db"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "CB-D.xlsx").write_bytes(b"x")
    assert [str(p.relative_to(tmp_path)) for p in intake.list_inbox(tmp_path)] == ["CB-A.xlsx",
                                                                                  os.path.join("sub", "CB-D.xlsx")]
