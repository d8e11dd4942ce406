"""What a run saw and what it changed: `manifest.json` and `history.jsonl` of a quarter's folder.

The manifest lists every file of the inbox (ignored ones too) with its size, SHA-256, modification
time, when it was first seen, the unit and period it resolved to, its status and why; the program's
version and hashes of the configuration and the register. The same inbox gives the same manifest,
times aside. It also says which cells' figures changed since the previous run of the quarter, and
because of which file. `history.jsonl` gets one line per run: its times, totals and changes.
docs/outputs.md describes both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from pipeline import __version__, intake, privacy
from pipeline.arrivals import Arrival, sha256_of
from pipeline.config import Config
from pipeline.files import atomic_path
from pipeline.outputs import SUMMARY_NAME
from pipeline.render.vn import number
from pipeline.report import Report
from pipeline.rulebook import ERROR, sort_key
from pipeline.status import FileStatus, UnitStatus

MANIFEST_NAME = "manifest.json"
HISTORY_NAME = "history.jsonl"
IGNORED = "ignored"
# A cell's figures that, when they change, are said (in this order, in these words).
WATCHED = {"members": "đảng viên", "admitted_quarter": "kết nạp trong quý", "admitted_ytd": "kết nạp từ đầu năm",
           "probationary": "dự bị", "candidates": "quần chúng ưu tú"}
STATUS_WORDS = {UnitStatus.ACCEPTED: "đã nhận", UnitStatus.REJECTED: "tệp không dùng được",
                UnitStatus.MISSING: "chưa gửi"}


def config_digest(config: Config) -> str:
    """SHA-256 of the settings in effect (whatever file, order or comments they came from)."""
    text = json.dumps(dataclasses.asdict(config), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def previous_summary(folder: Path) -> dict | None:
    """The figures the previous run of this quarter wrote (None: first run, or unreadable)."""
    try:
        return json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ignored_files(inbox: Path) -> list[tuple[str, str]]:
    """(name inside the inbox, why) for every file the reading leaves alone (lock, partial, hidden…)."""
    out = []
    for path in Path(inbox).rglob("*"):
        if path.is_file():
            reason = intake.ignored_reason(path.name)
            if reason:
                out.append((str(path.relative_to(inbox)), reason))
    return sorted(out, key=lambda item: item[0].lower())


# ---------- what changed ----------

def changes(before: dict | None, report: Report, arrivals: dict[str, Arrival]) -> list[dict]:
    """Each cell whose status or figures differ from `before` (the previous summary.json): what,
    from and to, because of which file and when it came. Nothing on a quarter's first run."""
    if before is None:
        return []
    old = {u["code"]: u for u in before.get("units", [])}
    out = []
    cells = report.units[report.units["is_cell"]]
    for code, unit in zip(cells.index, cells.to_dict("records")):
        was = old.get(code)
        now = {"status": str(unit["status"]), **{k: int(unit[k]) for k in WATCHED}}
        then = None if was is None else {"status": was.get("status"), **{k: was.get(k) for k in WATCHED}}
        if then == now:
            continue
        parts = []
        if then is None:
            parts.append("đơn vị mới trong danh mục")
        else:
            if then["status"] != now["status"]:
                parts.append(f"{STATUS_WORDS.get(then['status'], then['status'])} → {STATUS_WORDS[now['status']]}")
            if then["status"] == UnitStatus.MISSING and now["status"] == UnitStatus.ACCEPTED:
                parts.append(f"{number(now['members'])} đảng viên")   # all figures new: the count says enough
            else:
                parts += [f"{number(then[k])} → {number(now[k])} {words}" for k, words in WATCHED.items()
                          if then[k] is not None and then[k] != now[k]]
        file, seen = _cause(report, code, unit, was, arrivals)
        if file:
            again = "gửi lại" if was is not None and was.get("status") != UnitStatus.MISSING else "gửi"
            when = f" lúc {seen:%H:%M %d/%m/%Y}" if seen else ""
            parts.append(f"tệp {file} {again}{when}")
        elif now["status"] == UnitStatus.MISSING and was and was.get("file"):
            parts.append(f"tệp {was['file']} không còn trong thư mục nhận")
        out.append({"unit": code, "name": unit["name"], "before": then, "after": now, "file": file,
                    "first_seen": seen.isoformat(timespec="seconds") if seen else None,
                    "text": f"{code}: " + ", ".join(parts)})
    return out


def _cause(report: Report, code: str, unit: dict, was: dict | None,
           arrivals: dict[str, Arrival]) -> tuple[str | None, dt.datetime | None]:
    """The file behind a cell's change: its accepted file, else its newest file for the period."""
    file = unit["file"] if isinstance(unit["file"], str) else None
    if not file:
        files = report.files
        mine = files[(files["unit"] == code) & (files["period"] == report.period.label)]["file"].tolist()
        mine.sort(key=lambda f: arrivals[f].first_seen if f in arrivals else dt.datetime.min.astimezone())
        file = mine[-1] if mine else None
    arrival = arrivals.get(file) if file else None
    return file, arrival.first_seen if arrival else None


# ---------- the manifest ----------

def manifest(report: Report, *, inbox: Path, register: Path, arrivals: dict[str, Arrival],
             ignored: list[tuple[str, str]], changed: list[dict], previous_run: str | None,
             now: dt.datetime) -> dict:
    reasons = _reasons(report)
    files = []
    for row in report.files.to_dict("records"):
        arrival = arrivals.get(row["file"])
        files.append({
            "file": row["file"], "size": arrival.size if arrival else None,
            "sha256": arrival.sha256 if arrival else None,
            "modified": arrival.modified.isoformat(timespec="seconds") if arrival else None,
            "first_seen": arrival.first_seen.isoformat(timespec="seconds") if arrival else None,
            "unit": row["unit"], "period": row["slug"],
            "status": str(row["status"]), "status_vi": row["status_vi"], "reason": reasons.get(row["file"]),
            "errors": int(row["errors"]), "warnings": int(row["warnings"])})
    for name, reason in ignored:
        path = Path(inbox) / name
        stat = path.stat() if path.exists() else None
        files.append({"file": name, "size": stat.st_size if stat else None, "sha256": None,
                      "modified": dt.datetime.fromtimestamp(stat.st_mtime).astimezone().isoformat(timespec="seconds")
                      if stat else None, "first_seen": None, "unit": None, "period": None, "status": IGNORED,
                      "status_vi": "Bỏ qua", "reason": reason, "errors": 0, "warnings": 0})
    files.sort(key=lambda f: f["file"].lower())
    p = report.period
    return {
        "program": {"name": "pipeline", "version": __version__},
        "config_sha256": config_digest(report.config),
        "register_sha256": sha256_of(register),
        "inbox": str(inbox),
        "period": {"year": p.year, "quarter": p.quarter, "label": p.label, "slug": p.slug},
        "generated_at": now.isoformat(timespec="seconds"),
        "previous_run": previous_run,
        "deadline": report.deadline.isoformat() if report.deadline else None,
        "files": files,
        "changes": changed,
    }


def _reasons(report: Report) -> dict[str, str]:
    """Why each file that is not used is not used, in the words of its issue."""
    by_file: dict[str, list] = {}
    for issue in sorted(report.issues, key=sort_key):
        if issue.file is not None:
            by_file.setdefault(issue.file, []).append(issue)
    out = {}
    for row in report.files.to_dict("records"):
        found = by_file.get(row["file"], [])
        status = row["status"]
        wanted = {FileStatus.SUPERSEDED: ("DUPLICATE_SUBMISSION",), FileStatus.OTHER_PERIOD: ("OTHER_PERIOD",)}
        if status in wanted:
            hit = next((i for i in found if i.rule in wanted[status]), None)
        elif status == FileStatus.REJECTED:
            hit = next((i for i in found if i.severity == ERROR), None)
        else:
            continue
        out[row["file"]] = privacy.mask(hit.message) if hit else FileStatus(status).vi
    return out


def write_manifest(folder: Path, content: dict) -> Path:
    path = folder / MANIFEST_NAME
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def append_history(folder: Path, report: Report, changed: list[dict], *, started: dt.datetime,
                   finished: dt.datetime, command: str) -> Path:
    """One line for this run at the end of `history.jsonl` (a line is written whole, or not at all)."""
    totals = report.totals
    line = {"started": started.isoformat(timespec="seconds"), "finished": finished.isoformat(timespec="seconds"),
            "pid": os.getpid(), "command": command,
            "totals": {k: int(totals[k]) for k in ("members", "admitted_quarter", "admitted_ytd")},
            "coverage": {"expected": report.coverage.expected, "accepted": report.coverage.accepted,
                         "on_time": report.coverage.on_time, "late": report.coverage.late},
            "changes": [c["text"] for c in changed]}
    path = folder / HISTORY_NAME
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path
