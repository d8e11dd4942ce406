"""Report → one plain view per cell (chi bộ): everything its feedback package shows, words already
chosen and numbers already formatted, and the names of the package's files.

A view is a dict of plain values (picklable: no DataFrame, no Report), so a process pool can render
it (`pipeline.feedback.packages`) and its key can be computed from it (`pipeline.feedback.cache`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.config import Config
from pipeline.files import safe_name
from pipeline.render import vn
from pipeline.report import Report
from pipeline.rulebook import ERROR, RULE_ORDER, RULES, SEVERITY_VI, UNREAD_RULES, WARNING, Issue, Unusable
from pipeline.status import FileStatus, UnitStatus

UNITS_DIR = "units"
RETURNED_SUFFIX = " - da kiem tra"
# Issues that only restate a unit's or a file's status (no file sent; file unusable; another
# period; a newer file used): the status section says them, the list of problems does not.
STATUS_RULES = frozenset(code for code, rule in RULES.items() if rule.restates_status)
# Problems that can make a file unusable: named as the reason in the status section.
REJECTING_RULES = frozenset(code for code, rule in RULES.items() if rule.unusable is not Unusable.NO)
# Files returned with their issues marked (when they have any): the one used, or one that could
# not be.
_RETURNED_STATUSES = (FileStatus.ACCEPTED, FileStatus.REJECTED)

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


# What a package shows of a unit's row of Report.units (its own, its parent's, the committee's):
# the figure table's values and what `_figure_column` and `unit_view` read besides. A package's key
# (`feedback.cache.input_keys`) is made from these columns alone, so a column the packages do not
# show (the errors counted over the whole committee, say) re-renders nothing.
SHOWN_COLUMNS = (*(key for key, _ in FIGURE_ROWS if key != "achievement"), "admitted_ytd", "cells_expected",
                 "cells_accepted", "name", "type", "parent", "status")


def listed_issues(report: Report) -> dict[str, list[dict]]:
    """unit code → the issues its feedback lists: those of its files, minus status restatements."""
    return _listed_issues(report)


def pdf_name(code: str, slug: str) -> str:
    """`phan-hoi-CB-PC02-2022-Q3.pdf`."""
    return f"phan-hoi-{safe_name(code)}-{slug}.pdf"


def returned_name(file: str) -> str:
    """`CB-PC02_2022-Q3 - da kiem tra.xlsx` for `CB-PC02_2022-Q3.xls` (always .xlsx)."""
    return f"{Path(file).stem}{RETURNED_SUFFIX}.xlsx"


def unit_folder(folder: Path, code: str) -> Path:
    return Path(folder) / UNITS_DIR / safe_name(code)


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


def _figure_column(code: str, row: pd.Series, decimals: int, *, is_unit: bool) -> dict:
    expected, accepted = _int(row["cells_expected"]), _int(row["cells_accepted"])
    if is_unit:
        has_figures = row["status"] == UnitStatus.ACCEPTED
        note = UnitStatus(row["status"]).note
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
    d["label"] = issue.label
    d["severity_vi"] = SEVERITY_VI.get(issue.severity, issue.severity)
    return d


def _unit_files(report: Report, code: str, grouped: dict[str, list[dict]] | None = None) -> list[dict]:
    """The unit's submissions for this run: the one used (or unusable) first, then the others.
    `grouped`: every unit's, from `files_by_unit` (for many units at once)."""
    files = report.files
    if files is None:  # a hand-made Report: only the accepted file is known
        file = report.units.at[code, "file"]
        if not isinstance(file, str):
            return []
        return [{"file": file, "path": None, "status": FileStatus.ACCEPTED,
                 "period": report.period.label}]
    if grouped is None:
        grouped = files_by_unit(files[files["unit"] == code])
    order = {FileStatus.ACCEPTED: 0, FileStatus.REJECTED: 1, FileStatus.SUPERSEDED: 2,
             FileStatus.OTHER_PERIOD: 3}
    return sorted(grouped.get(code, []), key=lambda r: (order.get(r["status"], 9), r["file"].lower()))


def files_by_unit(files: pd.DataFrame | None) -> dict[str, list[dict]]:
    """unit code → its rows of Report.files as the views want them (one pass over the frame)."""
    grouped: dict[str, list[dict]] = {}
    if files is None:
        return grouped
    for unit, file, status, path, period in files[["unit", "file", "status", "path", "period"]].itertuples(
            index=False):
        grouped.setdefault(unit, []).append({
            "file": file, "status": status, "path": None if pd.isna(path) else str(Path(path).absolute()),
            "period": None if pd.isna(period) else period})
    return grouped


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
    accepted = next((f["file"] for f in files if f["status"] == FileStatus.ACCEPTED), None)
    names: set[str] = set()
    entries = []
    for f in files:
        own = [i for i in issues if i["file"] == f["file"]]
        returned = None
        # nothing to mark: not sent; nor a file the reader refused (a bomb is not opened twice)
        if f["status"] in _RETURNED_STATUSES and f["path"] and own and not any(i["rule"] in UNREAD_RULES for i in own):
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
            "status_vi": FileStatus(f["status"]).vi,
            "period": f["period"],
            "other_period": f["status"] == FileStatus.OTHER_PERIOD,
            "superseded_by": accepted if f["status"] == FileStatus.SUPERSEDED else None,
            "reasons": _rejection_reasons(own) if f["status"] == FileStatus.REJECTED else [],
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
    return RULE_ORDER.get(i["rule"], 999), i["sheet"] or "", i["row"] or 0, i["column"] or ""


def _listed_issues(report: Report) -> dict[str, list[dict]]:
    """unit code → the issues its feedback lists: those of its files, minus status restatements."""
    out: dict[str, list[dict]] = {}
    for i in report.issues:
        if i.unit and i.file and i.rule not in STATUS_RULES:
            out.setdefault(i.unit, []).append(_issue_dict(i))
    return out


def _notice(config: Config, report: Report, name: str, parent_name: str | None) -> dict:
    """The notice's own parts (Hướng dẫn 36-HD/VPTW): the issuing body's header, its number line,
    the place and date, who speaks in its sentences, the signature, and Nơi nhận: the cell first
    ("Chi bộ … (Đảng bộ …),"), then the configured recipients; the last line ends with a full stop."""
    notice = config.feedback.resolved(config)
    cell = f"{name} ({parent_name})" if parent_name else name
    lines = [f"{cell},", *notice.recipients] if notice.recipients else [f"{cell}."]
    return {
        "header": {"superior_body": notice.superior_body, "issuing_body": notice.issuing_body,
                   "number_line": notice.number_line,
                   "date_line": vn.date_line(config.place, report.report_date)},
        "issuer_name": notice.issuer_name,
        "signature": {"on_behalf": notice.signer_on_behalf, "title": notice.signer_title,
                      "name": notice.signer_name},
        "recipients": lines,
    }


def unit_view(report: Report, code: str, issues: list[dict] | None = None,
              files: dict[str, list[dict]] | None = None) -> dict:
    """Everything one cell's package shows, as plain values (picklable: no DataFrame, no Report).

    `issues`, `files`: the unit's listed issues and every unit's files (files_by_unit) when the
    caller has grouped them already (unit_views)."""
    units = report.units
    row = units.loc[code]
    config = report.config
    parent = row["parent"]
    parent_name = (str(units.at[parent, "name"])
                   if isinstance(parent, str) and parent != report.root else None)
    if issues is None:
        issues = _listed_issues(report).get(code, [])
    own = _unit_files(report, code, files)
    known = {f["file"] for f in own}
    for name in sorted({i["file"] for i in issues} - known):  # a file the frame does not list
        own.append({"file": name, "path": None, "status": FileStatus.REJECTED, "period": None})
    entries = _file_entries(own, issues)
    period = report.period
    return {
        "code": code,
        "unit": {"code": code, "name": str(row["name"]), "type": str(row["type"]),
                 "parent_name": parent_name, "status": str(row["status"])},
        **_notice(config, report, str(row["name"]), parent_name),
        "committee_name": config.committee_name,
        "period": {"label": period.label, "slug": period.slug, "year": period.year,
                   "start": vn.short_date(period.start), "end": vn.short_date(period.end),
                   "year_start": vn.short_date(period.year_start)},
        "report_date": vn.short_date(report.report_date),
        "pdf_name": pdf_name(code, period.slug),
        "files": entries,
        "used_file": next((e for e in entries if e["status"] == FileStatus.ACCEPTED), None),
        "rejected_files": [e for e in entries if e["status"] == FileStatus.REJECTED],
        "unused_files": [e for e in entries
                         if e["status"] in (FileStatus.SUPERSEDED, FileStatus.OTHER_PERIOD)],
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
    files = files_by_unit(report.files)
    return [unit_view(report, code, listed.get(code, []), files) for code in cells]
