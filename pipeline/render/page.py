"""The quarter on one page: `<out>/<year>-Q<q>/index.html`, and the words of the `status` table.

    write_status_page(Path("output/2022-Q3"), Path("output"))    # → output/2022-Q3/index.html

One static HTML file (templates/status_page.html.j2): CSS and a small script inline, links
relative to the quarter's folder, nothing fetched from anywhere, so it opens by double-click and
still works when the folder is copied to a share or a USB stick. It shows what `standing.read_standing`
reads back (summary.json, manifest.json, the delivery ledger): the committee's totals and
coverage, the changes since the last run, and the tree of units with each one's status, timeliness,
issues and feedback, with a status filter and a search by name or code.

`unit_rows` and `total_lines` say a unit and the totals in words; the `status` command prints the
same words, so the page and the terminal cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from pipeline.files import atomic_path
from pipeline.render import vn
from pipeline.render.pdf import environment
from pipeline.standing import LEDGER_NAME, Mail, Standing, UnitStanding, read_standing
from pipeline.status import Timeliness, UnitStatus

TEMPLATE = "status_page.html.j2"
PAGE_NAME = "index.html"
RATE_DECIMALS = 1

# What became of a mail (pipeline.delivery's states), as a clerk says it.
MAIL_VI = {"sent": "Đã gửi", "failed": "Gửi không được", "unknown": "Chưa rõ đã tới", "sending": "Đang gửi"}

# The page's status filter: key → label. A key is one of a cell's `tags` (committees have none:
# a filter shows the cells it picks and, dimmed, the committees above them).
FILTERS_DEADLINE = {"on_time": "Đúng hạn", "late": "Muộn"}
FILTERS_UNDATED = {"accepted": "Đã nhận"}
FILTERS_ALWAYS = {"missing": "Chưa gửi", "rejected": "Tệp không dùng được", "errors": "Có lỗi",
                  "unsent": "Chưa gửi phản hồi"}


# A unit's counts are small numbers, the same few over and over: Babel formats each once (at
# 7,000 cells it would otherwise be most of the page's time).
_count = functools.lru_cache(maxsize=4096)(vn.number)


@dataclass(frozen=True)
class UnitRow:
    """One unit in words, as the page's table and the `status` table say it."""

    unit: UnitStanding
    status: str         # "Đã nhận", "Chưa gửi", "Tổng hợp"
    timeliness: str     # "Đúng hạn", "Muộn 3 ngày", "Chưa đến hạn", "Quá hạn"; a committee: its counts
    feedback: str       # "Đã gửi 09:12 02/10/2022", "Chưa gửi thư", "–"
    feedback_note: str  # "550 …" (why it failed), "gói đã đổi sau đó, chưa gửi lại", "đã nhắc …", or ""
    tags: tuple[str, ...]   # the filters that pick it (cells only)

    @property
    def said_feedback(self) -> str:
        """The feedback and its note on one line (the terminal, the JSON)."""
        return f"{self.feedback} ({self.feedback_note})" if self.feedback_note else self.feedback


def moment(iso: str | None) -> str:
    """`2022-10-02T09:12:40+07:00` → `09:12 02/10/2022` (the time as it was written, in its zone)."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{t:%H:%M %d/%m/%Y}"


def _mail_words(mail: Mail) -> tuple[str, str]:
    """(what became of it and when, why: the server's refusal, or a package changed since)."""
    words = f"{MAIL_VI.get(mail.state, mail.state)} {moment(mail.at)}".strip()
    if mail.outdated:
        return words, "gói đã đổi sau đó, chưa gửi lại"
    return words, mail.reply if mail.state == "failed" else ""


def _timeliness_words(u: UnitStanding, dated: bool) -> str:
    if not u.is_cell:
        said = f"có số liệu {_count(u.cells_accepted)}/{_count(u.cells_expected)}"
        if dated and u.cells_on_time is not None:
            said += f", đúng hạn {_count(u.cells_on_time)}, muộn {_count(u.cells_late or 0)}"
        return said[0].upper() + said[1:]
    t = Timeliness(u.timeliness) if u.timeliness else None
    if t in (Timeliness.ON_TIME, Timeliness.LATE):
        return t.words(u.days_late)
    if t is Timeliness.AWAITING:
        return "Chưa đến hạn"
    if t is Timeliness.MISSING and dated:
        return "Quá hạn"
    return vn.NOT_APPLICABLE   # received with no deadline set, rejected, missing with no deadline


def _feedback_words(u: UnitStanding) -> tuple[str, str]:
    """(the feedback's state, a note: why it failed, a package changed since, a reminder sent)."""
    if u.feedback is not None:
        words, note = _mail_words(u.feedback)
        if not u.is_cell:   # the root: its report, mailed to [send] report_to
            words = f"Báo cáo: {words[0].lower()}{words[1:]}"
    elif not u.is_cell:
        words, note = ("Chưa gửi báo cáo" if u.parent is None else vn.NOT_APPLICABLE), ""
    else:
        words, note = ("Chưa gửi thư" if u.package else "Chưa có gói phản hồi"), ""
    if u.is_cell and u.reminder is not None and u.status != UnitStatus.ACCEPTED:
        note = "; ".join(x for x in (note, f"đã nhắc {moment(u.reminder.at)}") if x)
    return words, note


def _tags(u: UnitStanding) -> tuple[str, ...]:
    if not u.is_cell:
        return ()
    tags = [u.status]
    if u.timeliness in (Timeliness.ON_TIME, Timeliness.LATE):
        tags.append(u.timeliness)
    if u.errors:
        tags.append("errors")
    if u.package and not (u.feedback and u.feedback.state == "sent" and not u.feedback.outdated):
        tags.append("unsent")
    return tuple(tags)


def unit_rows(standing: Standing) -> list[UnitRow]:
    """Every unit along the tree (root first), in words."""
    dated = standing.deadline_date is not None
    return [UnitRow(unit=u, status=UnitStatus(u.status).vi, timeliness=_timeliness_words(u, dated),
                    feedback=feedback, feedback_note=note, tags=_tags(u))
            for u in standing.units for feedback, note in [_feedback_words(u)]]


def total_lines(standing: Standing) -> list[str]:
    """The committee's figures and coverage in sentences (the `status` command's closing lines)."""
    t, c = standing.totals, standing.coverage
    lines = [f"{standing.committee}, {standing.label}: {vn.number(t['members'])} đảng viên; kết nạp trong quý "
             f"{vn.number(t['admitted_quarter'])}, từ đầu năm {vn.number(t['admitted_ytd'])} "
             f"({vn.percent(t.get('admitted_ytd_ratio'), RATE_DECIMALS)} tổng số đảng viên)."]
    coverage = (f"Chi bộ có số liệu: {vn.number(c['accepted'])}/{vn.number(c['expected'])} "
                f"({vn.percent(c.get('completeness_rate'), RATE_DECIMALS)}); chưa gửi: {vn.number(len(c['missing']))}; "
                f"tệp không dùng được: {vn.number(len(c['rejected']))}")
    day = standing.deadline_date
    if day is not None:
        coverage += (f"; đúng hạn: {vn.number(c.get('on_time', 0))} ({vn.percent(c.get('on_time_rate'), RATE_DECIMALS)}), "
                     f"muộn: {vn.number(c.get('late', 0))}")
    lines.append(coverage + ".")
    if day is not None:
        rule = (standing.deadline or {}).get("rule")
        lines.append(f"Hạn nộp: {vn.short_date(day)}" + (f" ({rule})" if rule else "") + ".")
    else:
        lines.append("Chưa đặt hạn nộp (mục [deadlines] trong tệp cấu hình): không xét đúng hạn, muộn.")
    return lines


def change_lines(standing: Standing) -> list[str]:
    """"Thay đổi so với lần chạy trước" and its lines, or one line saying there are none (or that the
    folder predates the manifest)."""
    if not standing.has_manifest:
        return ["Thư mục này do phiên bản cũ làm (không có manifest.json): chưa biết thay đổi so với lần chạy trước."]
    if not standing.changes:
        first = standing.previous_run is None
        return ["Lần chạy đầu tiên của kỳ này." if first else "Không có thay đổi so với lần chạy trước."]
    when = f" ({moment(standing.previous_run)})" if standing.previous_run else ""
    return [f"Thay đổi so với lần chạy trước{when}:"] + [f"- {text}" for text in standing.changes]


def status_document(standing: Standing) -> dict:
    """`status --json`: the standing as one JSON document, each unit with its words beside its values."""
    doc = standing.as_dict()
    for unit, row in zip(doc["units"], unit_rows(standing)):
        unit.update(status_vi=row.status, timeliness_vi=row.timeliness, feedback_vi=row.said_feedback)
    doc["lines"] = total_lines(standing)
    return doc


def _href(relative: str | None) -> str | None:
    """A relative link that survives spaces and Vietnamese letters in a file or unit name."""
    return "/".join(quote(part) for part in relative.split("/")) if relative else None


def _word_copy(standing: Standing) -> str | None:
    """The committee report's Word copy beside its PDF (render.word.docx_name), if written."""
    if not standing.pdf:
        return None
    name = standing.pdf.removesuffix(".pdf") + ".docx"
    return name if (standing.folder / name).is_file() else None


def page_context(standing: Standing, written: dt.datetime) -> dict:
    """The template's values: the page lays them out only."""
    t, c = standing.totals, standing.coverage
    day = standing.deadline_date
    filters = {"all": "Tất cả"} | (FILTERS_DEADLINE if day else FILTERS_UNDATED) | FILTERS_ALWAYS
    rows = unit_rows(standing)
    counts = {key: sum(key in r.tags for r in rows) for key in filters}
    counts["all"] = len(rows)
    return {
        "title": f"{standing.committee} — tình hình báo cáo {standing.label}",
        "committee": standing.committee,
        "label": standing.label,
        "written": moment(written.isoformat()),
        "generated_at": moment(standing.generated_at),
        "totals": {
            "members": vn.number(t["members"]), "admitted_quarter": vn.number(t["admitted_quarter"]),
            "admitted_ytd": vn.number(t["admitted_ytd"]),
            "ratio": vn.percent(t.get("admitted_ytd_ratio"), RATE_DECIMALS),
            "target_year": vn.number(t["target_year"]) if t.get("target_year") else None,
        },
        "coverage": {
            "accepted": vn.number(c["accepted"]), "expected": vn.number(c["expected"]),
            "completeness": vn.percent(c.get("completeness_rate"), RATE_DECIMALS),
            "missing": vn.number(len(c["missing"])), "rejected": vn.number(len(c["rejected"])),
            "on_time": vn.number(c.get("on_time", 0)), "late": vn.number(c.get("late", 0)),
            "on_time_rate": vn.percent(c.get("on_time_rate"), RATE_DECIMALS),
            "complete": bool(c.get("complete")), "missing_n": len(c["missing"]), "rejected_n": len(c["rejected"]),
            "late_n": c.get("late", 0),
        },
        "deadline": vn.short_date(day) if day else None,
        "deadline_rule": (standing.deadline or {}).get("rule"),
        "changes_heading": (f"So với lần chạy lúc {moment(standing.previous_run)}:" if standing.previous_run
                            else "So với lần chạy trước:") if standing.changes else change_lines(standing)[0],
        "changes": standing.changes,
        "has_ledger": standing.has_ledger,
        "pdf": _href(standing.pdf), "pdf_name": standing.pdf,
        "docx": _href(_word_copy(standing)),
        "workbook": _href(standing.workbook), "workbook_name": standing.workbook,
        "filters": [(key, label, counts[key]) for key, label in filters.items()],
        "rows": [_row_html(r) for r in rows],
    }


@functools.lru_cache(maxsize=4096, typed=True)
def _said(value) -> str:
    """A value as Jinja writes it into the page (markupsafe.escape), for the values repeated down
    the table (statuses, words, counts, parents, depths): each escaped once."""
    return str(escape(value))


def _row_html(r: UnitRow) -> Markup:
    """One unit's row of the page's table, as the template places it (after 6 spaces, before a line
    break). Formatted here rather than by Jinja: its 17 values for each of 8,000 units cost Jinja
    ~1 s (an attribute lookup and an escape call apiece); this, ~0.1 s. Every value is escaped as
    Jinja would escape it (markupsafe.escape of the same object)."""
    u = r.unit
    code, name = escape(u.code), escape(u.name)
    status = _said(u.status)
    members = _count(u.members) if u.status in (UnitStatus.ACCEPTED, UnitStatus.AGGREGATE) else vn.NOT_APPLICABLE
    sent = " sent" if u.feedback and u.feedback.state == "sent" and not u.feedback.outdated else ""
    note = f"<br><small>{escape(r.feedback_note)}</small>" if r.feedback_note else ""
    links = ""
    if u.package:
        links = (f'<a class="package" href="{escape(_href(u.package))}">PDF</a><span class="folder"> · '
                 f'<a href="{escape(_href(u.package.rsplit("/", 1)[0] + "/"))}">thư mục</a></span>')
    return Markup(
        f'<tr role="row" class="{"cell" if u.is_cell else "aggregate"}" data-code="{code}" data-name="{name}"\n'
        f'          data-parent="{_said(u.parent or "")}" data-status="{status}" data-tags="{_said(" ".join(r.tags))}">\n'
        f'        <td role="cell" class="code">{code}</td>\n'
        f'        <td role="cell" class="name" style="padding-left: calc(8px + {_said(u.depth * 1.4)}em)">{name}</td>\n'
        f'        <td role="cell" class="status s-{status}">{_said(r.status)}</td>\n'
        f'        <td role="cell" class="timeliness t-{_said(u.timeliness or "")}">{_said(r.timeliness)}</td>\n'
        f'        <td role="cell" class="num members">{_said(members)}</td>\n'
        f'        <td role="cell" class="num errors{" some" if u.errors else ""}">{_said(_count(u.errors))}</td>\n'
        f'        <td role="cell" class="num warnings{" some" if u.warnings else ""}">{_said(_count(u.warnings))}</td>\n'
        f'        <td role="cell" class="feedback{sent}">{_said(r.feedback)}{note}</td>\n'
        f'        <td role="cell" class="links">{links}</td>\n'
        f'      </tr>')


def render_status_page(standing: Standing, written: dt.datetime | None = None) -> str:
    """The page's HTML."""
    written = written or dt.datetime.now().astimezone()
    return environment().get_template(TEMPLATE).render(**page_context(standing, written))


def write_status_page(folder: Path, out: Path) -> Path:
    """Write `folder/index.html` (folder = `out/<year>-Q<q>`) from what the last run wrote there
    and the delivery ledger `out/delivery.sqlite` (either may be absent: the page says what it
    does not know)."""
    folder = Path(folder)
    standing = read_standing(folder, Path(out) / LEDGER_NAME)
    path = folder / PAGE_NAME
    with atomic_path(path) as tmp:
        tmp.write_text(render_status_page(standing), encoding="utf-8")
    return path
