"""A feedback package per cell (chi bộ): a short PDF and its own workbook returned, annotated.

    <folder>/units/<unit code>/phan-hoi-<code>-<year>-Q<q>.pdf
    <folder>/units/<unit code>/<original file name> - da kiem tra.xlsx
    <folder>/units/<unit code>/.key          what the package was made from (see package_key)

`unit_view` turns the Report into one plain, picklable dict per cell (words already chosen,
numbers already formatted); `render_unit_package` makes the files from that dict alone, so a
process pool (pipeline.parallel) can run it; `write_feedback` builds the views, keeps the
packages whose inputs have not changed since the last run and hands the others to the executor.
The original submissions are only read.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import pipeline
from pipeline import intake
from pipeline.issues import CATALOGUE, ERROR, LABELS, SEVERITY_VI, WARNING, Issue
from pipeline.outputs import atomic_path
from pipeline.render import vn
from pipeline.report import Report

Progress = Callable[[Iterable], Iterable]

UNITS_DIR = "units"
# Beside each package: the key of its inputs and the files made from them (JSON).
KEY_FILE = ".key"
# Bump when the key's recipe changes, so old keys stop matching.
KEY_FORMAT = 1
RETURNED_SUFFIX = " - da kiem tra"
# Issues that only restate a unit's or a file's status (no file sent; file unusable; another
# period; a newer file used): the status section says them, the list of problems does not.
STATUS_RULES = {"UNIT_MISSING", "UNIT_REJECTED", "OTHER_PERIOD", "DUPLICATE_SUBMISSION"}
# Problems that make a file unusable: named as the reason in the status section.
REJECTING_RULES = ("FILE_UNREADABLE", "FILE_PROTECTED", "FILE_EMPTY", "FILE_NOT_SPREADSHEET",
                   "NO_MEMBER_SHEET", "MISSING_COLUMN")
_RULE_ORDER = {rule: n for n, rule in enumerate(CATALOGUE)}
# Files returned with their issues marked (when they have any): the one used, or one that could
# not be.
_RETURNED_STATUSES = (intake.ACCEPTED, intake.REJECTED)

# The figure table: (column of Report.units or a derived key, label in the PDF).
FIGURE_ROWS = [
    ("members", "Tổng số đảng viên"),
    ("probationary", "Đảng viên dự bị"),
    ("admitted_quarter", "Kết nạp trong quý"),
    ("admitted_ytd", "Kết nạp từ đầu năm"),
    ("target_year", "Chỉ tiêu kết nạp năm"),
    ("achievement", "Đạt so với chỉ tiêu năm"),
    ("recognized_quarter", "Công nhận đảng viên chính thức trong quý"),
    ("candidates", "Quần chúng ưu tú (nguồn kết nạp)"),
]


def pdf_name(code: str, slug: str) -> str:
    """`phan-hoi-CB-PC02-2022-Q3.pdf`."""
    return f"phan-hoi-{_safe(code)}-{slug}.pdf"


def returned_name(file: str) -> str:
    """`CB-PC02_2022-Q3 - da kiem tra.xlsx` for `CB-PC02_2022-Q3.xls` (always .xlsx)."""
    return f"{Path(file).stem}{RETURNED_SUFFIX}.xlsx"


def unit_folder(folder: Path, code: str) -> Path:
    return Path(folder) / UNITS_DIR / _safe(code)


def _safe(text: str) -> str:
    """A unit code as a file or folder name: nothing a file system refuses."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", str(text)).strip(" .") or "_"


# --- Report → one plain view per cell ------------------------------------------------------

def _int(value) -> int:
    return 0 if pd.isna(value) else int(value)


def _target(value) -> int | None:
    return None if pd.isna(value) or int(value) <= 0 else int(value)


def _figure_values(row: pd.Series, decimals: int, has_figures: bool) -> dict[str, str]:
    target = _target(row["target_year"])
    values = {key: vn.number(_int(row[key])) if has_figures else vn.NOT_APPLICABLE
              for key, _ in FIGURE_ROWS if key in row.index and key != "target_year"}
    values["target_year"] = vn.NOT_APPLICABLE if target is None else vn.number(target)
    values["achievement"] = (vn.percent(_int(row["admitted_ytd"]) / target, decimals)
                             if has_figures and target else vn.NOT_APPLICABLE)
    return values


UNIT_NOTES = {"missing": "chưa gửi danh sách", "rejected": "tệp không dùng được"}


def _figure_column(code: str, row: pd.Series, decimals: int, *, is_unit: bool) -> dict:
    expected, accepted = _int(row["cells_expected"]), _int(row["cells_accepted"])
    if is_unit:
        has_figures = row["status"] == "accepted"
        note = UNIT_NOTES.get(row["status"])
    else:
        has_figures = True
        note = None if accepted >= expected else f"số liệu của {accepted}/{expected} chi bộ"
    return {"code": code, "name": str(row["name"]), "note": note,
            "values": _figure_values(row, decimals, has_figures)}


def _figures(report: Report, code: str) -> dict:
    units = report.units
    decimals = report.config.ratio_decimals
    columns = [_figure_column(code, units.loc[code], decimals, is_unit=True)]
    parent = units.at[code, "parent"]
    if isinstance(parent, str) and parent != report.root:
        columns.append(_figure_column(parent, units.loc[parent], decimals, is_unit=False))
    columns.append(_figure_column(report.root, units.loc[report.root], decimals, is_unit=False))
    rows = [{"label": label, "values": [c["values"][key] for c in columns]}
            for key, label in FIGURE_ROWS]
    return {"columns": [{k: c[k] for k in ("code", "name", "note")} for c in columns],
            "rows": rows, "partial": any(c["note"] for c in columns[1:])}


def _issue_dict(issue: Issue) -> dict:
    d = issue.to_dict()
    d["label"] = LABELS.get(issue.rule, issue.rule)
    d["severity_vi"] = SEVERITY_VI.get(issue.severity, issue.severity)
    return d


def _unit_files(report: Report, code: str) -> list[dict]:
    """The unit's submissions for this run: the one used (or unusable) first, then the others."""
    files = report.files
    if files is None:  # a hand-made Report: only the accepted file is known
        file = report.units.at[code, "file"]
        if not isinstance(file, str):
            return []
        return [{"file": file, "path": None, "status": intake.ACCEPTED,
                 "period": report.period.label}]
    own = files[files["unit"] == code]
    order = {intake.ACCEPTED: 0, intake.REJECTED: 1, intake.SUPERSEDED: 2,
             intake.OTHER_PERIOD: 3}
    records = [
        {"file": r["file"], "status": r["status"],
         "path": None if pd.isna(r["path"]) else str(Path(r["path"]).absolute()),
         "period": None if pd.isna(r["period"]) else r["period"]}
        for r in own.to_dict("records")
    ]
    return sorted(records, key=lambda r: (order.get(r["status"], 9), r["file"].lower()))


def _rejection_reasons(issues: list[dict]) -> list[str]:
    """`Thiếu cột bắt buộc "Ngày vào Đảng"`, …: the errors that made a file unusable."""
    reasons = []
    for i in issues:
        if i["severity"] == ERROR and i["rule"] in REJECTING_RULES:
            reason = i["label"]
            if i["rule"] == "MISSING_COLUMN" and i["column"]:
                reason += f" \"{i['column']}\""
            if reason not in reasons:
                reasons.append(reason)
    return reasons


def _file_entries(files: list[dict], issues: list[dict]) -> list[dict]:
    accepted = next((f["file"] for f in files if f["status"] == intake.ACCEPTED), None)
    names: set[str] = set()
    entries = []
    for f in files:
        own = [i for i in issues if i["file"] == f["file"]]
        returned = None
        if f["status"] in _RETURNED_STATUSES and f["path"] and own:  # nothing to mark: not sent
            returned = returned_name(f["file"])
            n = 2
            while returned.lower() in names:  # `x.xls` and `x.xlsx` from one unit
                returned = f"{Path(f['file']).stem}{RETURNED_SUFFIX} ({n}).xlsx"
                n += 1
            names.add(returned.lower())
        entries.append({
            "file": f["file"],
            "name": Path(f["file"]).name,
            "path": f["path"],
            "status": f["status"],
            "status_vi": intake.STATUS_VI.get(f["status"], f["status"]),
            "period": f["period"],
            "other_period": f["status"] == intake.OTHER_PERIOD,
            "superseded_by": accepted if f["status"] == intake.SUPERSEDED else None,
            "reasons": _rejection_reasons(own) if f["status"] == intake.REJECTED else [],
            "errors": sum(1 for i in own if i["severity"] == ERROR),
            "warnings": sum(1 for i in own if i["severity"] == WARNING),
            "returned": returned,
            "issues": own,
        })
    return entries


def _groups(entries: list[dict]) -> list[dict]:
    """Errors first, then warnings; inside each by file, by kind (catalogue order), by place."""
    out = []
    for severity in (ERROR, WARNING):
        files = []
        for entry in entries:
            found = [i for i in entry["issues"] if i["severity"] == severity]
            if not found:
                continue
            kinds: dict[str, list[dict]] = {}
            for i in sorted(found, key=_issue_order):
                kinds.setdefault(i["rule"], []).append(i)
            files.append({"file": entry["name"], "status_vi": entry["status_vi"],
                          "kinds": [{"rule": rule, "label": items[0]["label"], "issues": items}
                                    for rule, items in kinds.items()]})
        if files:
            count = sum(len(k["issues"]) for f in files for k in f["kinds"])
            out.append({"severity": severity, "severity_vi": SEVERITY_VI[severity],
                        "count": count, "files": files})
    return out


def _issue_order(i: dict):
    return _RULE_ORDER.get(i["rule"], 999), i["sheet"] or "", i["row"] or 0, i["column"] or ""


def _listed_issues(report: Report) -> dict[str, list[dict]]:
    """unit code → the issues its feedback lists: those of its files, minus status restatements."""
    out: dict[str, list[dict]] = {}
    for i in report.issues:
        if i.unit and i.file and i.rule not in STATUS_RULES:
            out.setdefault(i.unit, []).append(_issue_dict(i))
    return out


def unit_view(report: Report, code: str, issues: list[dict] | None = None) -> dict:
    """Everything one cell's package shows, as plain values (picklable: no DataFrame, no Report).

    `issues`: the unit's listed issues when the caller has grouped them already (unit_views)."""
    units = report.units
    row = units.loc[code]
    config = report.config
    parent = row["parent"]
    parent_name = (str(units.at[parent, "name"])
                   if isinstance(parent, str) and parent != report.root else None)
    if issues is None:
        issues = _listed_issues(report).get(code, [])
    files = _unit_files(report, code)
    known = {f["file"] for f in files}
    for name in sorted({i["file"] for i in issues} - known):  # a file the frame does not list
        files.append({"file": name, "path": None, "status": intake.REJECTED, "period": None})
    entries = _file_entries(files, issues)
    period = report.period
    return {
        "code": code,
        "unit": {"code": code, "name": str(row["name"]), "type": str(row["type"]),
                 "parent_name": parent_name, "status": str(row["status"])},
        "header": {"superior_body": config.superior_body, "issuing_body": config.issuing_body,
                   "date_line": vn.date_line(config.place, report.report_date)},
        "committee_name": config.committee_name,
        "period": {"label": period.label, "slug": period.slug, "year": period.year,
                   "start": vn.short_date(period.start), "end": vn.short_date(period.end),
                   "year_start": vn.short_date(period.year_start)},
        "report_date": vn.short_date(report.report_date),
        "pdf_name": pdf_name(code, period.slug),
        "files": entries,
        "used_file": next((e for e in entries if e["status"] == intake.ACCEPTED), None),
        "rejected_files": [e for e in entries if e["status"] == intake.REJECTED],
        "unused_files": [e for e in entries
                         if e["status"] in (intake.SUPERSEDED, intake.OTHER_PERIOD)],
        "figures": _figures(report, code),
        "errors": sum(1 for i in issues if i["severity"] == ERROR),
        "warnings": sum(1 for i in issues if i["severity"] == WARNING),
        "groups": _groups(entries),
        "returned": [],   # filled by render_unit_package with the copies actually written
    }


def unit_views(report: Report) -> list[dict]:
    """One view per cell (chi bộ), in tree order."""
    cells = report.units.index[report.units["is_cell"].astype(bool)]
    listed = _listed_issues(report)
    return [unit_view(report, code, listed.get(code, [])) for code in cells]


# --- one package ----------------------------------------------------------------------------

def render_unit_package(view: dict, out_dir: Path) -> list[Path]:
    """Write one cell's package into `out_dir`: returned workbooks first, then the PDF naming them.

    Top-level and plain-argument so a process pool can call it. Files a previous run left in
    `out_dir` under our names (a workbook since replaced, say) are removed.
    """
    from pipeline.render.feedback import annotate_workbook, write_feedback_pdf

    out_dir = Path(out_dir)
    written: list[Path] = []
    returned: list[str] = []
    for entry in view["files"]:
        if not entry["returned"]:
            continue
        target = out_dir / entry["returned"]
        path = annotate_workbook(Path(entry["path"]), target, entry["issues"])
        if path is not None:
            written.append(path)
            returned.append(entry["returned"])
    written.append(write_feedback_pdf(dict(view, returned=returned), out_dir / view["pdf_name"]))
    _remove_stale(out_dir, written)
    return written


def _remove_stale(out_dir: Path, keep: list[Path]) -> None:
    keep_names = {p.name for p in keep}
    for path in out_dir.iterdir():
        ours = (path.name.startswith("phan-hoi-") and path.suffix == ".pdf") or \
               (RETURNED_SUFFIX in path.stem and path.suffix == ".xlsx")
        if ours and path.is_file() and path.name not in keep_names:
            path.unlink()


# --- all packages: reuse what has not changed, render the rest ---------------------------------

@dataclass(frozen=True)
class FeedbackResult:
    paths: list[Path] = field(default_factory=list)   # every package's files, in tree order
    rendered: list[str] = field(default_factory=list)  # unit codes made in this run
    reused: list[str] = field(default_factory=list)    # unit codes kept from an earlier run


def write_feedback(report: Report, folder: Path, progress: Progress = lambda it: it,
                   executor: Executor | None = None, reuse: bool = True) -> FeedbackResult:
    """Every cell's feedback package under `folder/units/<code>/`.

    A package whose key (package_key) equals the one stored beside it, and whose files are still
    there as written, is reused; the others are rendered, one task per cell on `executor`
    (pipeline.parallel.make_executor; None: in this process); `progress` is handed the tasks as
    a sized iterable (len: the packages to render) that yields as each one finishes. Each cell's
    `.key` is written only once its package is complete, so an interrupted run resumes where it
    stopped. `reuse=False` renders every package (and records new keys).

    Every package shows the committee's totals, so a change in any cell's figures (a file sent
    again with one more member) re-renders every package; so does a run on another day when
    the report date is today's (no `report_date` in the configuration, no --date), as every
    package is dated. A file sent again with the same content, a setting the packages do not
    show, or a copied inbox re-renders none.
    """
    from pipeline.parallel import InlineExecutor, run_tasks

    folder = Path(folder)
    renderer = renderer_digest()
    files: dict[str, list[Path]] = {}
    reused: list[str] = []
    todo: list[tuple[str, dict, Path, str]] = []
    views = unit_views(report)
    for view in views:
        out_dir = unit_folder(folder, view["code"])
        key = package_key(view, renderer)
        kept = _kept_package(out_dir, key) if reuse else None
        if kept is not None:
            files[view["code"]] = kept
            reused.append(view["code"])
        else:
            (out_dir / KEY_FILE).unlink(missing_ok=True)
            todo.append((view["code"], view, out_dir, key))

    tasks = run_tasks(executor or InlineExecutor(), render_unit_package,
                      [(view, out_dir) for _, view, out_dir, _ in todo])
    for index, written in progress(tasks):
        code, _, out_dir, key = todo[index]
        _record_package(out_dir, key, written)
        files[code] = written
    return FeedbackResult(paths=[p for view in views for p in files[view["code"]]],
                          rendered=[code for code, *_ in todo], reused=reused)


# --- what a package is made from ----------------------------------------------------------------

PACKAGE_DIR = Path(__file__).resolve().parent
# The feedback PDF's template, its stylesheet and the fonts the stylesheet loads.
RENDER_TEMPLATES = ("feedback.html.j2", "print.css", "fonts")
# Libraries whose version can change the bytes of a PDF or a returned workbook.
RENDER_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "openpyxl", "python-calamine", "jinja2")


def renderer_digest() -> str:
    """The program side of every package's key: the version, the feedback template, its CSS and
    fonts, the package's own source (so a change made without a version bump still re-renders)
    and the rendering libraries' versions."""
    from importlib import metadata

    from pipeline.render.committee import TEMPLATES_DIR

    digest = hashlib.sha256(f"pipeline {pipeline.__version__}\n".encode())
    sources = [(f"pipeline/{p.relative_to(PACKAGE_DIR).as_posix()}", p)
               for p in PACKAGE_DIR.rglob("*.py")]
    for name in RENDER_TEMPLATES:
        path = TEMPLATES_DIR / name
        found = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        sources += [(f"templates/{p.relative_to(TEMPLATES_DIR).as_posix()}", p) for p in found]
    for label, path in sorted(sources):
        digest.update(label.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in RENDER_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    return digest.hexdigest()


def package_key(view: dict, renderer: str) -> str:
    """sha256 of everything one package is made from: the bytes of each of the unit's submitted
    files, its view (its figures, its parent's and the committee's, its issues, the names and
    settings it shows) and the program (renderer_digest).

    Where a file was read from is left out (its bytes are in): moving the inbox re-renders
    nothing. A file's modification time is not in it either.
    """
    sources = {f["file"]: _file_digest(f["path"]) for f in view["files"] if f["path"]}
    content = {"format": KEY_FORMAT, "renderer": renderer, "sources": sources,
               "view": _without_paths(view)}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:  # gone or unreadable since it was read: the package says so, keyed as such
        return "unreadable"
    return digest.hexdigest()


def _without_paths(value):
    if isinstance(value, dict):
        return {k: _without_paths(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list):
        return [_without_paths(v) for v in value]
    return value


def _kept_package(out_dir: Path, key: str) -> list[Path] | None:
    """The package's files if `out_dir` holds one made from `key` and each file is still the size
    it was written at (a returned workbook opened and saved by hand is made again); else None."""
    try:
        stored = json.loads((out_dir / KEY_FILE).read_text(encoding="utf-8"))
        if stored["key"] != key:
            return None
        paths = []
        for name, size in stored["files"]:
            path = out_dir / name
            if path.stat().st_size != size:
                return None
            paths.append(path)
        return paths
    except (OSError, ValueError, KeyError, TypeError):  # no key yet, a file gone, a damaged key
        return None


def _record_package(out_dir: Path, key: str, written: list[Path]) -> None:
    record = {"key": key, "files": [[p.name, p.stat().st_size] for p in written]}
    with atomic_path(out_dir / KEY_FILE) as tmp:
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
