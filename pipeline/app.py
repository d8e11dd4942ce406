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
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from pipeline import intake
from pipeline.build import build_report
from pipeline.delivery import Outcome, Plan, deliver
from pipeline.config import KEY_WORDS, Config, find_config, load_config, require_identity
from pipeline.errors import PipelineError
from pipeline.feedback.packages import FeedbackResult, write_feedback
from pipeline.outputs import pdf_name, workbook_name, write_summary, write_workbook
from pipeline.parallel import make_executor
from pipeline.period import Period
from pipeline.reading import read_inbox
from pipeline.register import read_register
from pipeline.render.committee import write_committee_pdf
from pipeline.roster import read_workbook
from pipeline.files import atomic_path
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


class Silent:
    """Shows nothing: the default for a program calling the API."""

    def track(self, label: str, items: Iterable) -> Iterable:
        return items

    def status(self, label: str) -> AbstractContextManager:
        return nullcontext()


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

    @property
    def packages(self) -> Path | None:
        return None if self.feedback is None else self.folder / "units"


def make_report(*, inbox: Path, units: Path, quarter: int, year: int | None = None,
                out: Path = Path("output"), config: Config | Path | None = None,
                report_date: dt.date | None = None, feedback: bool = True, workers: int | None = None,
                dask: str | None = None, rebuild_feedback: bool = False, display: Display = SILENT,
                today: dt.date | None = None) -> ReportRun:
    """Read the inbox, check it, and write the committee's report for the quarter into
    `out/<year>-Q<quarter>/`: the PDF, the Excel workbook, summary.json and (unless
    `feedback=False`) one feedback package per cell. The inbox is only read.

    `config`: a Config, a TOML file, or None for `pipeline.toml` in the current folder when there is
    one (else the defaults). `year`: None takes it from the files. `report_date` wins over the
    configuration's; without either the report is dated `today` (default: the system's date).
    `workers`: processes for reading and for the packages (None: one per core); `dask`: a Dask
    scheduler's address for the packages. `rebuild_feedback`: render every package again even if
    its inputs have not changed."""
    if not 1 <= quarter <= 4:
        raise PipelineError(f"Quý phải là 1, 2, 3 hoặc 4 (đang là {quarter}).")
    source = None
    if not isinstance(config, Config):
        source = find_config(config)
        config = load_config(source)
    if report_date is not None:
        config = replace(config, report_date=report_date)
    require_identity(config, source)
    register = read_register(units)
    if needs_admitting_body(register.units.iloc[0]["type"]) and not config.admitting_body:
        raise PipelineError(
            f"{register.units.iloc[0]['name']} là đảng bộ cơ sở: việc kết nạp do ban thường vụ cấp ủy cấp trên "
            "quyết định. Ghi admitting_body trong tệp cấu hình, ví dụ admitting_body = \"Ban Thường vụ Đảng ủy Khối …\".")
    inbox_read = read_inbox(inbox, register, lambda items: display.track("Đọc danh sách", items),
                            workers=workers)
    submissions = inbox_read.submissions
    if not submissions:
        raise PipelineError(f"Thư mục nhận {inbox} không có tệp nào. Chép các tệp danh sách vào rồi chạy lại.")
    period = intake.choose_period(submissions, year, quarter)
    intake.require_submissions_for(submissions, period)
    report = build_report(register, submissions, period, config, today=today or dt.date.today(),
                          prepared=inbox_read.prepared)
    warnings = report_date_warnings(report.report_date, period)

    folder = Path(out) / period.slug
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / pdf_name(report)
    with display.status("Đang viết báo cáo PDF…"), atomic_path(pdf) as tmp:
        write_committee_pdf(report, tmp)
    workbook = write_workbook(report, folder / workbook_name(report))
    summary = write_summary(report, folder)
    packages = None
    if feedback:
        with make_executor(workers, dask) as executor:
            packages = write_feedback(report, folder, lambda items: display.track("Gói phản hồi", items),
                                      executor=executor, reuse=not rebuild_feedback)
    return ReportRun(report=report, folder=folder, pdf=pdf, workbook=workbook, summary=summary, feedback=packages,
                     warnings=warnings)


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
                quarter: int | None = None, today: dt.date | None = None) -> list[FileCheck]:
    """Validation on its own: every file checked as the report would check it, without a report.

    What a cell clerk or the department runs before the deadline. Without a register (`units`)
    the unit is taken from the file as written; with one it is matched as the report does. Each
    file is checked against `year`/`quarter` (both or neither), else its own period, else the
    last quarter that has ended by `today`; no file supersedes another."""
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise PipelineError(f"Không tìm thấy tệp: {', '.join(missing)}.")
    if (year is None) != (quarter is None):
        raise PipelineError("Ghi cả --year và --quarter, hoặc bỏ cả hai (khi đó dùng kỳ ghi trong tệp).")
    period = Period(year, quarter) if year else None
    register = read_register(units) if units else None
    workbooks = [read_workbook(Path(p), name=Path(p).name) for p in paths]
    submissions = intake.match(workbooks, register)
    row_issues: list[Issue] = []
    members: dict[str, int] = {}
    for target, group in intake.select_each(submissions, period, today or dt.date.today()).items():
        frame, _, found = validate(group, target)
        row_issues += found
        members.update(frame.groupby("file").size().to_dict())
    return [FileCheck(file=sub.file, unit=sub.unit, period=sub.period, members=int(members.get(sub.file, 0)),
                      issues=sorted(sub.issues + [i for i in row_issues if i.file == sub.file], key=sort_key))
            for sub in submissions]


# ---------- send ----------

def send_reports(*, year: int | None, quarter: int, out: Path = Path("output"), config: Config | Path | None = None,
                 dry_run: bool = False, only: tuple[str, ...] = (), resend_unknown: bool = False,
                 display: Display = SILENT) -> tuple[Plan, Outcome]:
    """Mail what `make_report` wrote into `out/<year>-Q<quarter>/` (never rebuilding it): the
    committee's report to `[send] report_to`, each cell's feedback package to its Email; each
    message once (the ledger `out/delivery.sqlite`). `dry_run`: write the messages as .eml files
    into the quarter's `outbox/` and send nothing. `only`: these unit codes ("committee" for the
    committee's report)."""
    if not isinstance(config, Config):
        config = load_config(find_config(config))
    if year is None:
        made = sorted(Path(out).glob(f"*-Q{quarter}"))
        if len(made) != 1:
            found = ", ".join(p.name for p in made) or "không có"
            raise PipelineError(f"Không chọn được năm: các báo cáo quý {quarter} trong {out}: {found}. Ghi năm, "
                                f"ví dụ YEAR=2022 (--year 2022).")
        year = int(made[0].name.split("-")[0])
    folder = Path(out) / Period(year, quarter).slug
    return deliver(folder, Path(out), config, dry_run=dry_run, only=only, resend_unknown=resend_unknown,
                   progress=lambda items: display.track("Gửi thư", items))


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
