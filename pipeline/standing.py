"""Where a quarter stands, read back from what the last run wrote: `summary.json`, `manifest.json`
and the delivery ledger. Never a workbook, never the inbox.

    standing = read_standing(Path("output/2022-Q3"), Path("output/delivery.sqlite"))
    standing.totals, standing.coverage, standing.units[3].feedback, standing.changes

One reading for the quarter's page (`render.page`) and the `status` command, so the two cannot
disagree. A folder written before the manifest or the timeliness fields existed still reads: what
is not there is None or derived from the unit's status, and `has_manifest` says which it was. The
ledger is opened read-only and only when it exists (reading it never creates it); `send` may be
writing it meanwhile.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.files import safe_name
from pipeline.period import Period
from pipeline.status import Timeliness, UnitStatus

SUMMARY_NAME = "summary.json"
MANIFEST_NAME = "manifest.json"
LEDGER_NAME = "delivery.sqlite"     # beside the quarters' folders (pipeline.delivery.LEDGER_NAME)
UNITS_DIR = "units"                 # the cells' packages (pipeline.feedback.views.UNITS_DIR)
COMMITTEE_PDF = "bao-cao-phat-trien-dang-vien-*.pdf"
WORKBOOK = "so-lieu-phat-trien-dang-vien-*.xlsx"
PACKAGE_SUFFIXES = (".pdf", ".xlsx")  # what `send` attaches from a package (pipeline.delivery.plan)

# A status of a cell when the summary is older than the timeliness fields: no deadline was judged.
_UNDATED = {UnitStatus.ACCEPTED: Timeliness.RECEIVED, UnitStatus.REJECTED: Timeliness.REJECTED,
            UnitStatus.MISSING: Timeliness.MISSING}


@dataclass(frozen=True)
class Mail:
    """The newest ledger row of one kind for a unit and the period: what became of its mail."""

    state: str                  # "sent" | "failed" | "unknown" | "sending" (pipeline.delivery)
    at: str                     # ISO time of the row's last change
    recipient: str
    reply: str = ""             # the server's last answer (why a mail failed)
    outdated: bool = False      # sent, but the package on disk has changed since


@dataclass(frozen=True)
class UnitStanding:
    """One unit of the tree as the last run left it."""

    code: str
    name: str
    type: str
    parent: str | None
    depth: int
    status: str                         # UnitStatus value
    is_cell: bool
    timeliness: str | None              # Timeliness value; None for a committee
    days_late: int | None
    submitted_at: str | None            # when its earliest usable file was first seen (ISO)
    errors: int                         # a committee: over its subtree
    warnings: int
    members: int
    admitted_quarter: int
    admitted_ytd: int
    cells_expected: int
    cells_accepted: int
    cells_on_time: int | None
    cells_late: int | None
    completeness_rate: float | None
    on_time_rate: float | None
    file: str | None                    # the file its figures come from
    package: str | None                 # its feedback PDF, relative to the quarter's folder
    feedback: Mail | None               # the newest mail of its package (the root: the committee's report)
    reminder: Mail | None               # the newest reminder it was sent


@dataclass(frozen=True)
class Standing:
    """A quarter's folder read back: the figures, coverage, changes and every unit along the tree."""

    folder: Path
    year: int
    quarter: int
    label: str                          # "quý III năm 2022"
    committee: str                      # the root unit's name
    report_date: str | None
    generated_at: str | None            # when the run that wrote the folder finished (manifest)
    previous_run: str | None
    has_manifest: bool
    has_ledger: bool
    deadline: dict | None               # {"date", "rule", "assessed_at"}; None before deadlines existed
    totals: dict
    coverage: dict
    changes: list[str]
    units: list[UnitStanding] = field(default_factory=list)
    pdf: str | None = None              # the committee's report, relative to the folder
    workbook: str | None = None

    @property
    def deadline_date(self) -> dt.date | None:
        day = (self.deadline or {}).get("date")
        return dt.date.fromisoformat(day) if day else None

    def as_dict(self) -> dict:
        """Everything as one JSON-ready document (`status --json`)."""
        out = asdict(self)
        out["folder"] = str(self.folder)
        return out


def read_standing(folder: Path, ledger: Path | None = None) -> Standing:
    """The quarter in `folder` (`<out>/<year>-Q<q>`) as its last run wrote it; feedback from the
    ledger (default `<out>/delivery.sqlite`) when it exists. No summary.json: a PipelineError
    that says to run the report first."""
    folder = Path(folder)
    summary_path = folder / SUMMARY_NAME
    if not summary_path.is_file():
        raise PipelineError(_no_report(folder))
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        period = summary["period"]
        rows = summary["units"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"Không đọc được {summary_path} ({exc}). Chạy lại make report cho kỳ này.") from exc
    manifest = _read_json(folder / MANIFEST_NAME)
    ledger = Path(ledger) if ledger is not None else folder.parent / LEDGER_NAME
    mails = _ledger_rows(ledger, folder.name)
    counted = _issue_counts(summary.get("issues", []), rows)
    units = []
    for row in rows:
        code = row["code"]
        status = UnitStatus(row["status"])
        is_cell = status != UnitStatus.AGGREGATE
        timeliness = row.get("timeliness", _UNDATED.get(status).value if is_cell else None)
        package = _package(folder, code) if is_cell else None
        feedback, sent = mails.get(("unit" if is_cell else "committee", code), (None, None))
        if not is_cell and row.get("parent") is not None:
            feedback = None     # only the root's report is mailed (kind "committee")
        elif is_cell and feedback is not None and feedback.state == "sent":
            feedback = _check_current(feedback, sent, folder / UNITS_DIR / safe_name(code))
        errors, warnings = counted.get(code, (0, 0))
        units.append(UnitStanding(
            code=code, name=row["name"], type=row["type"], parent=row.get("parent"), depth=int(row["depth"]),
            status=status.value, is_cell=is_cell, timeliness=timeliness, days_late=row.get("days_late"),
            submitted_at=row.get("submitted_at"), errors=int(row.get("errors", errors)),
            warnings=int(row.get("warnings", warnings)), members=int(row["members"]),
            admitted_quarter=int(row["admitted_quarter"]), admitted_ytd=int(row["admitted_ytd"]),
            cells_expected=int(row["cells_expected"]), cells_accepted=int(row["cells_accepted"]),
            cells_on_time=row.get("cells_on_time"), cells_late=row.get("cells_late"),
            completeness_rate=row.get("completeness_rate"), on_time_rate=row.get("on_time_rate"),
            file=row.get("file"), package=package, feedback=feedback, reminder=mails.get(("reminder", code), (None,))[0]))
    coverage = dict(summary["coverage"])
    coverage.setdefault("completeness_rate", coverage["accepted"] / coverage["expected"] if coverage["expected"] else None)
    p = Period(int(period["year"]), int(period["quarter"]))
    return Standing(
        folder=folder, year=p.year, quarter=p.quarter, label=p.label,
        committee=rows[0]["name"] if rows else "", report_date=summary.get("report_date"),
        generated_at=(manifest or {}).get("generated_at"), previous_run=(manifest or {}).get("previous_run"),
        has_manifest=manifest is not None, has_ledger=ledger.is_file(), deadline=summary.get("deadline"),
        totals=summary["totals"], coverage=coverage,
        changes=[c["text"] for c in (manifest or {}).get("changes", []) if c.get("text")],
        units=units, pdf=_first(folder, COMMITTEE_PDF), workbook=_first(folder, WORKBOOK))


def _no_report(folder: Path) -> str:
    name = folder.name
    where = f" OUT=\"{folder.parent}\"" if str(folder.parent) != "output" else ""
    if len(name) == 7 and name[4:6] == "-Q" and name[:4].isdigit() and name[6] in "1234":
        label = Period(int(name[:4]), int(name[6])).label
        hint = f"make report QUARTER={name[6]} YEAR={name[:4]}{where}"
    else:
        label, hint = "của kỳ này", "make report"
    return f"Chưa có báo cáo {label} trong {folder} (không thấy {SUMMARY_NAME}). Chạy {hint} trước."


def _read_json(path: Path) -> dict | None:
    """A JSON file of the folder, or None when it is absent or unreadable (an older run's folder)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _first(folder: Path, pattern: str) -> str | None:
    found = sorted(folder.glob(pattern))
    return found[0].name if found else None


def _package(folder: Path, code: str) -> str | None:
    """The cell's feedback PDF, relative to `folder` (`units/CB-PC02/phan-hoi-….pdf`), if written."""
    cell = folder / UNITS_DIR / safe_name(code)
    try:   # one listing, not a glob: the page lists 7,100 cells
        with os.scandir(cell) as entries:
            pdfs = sorted(e.name for e in entries if e.name.endswith(".pdf") and not e.name.startswith(".")
                          and e.is_file())
    except OSError:   # no package (report --no-feedback), or no units/ at all
        return None
    return (cell / pdfs[0]).relative_to(folder).as_posix() if pdfs else None


def _issue_counts(issues: list[dict], rows: list[dict]) -> dict[str, tuple[int, int]]:
    """unit → (errors, warnings), a committee's over its subtree: for a summary older than the
    per-unit counts."""
    own: dict[str, list[int]] = {}
    for i in issues:
        if i.get("unit"):
            own.setdefault(i["unit"], [0, 0])[0 if i.get("severity") == "error" else 1] += 1
    parents = {r["code"]: r.get("parent") for r in rows}
    total = {r["code"]: [0, 0] for r in rows}
    for code, (e, w) in own.items():
        seen = set()
        while code in total and code not in seen:   # up the tree (a broken tree cannot loop here)
            seen.add(code)
            total[code][0] += e
            total[code][1] += w
            code = parents.get(code)
    return {code: (e, w) for code, (e, w) in total.items()}


def _ledger_rows(path: Path, period: str) -> dict[tuple[str, str], tuple[Mail, str | None]]:
    """(kind, unit) → the newest row of the period and the attachments it sent ([[name, sha256], …]),
    from the ledger opened read-only."""
    if not path.is_file():
        return {}
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return {}
    try:
        rows = db.execute("SELECT kind, unit, recipient, state, updated, reply, attachments FROM messages "
                          "WHERE period = ? ORDER BY id", (period,)).fetchall()
    except sqlite3.Error:   # no table yet, or a file that is not a ledger
        return {}
    finally:
        db.close()
    return {(kind, unit): (Mail(state=state, at=updated, recipient=recipient, reply=reply or ""), attachments)
            for kind, unit, recipient, state, updated, reply, attachments in rows}


def _check_current(mail: Mail, attachments: str | None, package: Path) -> Mail:
    """`mail` marked outdated when the package's files are no longer what was sent: other names,
    or other bytes. Only files changed after the mail are hashed (a rebuilt report keeps the
    packages whose content did not change)."""
    try:
        sent = dict(json.loads(attachments or "[]"))
        sent_at = dt.datetime.fromisoformat(mail.at).timestamp()
    except (ValueError, TypeError):
        return mail
    files = {p.name: p for p in package.glob("*") if p.is_file() and p.suffix in PACKAGE_SUFFIXES}
    changed = set(files) != set(sent) or any(
        p.stat().st_mtime > sent_at and hashlib.sha256(p.read_bytes()).hexdigest() != sent[name]
        for name, p in files.items())
    return replace(mail, outdated=changed)
