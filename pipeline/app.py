"""The library API: what each command does, as one function a program can call.

    run = make_report(inbox=Path("inbox"), units=Path("units.xlsx"), quarter=3)
    run.pdf, run.workbook, run.summary, run.feedback     # what was written, and the Report itself
    check_files([Path("CB-PC02.xlsx")])                  # issues of files, without a report
    make_templates(Path("units.xlsx"), Path("output/mau"), year=2022, quarter=3)

The command line (`pipeline.cli`) only parses arguments, shows progress and prints what these
return. Problems a user can cause raise PipelineError with a Vietnamese message; problems in the
data are issues inside what is returned. docs/architecture.md shows what each stage takes and
returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from pipeline import intake
from pipeline.build import build_report
from pipeline.delivery import LEDGER_NAME, Outcome, Plan, deliver, remind
from pipeline.config import KEY_WORDS, Config, LimitSettings, find_config, load_config, require_identity
from pipeline.errors import PipelineError
from pipeline.feedback.cache import renderer_digest
from pipeline.feedback.packages import FeedbackResult, write_feedback
from pipeline.lock import folder_lock
from pipeline.manifest import (
    HISTORY_NAME, MANIFEST_NAME, append_history, changes, ignored_files, manifest, previous_summary, write_manifest,
)
from pipeline.arrivals import LOG_NAME as ARRIVALS_NAME, record as record_arrivals
from pipeline.outputs import SUMMARY_NAME, pdf_name, workbook_name, write_summary, write_workbook
from pipeline.parallel import beside, make_executor
from pipeline.period import Period
from pipeline.reading import read_inbox, remember
from pipeline.readcache import CACHE_DIR, CACHE_NAME, ReadCache
from pipeline.register import read_register
from pipeline.render.committee import committee_context, render_committee_html, write_committee_pdf
from pipeline.render.narrative import load_narrative
from pipeline.render.word import check_word_template, docx_name, render_committee_docx
from pipeline.render.page import PAGE_NAME, write_status_page
from pipeline.render.pdf import preload as preload_renderers
from pipeline.roster import read_workbook
from pipeline.standing import Standing, read_standing
from pipeline.files import access, atomic_path, recover, restrict, seed, staging_for, switch
from pipeline.report import Report
from pipeline.rulebook import ERROR, WARNING, Issue, sort_key
from pipeline.rules import validate
from pipeline.template import BLANK_NAME, template_name, write_template, write_templates
from pipeline.workspace import Workspace, create, needs_admitting_body


class Display(Protocol):
    """How a long run shows its progress (the CLI's is a rich progress bar)."""

    def track(self, label: str, items: Iterable) -> Iterable:
        """Yield `items` as they come, showing how far along they are."""

    def status(self, label: str) -> AbstractContextManager:
        """Say what is being done while the block runs."""

    def say(self, text: str) -> None:
        """Tell the user something about the run itself (e.g. that it waits for another run)."""


class Silent:
    """Shows nothing: the default for a program calling the API."""

    def track(self, label: str, items: Iterable) -> Iterable:
        return items

    def status(self, label: str) -> AbstractContextManager:
        return nullcontext()

    def say(self, text: str) -> None:
        pass


SILENT = Silent()


# ---------- report ----------

@dataclass(frozen=True)
class ReportRun:
    """What `make_report` wrote, and the Report it was made from."""

    report: Report
    folder: Path                       # <out>/<year>-Q<quarter>
    pdf: Path
    workbook: Path
    summary: Path
    feedback: FeedbackResult | None    # None when asked for no feedback packages
    warnings: list[str] = field(default_factory=list)   # about the run itself (a report date out of its window)
    manifest: Path | None = None
    page: Path | None = None                           # index.html: the quarter on one page
    docx: Path | None = None                           # the committee report's editable Word copy
    changes: list[dict] = field(default_factory=list)   # cells whose figures changed since the last run (manifest)
    files_read: int = 0                                 # files of the inbox read in this run
    files_cached: int = 0                               # files taken from the cache of earlier reads

    @property
    def packages(self) -> Path | None:
        return None if self.feedback is None else self.folder / "units"


def make_report(*, inbox: Path, units: Path, quarter: int, year: int | None = None,
                out: Path = Path("output"), config: Config | Path | None = None,
                report_date: dt.date | None = None, feedback: bool = True, workers: int | None = None,
                dask: str | None = None, rebuild_feedback: bool = False, display: Display = SILENT,
                today: dt.date | None = None, now: dt.datetime | None = None, wait: bool = True,
                command: str = "report", reuse_reads: bool = True) -> ReportRun:
    """Read the inbox, check it, and write the committee's report for the quarter into
    `out/<year>-Q<quarter>/`: the PDF and its editable Word copy, the Excel workbook, summary.json and (unless
    `feedback=False`) one feedback package per cell. The inbox is only read.

    `config`: a Config, a TOML file, or None for `pipeline.toml` in the current folder when there is
    one (else the defaults). `year`: None takes it from the files. `report_date` wins over the
    configuration's; without either the report is dated `today` (default: the system's date).
    `workers`: processes for reading and for the packages (None: one per core); `dask`: a Dask
    scheduler's address for the packages. `rebuild_feedback`: render every package again even if
    its inputs have not changed. `reuse_reads`: take the files read by an earlier run into this `out`
    (same bytes, name, [limits], program: `out/cache/reads.sqlite`) from there instead of reading
    them again (False: read every file; the cache is still brought up to date).

    One run at a time per `out` (`pipeline.lock`): another run holding it is waited for (`display.say`
    tells so), or with `wait=False` refused (lock.Busy). Every file is noted in the arrivals log
    `out/arrivals.sqlite` when first seen (`now`, default the system's clock), which judges
    timeliness against `[deadlines]`; the quarter's manifest.json and history.jsonl say what was seen
    and what changed since the last run (`command` names the run there)."""
    if not 1 <= quarter <= 4:
        raise PipelineError(f"Quý phải là 1, 2, 3 hoặc 4 (đang là {quarter}).")
    source = None
    if not isinstance(config, Config):
        source = find_config(config)
        config = load_config(source)
    if report_date is not None:
        config = replace(config, report_date=report_date)
    require_identity(config, source)
    # The department's narrative and Word template are checked before anything is read: a wrong
    # placeholder or a broken template stops the run here (the narrative waits for the year when
    # it comes from the files).
    narrative = load_narrative(config, Period(year, quarter)) if year is not None else None
    word_template = check_word_template(config)
    intake.require_apart(inbox, out)
    register = read_register(units)
    if needs_admitting_body(register.units.iloc[0]["type"]) and not config.admitting_body:
        raise PipelineError(
            f"{register.units.iloc[0]['name']} là đảng bộ cơ sở: việc kết nạp do ban thường vụ cấp ủy cấp trên "
            "quyết định. Ghi admitting_body trong tệp cấu hình, ví dụ admitting_body = \"Ban Thường vụ Đảng ủy Khối …\".")
    out = Path(out)
    renderers: list = []   # WeasyPrint and matplotlib imported while the files are read
    with ReadCache.open(out / CACHE_DIR / CACHE_NAME, reuse=reuse_reads) as cache:
        inbox_read = read_inbox(inbox, register, lambda items: display.track("Đọc danh sách", items),
                                workers=workers, limits=config.limits, cache=cache,
                                started=lambda: renderers.append(preload_renderers()))
        for thread in renderers:
            thread.join()
        submissions = inbox_read.submissions
        if not submissions:
            raise PipelineError(f"Thư mục nhận {inbox} không có tệp nào. Chép các tệp danh sách vào rồi chạy lại.")
        period = intake.choose_period(submissions, year, quarter)
        intake.require_submissions_for(submissions, period)
        narrative = narrative or load_narrative(config, period)
        # Reading only reads: two runs may read at once; from here on they write, one at a time.
        with access(config.output_access), folder_lock(out, command, wait=wait, on_wait=display.say):
            # The cache holds the rosters' rows: written under the output folder's access, as the reports.
            remember(inbox_read, cache)
            started = dt.datetime.now().astimezone()
            now = now or started
            run = _write_report(inbox, units, register, inbox_read, period, out, config, feedback, workers, dask,
                                rebuild_feedback, display, today or now.date(), now, started, command,
                                narrative, word_template)
    return replace(run, warnings=run.warnings + cache.warnings, files_cached=inbox_read.cached,
                   files_read=len(inbox_read.submissions) - inbox_read.cached)


def _write_report(inbox, units, register, inbox_read, period, out, config, feedback, workers, dask, rebuild_feedback,
                  display, today, now, started, command, narrative, word_template) -> ReportRun:
    submissions = inbox_read.submissions
    arrivals = record_arrivals(out, [(s.workbook.path, s.file) for s in submissions], now, inbox_read.digests)
    # The same quarter of the previous year, when its report is in this output folder: the
    # breakdowns compare with it (none there: no comparison).
    last_year = previous_summary(out / Period(period.year - 1, period.quarter).slug)
    report = build_report(register, submissions, period, config, today=today, prepared=inbox_read.prepared,
                          first_seen={name: a.first_seen for name, a in arrivals.items()}, now=now,
                          last_year=last_year)
    warnings = report_date_warnings(report.report_date, period)
    # The Word copy is made before the new set is begun: a template naming what the report has not
    # stops the run with the outputs as they were.
    context = committee_context(report, narrative, chart_png=True)   # the PDF's and the Word copy's, the same figures
    word = render_committee_docx(context, word_template)

    # The quarter's outputs are replaced as one set: the new set is written beside the current one
    # (starting from it, so kept packages and the history carry over), then put in its place at once.
    # A run killed at any moment leaves the previous complete set or the new one (files.switch).
    live = out / period.slug
    recover(live)
    before = previous_summary(live)
    previous_run = (before or {}).get("generated_at")
    changed = changes(before, report, arrivals)
    folder = staging_for(live)
    seed(live, folder, copied=(HISTORY_NAME,))
    # The workbook and summary.json are written in a second process while this one lays out the
    # PDF: each is single-threaded, and they take about as long (parallel.beside).
    written = beside(_write_tables, report, folder, now, workers=workers)
    # The PDF is laid out again only when its HTML (or the program, the fonts, the date) changed
    # since the last run: a re-run after a file that changes no figure keeps the one it has.
    html = render_committee_html(report, narrative, context=context)
    pdf_key = hashlib.sha256(f"{renderer_digest()}\n{report.report_date}\n{html}".encode()).hexdigest()
    if not kept_output(folder, pdf_name(report), pdf_key):
        with display.status("Đang viết báo cáo PDF…"), atomic_path(folder / pdf_name(report)) as tmp:
            write_committee_pdf(report, tmp, narrative, html=html)
        record_output(folder, pdf_name(report), pdf_key)
    with atomic_path(folder / docx_name(report)) as tmp:
        tmp.write_bytes(word)
    written()
    packages = None
    if feedback:
        with make_executor(workers, dask) as executor:
            packages = write_feedback(report, folder, lambda items: display.track("Gói phản hồi", items),
                                      executor=executor, reuse=not rebuild_feedback,
                                      digests={name: a.sha256 for name, a in arrivals.items()})
    listing = manifest(report, inbox=inbox, register=units, arrivals=arrivals, ignored=ignored_files(inbox),
                       changed=changed, previous_run=previous_run, now=now)
    write_manifest(folder, listing)
    append_history(folder, report, changed, started=started, finished=dt.datetime.now().astimezone(),
                   command=command)
    write_status_page(folder, out)
    restrict(folder, config.output_access)
    switch(folder, live)
    # made by earlier runs, perhaps under other settings
    for kept in (out / LEDGER_NAME, out / ARRIVALS_NAME, out / CACHE_DIR):
        if kept.exists():
            restrict(kept, config.output_access)
    if packages is not None:
        packages = replace(packages, paths=[live / p.relative_to(folder) for p in packages.paths])
    return ReportRun(report=report, folder=live, pdf=live / pdf_name(report), workbook=live / workbook_name(report),
                     summary=live / SUMMARY_NAME, feedback=packages, warnings=warnings, manifest=live / MANIFEST_NAME,
                     changes=changed, page=live / PAGE_NAME, docx=live / docx_name(report))


# Beside a quarter's outputs: the key each kept output was made from (name → [key, size]).
OUTPUT_KEYS = ".outputs.json"


def kept_output(folder: Path, name: str, key: str) -> bool:
    """Whether `folder/name` is there as made from `key` (and not changed since: same size)."""
    try:
        stored = json.loads((folder / OUTPUT_KEYS).read_text(encoding="utf-8"))[name]
        return stored[0] == key and (folder / name).stat().st_size == stored[1]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False


def record_output(folder: Path, name: str, key: str) -> None:
    try:
        stored = json.loads((folder / OUTPUT_KEYS).read_text(encoding="utf-8"))
        stored = stored if isinstance(stored, dict) else {}
    except (OSError, ValueError):
        stored = {}
    stored[name] = [key, (folder / name).stat().st_size]
    with atomic_path(folder / OUTPUT_KEYS) as tmp:   # a new file: the seeded link to the live set stays as it was
        tmp.write_text(json.dumps(stored, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def _write_tables(report: Report, folder: Path, now: dt.datetime) -> None:
    write_workbook(report, folder / workbook_name(report))
    write_summary(report, folder, generated_at=now)


def report_date_warnings(day: dt.date, period: Period) -> list[str]:
    """A report is dated after its quarter has ended, and within the next quarter (when such
    reports are due): any other date is most likely a slip of the clerk's (`--date`, report_date)."""
    shown = day.strftime("%d/%m/%Y")
    if day <= period.end:
        return [f"Ngày báo cáo {shown} chưa sau ngày cuối {period.label} ({period.end:%d/%m/%Y}): báo cáo quý "
                "thường lập sau khi quý kết thúc. Kiểm tra lại DATE= / report_date."]
    following = Period(period.year + 1, 1) if period.quarter == 4 else Period(period.year, period.quarter + 1)
    if day > following.end:
        return [f"Ngày báo cáo {shown} muộn hơn cả {following.label} sau kỳ báo cáo {period.label}. "
                "Kiểm tra lại DATE= / report_date."]
    return []


# ---------- check ----------

@dataclass
class FileCheck:
    """One checked file: its unit (from the register, or as the file writes it), the period it
    was checked against, how many members it lists, and its issues in file order."""

    file: str
    unit: str | None
    period: Period | None
    members: int
    issues: list[Issue]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == WARNING)


def check_files(paths: list[Path], units: Path | None = None, *, year: int | None = None,
                quarter: int | None = None, today: dt.date | None = None,
                config: Config | Path | None = None, limits: LimitSettings | None = None) -> list[FileCheck]:
    """Validation on its own: every file checked as the report would check it, without a report.

    What a cell clerk or the department runs before the deadline. Without a register (`units`)
    the unit is taken from the file as written; with one it is matched as the report does. Each
    file is checked against `year`/`quarter` (both or neither), else its own period, else the
    last quarter that has ended by `today`; no file supersedes another. `config` (a Config, a
    file, or None: `pipeline.toml` of the current folder when there is one, else the defaults)
    gives what the checks depend on as the report's do: the working days of [calendar] and what
    one file may cost to read ([limits], or `limits` when given: a file over one is refused, with
    the limit named). With a register, helpers are looked up across the candidate's grassroots
    organisation, as in the report."""
    if not isinstance(config, Config):
        config = load_config(find_config(config))
    limits = limits or config.limits
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise PipelineError(f"Không tìm thấy tệp: {', '.join(missing)}.")
    if (year is None) != (quarter is None):
        raise PipelineError("Ghi cả --year và --quarter, hoặc bỏ cả hai (khi đó dùng kỳ ghi trong tệp).")
    period = Period(year, quarter) if year else None
    register = read_register(units) if units else None
    calendar = config.calendar.work_calendar()
    workbooks = [read_workbook(Path(p), name=Path(p).name, limits=limits) for p in paths]
    submissions = intake.match(workbooks, register)
    row_issues: list[Issue] = []
    members: dict[str, int] = {}
    for target, group in intake.select_each(submissions, period, today or dt.date.today()).items():
        frame, _, found = validate(group, target, calendar=calendar, register=register)
        row_issues += found
        members.update(frame.groupby("file").size().to_dict())
    return [FileCheck(file=sub.file, unit=sub.unit, period=sub.period, members=int(members.get(sub.file, 0)),
                      issues=sorted(sub.issues + [i for i in row_issues if i.file == sub.file], key=sort_key))
            for sub in submissions]


# ---------- send, remind ----------

def quarter_folder(out: Path, year: int | None, quarter: int) -> Path:
    """`out/<year>-Q<quarter>`, the folder `make_report` wrote; without `year`, the only report of
    that quarter in `out` (several, or none: say so)."""
    if year is None:
        made = sorted(p for p in Path(out).glob(f"*-Q{quarter}") if p.is_dir())
        if not made:
            raise PipelineError(f"Chưa có báo cáo quý {quarter} nào trong {out}. Chạy make report QUARTER={quarter} "
                                "trước (thêm OUT=… nếu kết quả ghi ở thư mục khác).")
        if len(made) != 1:
            found = ", ".join(p.name for p in made)
            raise PipelineError(f"Không chọn được năm: các báo cáo quý {quarter} trong {out}: {found}. Ghi năm, "
                                f"ví dụ YEAR=2022 (--year 2022).")
        year = int(made[0].name.split("-")[0])
    return Path(out) / Period(year, quarter).slug


def quarter_status(*, out: Path = Path("output"), year: int | None, quarter: int) -> Standing:
    """Where the quarter stands, from what the last runs wrote (summary.json, manifest.json, the
    delivery ledger): no workbook is read, nothing is written. What `status` prints and the page shows."""
    return read_standing(quarter_folder(out, year, quarter), Path(out) / LEDGER_NAME)


def send_reminders(*, year: int | None, quarter: int, out: Path = Path("output"),
                   config: Config | Path | None = None, dry_run: bool = False, only: tuple[str, ...] = (),
                   today: dt.date | None = None, display: Display = SILENT, wait: bool = True) -> tuple[Plan, Outcome]:
    """A reminder by mail to each cell the last report of the quarter has no figures from (nothing
    sent, or nothing usable), through the same server and ledger as `send_reports`, at most one a
    day per cell; `dry_run`: written into the quarter's `outbox/` instead."""
    if not isinstance(config, Config):
        config = load_config(find_config(config))
    folder = quarter_folder(out, year, quarter)
    with access(config.output_access), folder_lock(Path(out), "remind", wait=wait, on_wait=display.say):
        recover(folder)
        done = remind(folder, Path(out), config, today=today or dt.date.today(), dry_run=dry_run, only=only,
                      progress=lambda items: display.track("Gửi thư nhắc", items))
        write_status_page(folder, Path(out))
        return done


def send_reports(*, year: int | None, quarter: int, out: Path = Path("output"), config: Config | Path | None = None,
                 dry_run: bool = False, only: tuple[str, ...] = (), resend_unknown: bool = False,
                 display: Display = SILENT, wait: bool = True) -> tuple[Plan, Outcome]:
    """Mail what `make_report` wrote into `out/<year>-Q<quarter>/` (never rebuilding it): the
    committee's report to `[send] report_to`, each cell's feedback package to its Email; each
    message once (the ledger `out/delivery.sqlite`). `dry_run`: write the messages as .eml files
    into the quarter's `outbox/` and send nothing. `only`: these unit codes ("committee" for the
    committee's report)."""
    if not isinstance(config, Config):
        config = load_config(find_config(config))
    folder = quarter_folder(out, year, quarter)
    with access(config.output_access), folder_lock(Path(out), "send", wait=wait, on_wait=display.say):
        recover(folder)
        done = deliver(folder, Path(out), config, dry_run=dry_run, only=only, resend_unknown=resend_unknown,
                       progress=lambda items: display.track("Gửi thư", items))
        write_status_page(folder, Path(out))   # what was sent shows there
        return done


# ---------- a committee's folder ----------

def init_workspace(folder: Path, settings: dict, root: tuple[str, str, str] | None = None, *,
                   force: bool = False) -> Workspace:
    """Set up a committee's folder: its configuration from `settings` (Config keys), an empty
    register (with the root's row when `root` = (code, name, type)), the inbox and output
    folders. The configuration must name the committee (config.IDENTITY_KEYS), and a grassroots
    committee must name who decides its admissions (`admitting_body`)."""
    config = replace(Config(), **settings)
    missing = config.missing_identity()
    if root and needs_admitting_body(root[2]) and not config.admitting_body:
        missing.append("admitting_body")
    if missing:
        raise PipelineError("Chưa có: " + "; ".join(f"{key} — {KEY_WORDS[key]}" for key in missing) + ".")
    return create(folder, config, root, force=force)


# ---------- templates ----------

def make_templates(units: Path | None, out: Path, *, unit: str | None = None, blank: bool = False,
                   year: int | None = None, quarter: int | None = None) -> list[Path]:
    """Ready-to-fill roster workbooks in `out`: one per cell of the register, pre-filled with its
    code, name and the period (both or neither of `year`, `quarter`), then a blank one; only the
    cell `unit` (its code, any case); or only the blank one (`blank`, no register needed)."""
    if (year is None) != (quarter is None):
        raise PipelineError("Ghi cả --year và --quarter, hoặc bỏ cả hai.")
    period = Period(year, quarter) if year else None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if blank:
        return [write_template(out / BLANK_NAME, None, period)]
    if units is None:
        raise PipelineError("Cần danh mục đơn vị của đảng bộ để tạo mẫu cho từng chi bộ: ghi --units TỆP.xlsx "
                            "(make: UNITS=…), hoặc --blank để tạo một mẫu trống.")
    register = read_register(units)
    if unit is None:
        return write_templates(register, out, period)
    cells = register.units
    code = next((c for c in cells.index if c.upper() == unit.strip().upper()), None)
    if code is None or not cells.at[code, "is_cell"]:
        raise PipelineError(f"Mã \"{unit}\" không phải chi bộ trong danh mục {units}.")
    return [write_template(out / template_name(code, period), (code, cells.at[code, "name"]), period)]
