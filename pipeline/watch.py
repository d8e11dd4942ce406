"""Watch mode: the inbox watched, and the quarter's reports remade minutes after a cell's file comes.

    watch(Path("hop-thu"), Path("danh-muc-don-vi.xlsx"), Path("ket-qua"), send=True)

On start the reports of the period asked for (else of the latest period the inbox holds) are made,
which also takes in whatever came while no watch ran. Then the inbox's file events (`watchfiles`:
inotify, or polling with `poll=True` for network shares, where events do not arrive) are held
until the folder has settled: every changed path's size and modification time unchanged for
`settle` seconds and, for a workbook in zip form (.xlsx, .xlsm, .ods), the zip opening. Changes
that settle together remake each period they touch once, not once per file. A workbook that
still does not open a further `settle` seconds on is broken, not half-copied: the report is
remade with it (and marks it unusable). A file belongs to the period it says (`intake.
resolve_period`), else to the watch's period; a deleted file to the period it was last seen in.

What the report's own listing leaves out (`intake.ignored_reason`: lock, partial, hidden and
system files) and the output folder, when it lies inside the inbox, never start anything. Each
rebuild takes the output folder's lock as `report` does (`app.make_report`, `pipeline.lock`); the
watch itself holds `<out>/.watch.lock` for its whole life, so a second watch of the same output
folder refuses at once. With `send`, the cells whose files changed get their new feedback package
by mail (`app.send_reports`; the delivery ledger sends each package once).

Each event is one line, stamped with the time, handed to `log`. A bad file or a failed rebuild is
a line too, and the watch goes on. Ctrl-C, SIGTERM or `stop` end it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import stat
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path

import watchfiles
from filelock import FileLock, Timeout

from pipeline import intake, privacy
from pipeline.app import ReportRun, make_report, send_reports
from pipeline.config import Config, find_config, load_config, require_identity
from pipeline.errors import PipelineError
from pipeline.period import Period
from pipeline.reading import load_inbox
from pipeline.register import read_register
from pipeline.render.vn import decimal, number
from pipeline.roster import read_workbook
from pipeline.rulebook import ERROR
from pipeline.status import FileStatus

DEFAULT_SETTLE = 3.0                 # seconds a changed file must hold still (`--settle`)
WATCH_LOCK = ".watch.lock"           # in the output folder: one watch per output folder
WATCH_HOLDER = ".watch.lock.json"    # who holds it, for the message a second watch gives
ZIP_FORMATS = (".xlsx", ".xlsm", ".ods")

Log = Callable[[str], None]


def watch(inbox: Path, units: Path, out: Path, *, config: Config | Path | None = None, year: int | None = None,
          quarter: int | None = None, send: bool = False, poll: bool = False, settle: float = DEFAULT_SETTLE,
          feedback: bool = True, workers: int | None = None, log: Log = print,
          stop: threading.Event | None = None, debug: bool = False) -> None:
    """Watch `inbox` and keep the reports in `out` up to date until stopped (Ctrl-C, SIGTERM, or
    `stop` set): see the module's docstring. Returns normally when stopped.

    `config`: a Config, or the committee's TOML file (None: `pipeline.toml` in the current folder),
    read again by every rebuild. `year`, `quarter`: the period to build on start (a quarter alone:
    its year from the files; neither: the latest period in the inbox). `send`: mail the new feedback
    of the cells whose files changed. `poll`: look at the folder every few seconds instead of waiting
    for file events. `settle`: seconds a changed file must hold still. `feedback=False`: no feedback
    packages (and nothing to send). `workers`: as `make_report`'s. `log` is called with each line,
    its time stamp included. `debug`: an unexpected error also prints its traceback (stderr).

    Raises PipelineError before watching when it cannot start: no inbox, an unreadable register
    or configuration, a year without a quarter, another watch on `out`."""
    if year is not None and quarter is None:
        raise PipelineError("Ghi --quarter cùng --year (make: QUARTER= cùng YEAR=), hoặc bỏ cả hai để theo dõi "
                            "kỳ mới nhất trong thư mục nhận.")
    if quarter is not None and not 1 <= quarter <= 4:
        raise PipelineError(f"Quý phải là 1, 2, 3 hoặc 4 (đang là {quarter}).")
    if settle <= 0:
        raise PipelineError(f"Thời gian chờ tệp chép xong phải lớn hơn 0 giây (đang là {settle}).")
    if send and not feedback:
        raise PipelineError("--send gửi gói phản hồi cho các chi bộ, nên cần làm gói phản hồi: bỏ --no-feedback.")
    intake.list_inbox(inbox)           # the inbox is there (else its message)
    intake.require_apart(inbox, out)
    with _watch_lock(Path(out)):       # before reading anything more: a second watch refuses at once
        read_register(units)           # the register reads (else the row that is wrong)
        if isinstance(config, Config):
            source = config
            require_identity(config, None)
        else:
            source = find_config(config)
            require_identity(load_config(source), source)
        watcher = _Watch(inbox=Path(inbox), units=Path(units), out=Path(out), config=source, year=year,
                         quarter=quarter, send=send, poll=poll, settle=settle, feedback=feedback, workers=workers,
                         say=_Stamped(log), debug=debug)
        with _sigterm_as_interrupt():
            watcher.run(stop)


# ---------- one watch of one inbox ----------

@dataclass
class _Seen:
    """What the watch knows of a file of the inbox: the period and unit it was last read as."""

    period: Period | None = None
    unit: str | None = None


@dataclass
class _Pending:
    """A changed path waiting for the folder to settle."""

    kind: str                          # "new" | "changed" | "deleted", as last said in the log
    signature: tuple[int, int] | None  # (size, mtime in ns); None: not there
    since: float                       # time.monotonic() when the signature last changed
    opens: bool | None = None          # a zip-form workbook opens (checked once the signature held)


class _Watch:
    """The state of one watch: what it has seen of the inbox, what waits to settle, which period
    is its own."""

    def __init__(self, *, inbox: Path, units: Path, out: Path, config: Config | Path | None, year: int | None,
                 quarter: int | None, send: bool, poll: bool, settle: float, feedback: bool,
                 workers: int | None, say: Log, debug: bool):
        self.inbox_arg, self.out_arg = inbox, out            # as given: what the reports and manifest name
        self.inbox, self.out = Path(os.path.abspath(inbox)), Path(os.path.abspath(out))  # what file events name
        self.units, self.config, self.year, self.quarter = units, config, year, quarter
        self.send, self.poll, self.settle, self.feedback, self.workers = send, poll, settle, feedback, workers
        self.say, self.debug = say, debug
        self.display = _Display(say)
        self.asked = Period(year, quarter) if year is not None else None
        self.current: Period | None = self.asked   # where a file that names no period belongs
        self.seen: dict[str, _Seen] = {}             # name inside the inbox → what it was read as
        self.pending: dict[Path, _Pending] = {}
        self.skipped: set[str] = set()               # ignored names already said once

    def run(self, stop: threading.Event | None) -> None:
        tick = min(0.5, max(0.05, self.settle / 4))   # how often the settling is looked at
        events = watchfiles.watch(
            self.inbox, watch_filter=self._wanted, force_polling=True if self.poll else None,
            poll_delay_ms=int(max(0.5, self.settle / 2) * 1000), debounce=int(tick * 1000), step=50,
            stop_event=stop, rust_timeout=int(tick * 1000), yield_on_timeout=True)
        try:
            # The watcher runs from its first step on: a file that comes during the first build is
            # an event for the loop below, not lost between the build's listing and the watch.
            self.say(f"Bắt đầu theo dõi {self.inbox_arg} (ngày {dt.date.today():%d/%m/%Y}); kết quả ghi vào "
                     f"{self.out_arg}.")
            first = next(events, None)
            if first is None:
                return
            files = intake.list_inbox(self.inbox)
            self.seen = {self._name(p): _Seen() for p in files}
            self._note(first)
            self._start(files)
            how = (f"dò thư mục mỗi {number(max(0.5, self.settle / 2))} giây" if self.poll
                   else "theo thông báo của hệ thống tệp")
            self.say(f"Đang theo dõi {self.inbox_arg} ({how}; tệp thay đổi được đợi {number(self.settle)} giây "
                     "cho chép xong). Ctrl-C để dừng.")
            for batch in events:
                try:
                    self._note(batch)
                    if self._settled(time.monotonic()):
                        self._rebuild()
                except Exception as exc:   # a bug, or a folder that cannot be read: said, and the watch goes on
                    self._unexpected("xử lý thay đổi trong thư mục nhận", exc)
        except KeyboardInterrupt:
            pass
        finally:
            with suppress(KeyboardInterrupt):
                events.close()
        self.say("Đã dừng theo dõi.")

    # ---------- start ----------

    def _start(self, files: list[Path]) -> None:
        """The first build: the period asked for, else the latest the inbox holds (`files`)."""
        if not files:
            self.say("Thư mục nhận chưa có tệp nào: báo cáo được làm khi có tệp đầu tiên.")
            return
        if self.asked is None:
            submissions = load_inbox(self.inbox, read_register(self.units), workers=self.workers)
            self.seen.update({s.file: _Seen(s.period, s.unit) for s in submissions})
            if self.quarter is not None:
                self.asked = self.current = Period(intake.infer_year(submissions, self.quarter), self.quarter)
            else:
                periods = [s.period for s in submissions if s.period is not None]
                self.current = max(periods, key=_order) if periods else self._default_period()
        run = self._build(self.current)
        if run is not None and self.send:
            files = run.report.files
            mine = files[(files["period"] == self.current.label) & files["unit"].notna()]
            self._send(run, self.current, set(mine["unit"]))

    def _default_period(self) -> Period:
        return self.current or intake.last_finished_quarter(dt.date.today())

    # ---------- events ----------

    def _wanted(self, change: watchfiles.Change, path: str) -> bool:
        """watchfiles' filter: not the output folder, not what the report's listing leaves out
        (said once per file)."""
        where = Path(path)
        if where == self.out or self.out in where.parents:
            return False
        reason = intake.ignored_reason(where.name)
        if reason is None:
            return True
        name = self._name(where)
        if change != watchfiles.Change.deleted and name not in self.skipped and not where.is_dir():
            self.skipped.add(name)
            self.say(f"Bỏ qua {name} ({reason})")
        return False

    def _note(self, batch: Iterable[tuple[watchfiles.Change, str]]) -> None:
        """Put each changed file among the pending ones. A folder that comes (copied or moved in)
        brings its files; a folder that goes takes the files seen under it."""
        for change, raw in sorted(batch, key=lambda item: item[1]):
            path = Path(raw)
            if path == self.inbox:
                continue
            if path.is_dir():   # a folder's own time changes with its files, which speak for themselves
                if change == watchfiles.Change.added:
                    for inside in sorted(path.rglob("*")):
                        if inside.is_file() and self._wanted(watchfiles.Change.added, str(inside)):
                            self._touch(inside)
                continue
            name = self._name(path)
            if not path.exists() and name not in self.seen:
                under = [n for n in self.seen if n.startswith(name + os.sep)]
                if under:
                    for inside in under:
                        self._touch(self.inbox / inside)
                    continue
            self._touch(path)

    def _touch(self, path: Path) -> None:
        signature = _signature(path)
        name = self._name(path)
        kind = "deleted" if signature is None else "changed" if name in self.seen else "new"
        pending = self.pending.get(path)
        if pending is None:
            self.pending[path] = _Pending(kind, signature, time.monotonic())
        else:
            if signature != pending.signature:
                pending.signature, pending.since, pending.opens = signature, time.monotonic(), None
            if (kind == "deleted") == (pending.kind == "deleted"):
                return
            pending.kind = kind
        self.say({"new": "Tệp mới: ", "changed": "Tệp thay đổi: ", "deleted": "Tệp đã xóa: "}[kind] + name)

    def _settled(self, now: float) -> bool:
        """Every pending path unchanged for `settle` seconds, and each zip-form workbook opening
        (or, after twice that, taken as broken)."""
        if not self.pending:
            return False
        for path, pending in self.pending.items():
            signature = _signature(path)
            if signature != pending.signature:
                pending.signature, pending.since, pending.opens = signature, now, None
        for path, pending in self.pending.items():
            held = now - pending.since
            if held < self.settle:
                return False
            if pending.signature is not None and path.suffix.lower() in ZIP_FORMATS:
                if pending.opens is None:
                    pending.opens = _zip_opens(path)
                if not pending.opens and held < 2 * self.settle:
                    return False
        return True

    # ---------- rebuilds ----------

    def _rebuild(self) -> None:
        """The settled changes: each file's period read, then each period touched built once."""
        batch, self.pending = self.pending, {}
        touched: dict[Period, set[str]] = {}
        units_before: set[str] = set()
        for path, pending in sorted(batch.items()):
            name = self._name(path)
            before = self.seen.get(name)
            if before is not None and before.unit:
                units_before.add(before.unit)
            if pending.signature is None:
                if before is None:
                    continue   # came and went before it settled
                del self.seen[name]
                periods = [before.period or self._default_period()]
            else:
                if pending.opens is False:
                    self.say(f"Tệp hỏng, không mở được như tệp {path.suffix.lower()}: {name}. Vẫn làm lại báo cáo "
                             "với tệp này (báo cáo ghi rõ tệp dùng được hay không).")
                period = self._period_of(path, name)
                self.seen[name] = _Seen(period, before.unit if before else None)
                periods = [period or self._default_period()]
                if before is not None and before.period is not None and before.period not in periods:
                    periods.append(before.period)   # its old period loses it
            for period in periods:
                touched.setdefault(period, set()).add(name)
        for period in sorted(touched, key=_order):
            run = self._build(period, touched[period])
            if run is not None and self.send:
                files = run.report.files
                units_now = set(files[files["file"].isin(touched[period]) & files["unit"].notna()]["unit"])
                self._send(run, period, units_before | units_now)

    def _period_of(self, path: Path, name: str) -> Period | None:
        try:
            workbook = read_workbook(path, name=name)
        except OSError:   # gone again: its rebuild will say so
            return None
        return intake.resolve_period(workbook)[0]

    def _build(self, period: Period, names: set[str] = frozenset()) -> ReportRun | None:
        """make_report for `period`, said in the log with what became of the files `names`; None
        when it failed (said too)."""
        verb = "Làm lại" if (self.out / period.slug / "summary.json").is_file() else "Làm"
        started = time.monotonic()
        try:
            run = make_report(inbox=self.inbox_arg, units=self.units, quarter=period.quarter, year=period.year,
                              out=self.out_arg, config=self.config, feedback=self.feedback, workers=self.workers,
                              display=self.display, command="watch")
        except PipelineError as exc:
            self.say(f"Không {verb.lower()} được báo cáo {period.label}: {exc}")
            return None
        except Exception as exc:   # a bug: one line, and the watch goes on
            self._unexpected(f"{verb.lower()} báo cáo {period.label}", exc)
            return None
        seconds = time.monotonic() - started
        report = run.report
        if self.asked is None and (self.current is None or _order(period) > _order(self.current)):
            self.current = period
        files = report.files
        if files is not None:
            for row in files.to_dict("records"):
                if row["file"] in self.seen:
                    unit = row["unit"] if isinstance(row["unit"], str) else None
                    label = row["period"] if isinstance(row["period"], str) else ""
                    self.seen[row["file"]] = _Seen(intake.period_in_text(label) or period, unit)
        cov = report.coverage
        self.say(f"{verb} báo cáo {period.label}: {number(report.totals['members'])} đảng viên, "
                 f"{number(cov.accepted)}/{number(cov.expected)} chi bộ ({decimal(seconds, 1)} giây)")
        if files is not None:
            for row in files[files["file"].isin(names)].to_dict("records"):
                self.say("  " + _file_line(row, report.issues))
        for change in run.changes:
            self.say("  " + change["text"])
        for warning in run.warnings:
            self.say(f"  Cảnh báo: {warning}")
        if run.feedback is not None:
            self.say(f"  Phản hồi: {number(len(run.feedback.rendered))} chi bộ làm mới, "
                     f"{number(len(run.feedback.reused))} dùng lại.")
        return run

    def _send(self, run: ReportRun, period: Period, units: set[str]) -> None:
        """Mail the new packages of the cells whose files changed: only these, as every package
        is re-rendered when any cell's figures change (it shows the committee's totals)."""
        if run.feedback is None:
            return
        cells = [code for code in run.feedback.rendered if code in units]
        if not cells:
            return
        try:
            planned, outcome = send_reports(year=period.year, quarter=period.quarter, out=self.out_arg,
                                            config=self.config, only=tuple(cells), display=self.display)
        except PipelineError as exc:
            self.say(f"  Không gửi được phản hồi ({', '.join(cells)}): {exc}")
            return
        except Exception as exc:   # a bug: one line, and the watch goes on
            self._unexpected(f"gửi phản hồi ({', '.join(cells)})", exc)
            return
        parts = [f"{title}: {'; '.join(items)}" for title, items in (
            ("đã gửi", outcome.sent), ("đính chính", outcome.corrections), ("không gửi được", outcome.failed),
            ("chưa rõ đã tới (gửi lại bằng lệnh send --resend-unknown)", outcome.unknown),
            ("chưa có Email trong danh mục", planned.no_address), ("Email sai dạng", planned.bad_address),
            ("thư quá lớn", planned.too_large)) if items]
        if outcome.skipped:
            parts.append(f"đã gửi từ trước, không gửi lại: {number(len(outcome.skipped))}")
        self.say(f"  Gửi phản hồi ({', '.join(cells)}): " + ("; ".join(parts) or "không có thư nào"))

    def _unexpected(self, doing: str, exc: Exception) -> None:
        """An error nobody caused on purpose: one line (the traceback too with `debug`, on stderr)."""
        self.say(f"Lỗi không mong đợi khi {doing} ({type(exc).__name__}: {exc}). Vẫn tiếp tục theo dõi"
                 + ("." if self.debug else "; chạy với --debug để xem chi tiết."))
        if self.debug:
            traceback.print_exc()

    def _name(self, path: Path) -> str:
        """The path as the reports name it: inside the inbox."""
        with suppress(ValueError):
            return str(path.relative_to(self.inbox))
        return str(path)


def _file_line(row: dict, issues) -> str:
    """One file of a rebuild, as the clerk reads it: its unit, what became of it, its issues."""
    unit = row["unit"] if isinstance(row["unit"], str) else "không rõ đơn vị"
    line = (f"{row['file']} ({unit}): {row['status_vi']}, {number(row['errors'])} lỗi, "
            f"{number(row['warnings'])} cảnh báo")
    if row["status"] == FileStatus.REJECTED:
        first = next((i for i in issues if i.file == row["file"] and i.severity == ERROR), None)
        if first is not None:
            line += f" — {privacy.mask(first.message)}"
    return line


def _order(period: Period) -> tuple[int, int]:
    return period.year, period.quarter


def _signature(path: Path) -> tuple[int, int] | None:
    """(size, modification time in ns) of a file; None when it is not there (or is a folder)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return None if stat.S_ISDIR(st.st_mode) else (st.st_size, st.st_mtime_ns)


def _zip_opens(path: Path) -> bool:
    """A zip-form workbook is whole: its central directory, written last, reads."""
    try:
        with zipfile.ZipFile(path):
            return True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


# ---------- the log, the display, the locks, the signals ----------

class _Stamped:
    """`log` with each line stamped with the time; the date once a day changes."""

    def __init__(self, log: Log):
        self.log, self.day = log, dt.date.today()

    def __call__(self, text: str) -> None:
        now = dt.datetime.now()
        if now.date() != self.day:
            self.day = now.date()
            self.log(f"{now:%H:%M:%S} Ngày {now:%d/%m/%Y}")
        self.log(f"{now:%H:%M:%S} {text}")


class _Display:
    """The app's Display inside a watch: no progress bars, and what a run says (that it waits for
    another run to free the output folder) goes to the log."""

    def __init__(self, say: Log):
        self._say = say

    def track(self, label: str, items: Iterable) -> Iterable:
        return items

    def status(self, label: str):
        return nullcontext()

    def say(self, text: str) -> None:
        self._say(text)


@contextmanager
def _watch_lock(out: Path) -> Iterator[None]:
    """Hold `<out>/.watch.lock` while the block runs; another watch holding it: PipelineError at once."""
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / WATCH_LOCK)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise PipelineError(f"Thư mục kết quả {out} đang được một lệnh watch khác theo dõi ({_watch_holder(out)}). "
                            "Mỗi thư mục kết quả chỉ một lệnh watch: dừng lệnh kia (Ctrl-C) hoặc chọn --out khác."
                            ) from None
    holder = out / WATCH_HOLDER
    try:
        with suppress(OSError):
            holder.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                          "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")},
                                         ensure_ascii=False), encoding="utf-8")
        yield
    finally:
        with suppress(OSError):
            holder.unlink()
        lock.release()


def _watch_holder(out: Path) -> str:
    try:
        info = json.loads((out / WATCH_HOLDER).read_text(encoding="utf-8"))
        since = dt.datetime.fromisoformat(info["since"])
    except (OSError, ValueError, KeyError, TypeError):
        return "không rõ tiến trình nào"
    return f"tiến trình {info.get('pid', '?')} trên máy {info.get('host', '?')}, từ {since:%H:%M:%S %d/%m/%Y}"


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service manager stopping the watch, `kill`) stops it as Ctrl-C does. Signal
    handlers belong to the main thread: a watch run from another thread leaves them alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
