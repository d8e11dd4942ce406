"""The committee report as an editable Word copy: the same context as the PDF → docxtpl → .docx.

The department edits a report before it is signed, so beside the PDF a run writes the same
report as a .docx made from a Word template with Jinja tags inside (docxtpl): the shipped
`templates/committee.docx` (made by scripts/make_word_template.py), or the department's own,
restyled copy named by `[word] template`. Its values are `committee.committee_context`'s, the
PDF's own, so the two cannot say different numbers; what the HTML template makes with markup or
macros is given here in a Word form (`word_context`: RichText runs for the narrative and the
table by unit, the coverage clauses and lists of names as text).

The template is checked when a run starts (`check_word_template`: the file is there, is a Word
document, its tags parse) and rendered to bytes before the quarter's set of outputs is written
(`render_committee_docx`: a name the context lacks is an error then), so a broken template stops
the run with a Vietnamese message and leaves the outputs as they were. The same report gives the
same bytes: the zip's times and the document's properties are the report's date (`stable_docx`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Emu, Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.outputs import pdf_name
from pipeline.render import vn
from pipeline.render.chart import WIDTH_CM, admissions_chart
from pipeline.render.narrative import Paragraph
from pipeline.report import Report
from pipeline.resources import TEMPLATES_DIR

DEFAULT_TEMPLATE = TEMPLATES_DIR / "committee.docx"
DOCX_SUFFIX = ".docx"
# A name in the table by unit is indented by its depth in the tree, this much per level.
INDENT = "\u2002\u2002"
# The caption (Word: Table Properties → Alt Text → Title) of a table whose columns come from the
# report ({%tc for %}, {%tc if %}): once rendered its columns are spread over the text width, the
# first one this many percent, the others equal (docxtpl keeps the template's widths otherwise).
AUTO_COLUMNS = "Cột tự dàn {}%"
_AUTO_COLUMNS = re.compile(r"Cột tự dàn (\d{1,2})%")


def docx_name(report: Report) -> str:
    """The Word copy's name: the PDF's, with .docx."""
    return pdf_name(report).removesuffix(".pdf") + DOCX_SUFFIX


def template_path(config: Config) -> Path:
    """`[word] template` (made relative to the configuration's folder by config.load_config), or the shipped one."""
    return Path(config.word.template) if config.word.template else DEFAULT_TEMPLATE


def word_environment() -> SandboxedEnvironment:
    """The template's Jinja: sandboxed (a department's file runs no Python), StrictUndefined (a
    name the report has not is an error, never a blank), values XML-escaped, the PDF's filters."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True, extensions=["jinja2.ext.do"])
    vn.register_filters(env)
    env.filters["names"] = names
    return env


def _where(path: Path, config_named: bool) -> str:
    return f"mẫu Word {path}" + (" (khóa template trong mục [word] của tệp cấu hình)" if config_named else "")


def check_word_template(config: Config) -> Path:
    """The Word template a run will use, checked before anything is read: it exists, is a .docx,
    and its tags parse. Raises PipelineError saying what is wrong and what to do."""
    path = template_path(config)
    named = bool(config.word.template)
    where = _where(path, named)
    if not path.is_file():
        raise PipelineError(f"Không tìm thấy {where}. Sửa lại đường dẫn, hoặc xóa khóa này để dùng mẫu có sẵn.")
    if path.suffix.lower() != DOCX_SUFFIX or not _is_docx(path):
        raise PipelineError(f"{where[0].upper()}{where[1:]} không phải tệp Word .docx. Mở mẫu bằng Word, chọn Lưu "
                            "thành (Save As) kiểu Word Document (*.docx), rồi chạy lại.")
    try:
        DocxTemplate(path).get_undeclared_template_variables(jinja_env=word_environment())
    except TemplateSyntaxError as exc:
        raise PipelineError(f"{where[0].upper()}{where[1:]} có thẻ viết sai ({exc.message}). Các thẻ viết "
                            "{{ tên }} hoặc {% … %} như trong mẫu có sẵn; sửa lại trong Word rồi chạy lại.") from None
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise PipelineError(f"Không mở được {where}: {exc}.") from None
    return path


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def names(bounded: dict, noun: str, workbook: str = "") -> str:
    """A bounded list of names (committee._bounded) in a sentence: "A, B, C", or past the limit
    "A, B … và 230 chi bộ khác (danh sách đầy đủ trong tệp Excel … gửi kèm báo cáo)"."""
    text = ", ".join(bounded["names"])
    if bounded["more"]:
        text += f" và {vn.padded(bounded['more'])} {noun} khác (danh sách đầy đủ trong tệp Excel {workbook} gửi kèm báo cáo)"
    return text


def coverage_clauses(coverage: dict) -> str:
    """What is missing next to the totals: "còn 02 chi bộ chưa gửi danh sách: A, B; …" (the PDF's
    coverage_clauses macro)."""
    def listed(bounded: dict) -> str:
        return " (danh sách tại mục II)" if bounded["more"] else ": " + ", ".join(bounded["names"])

    parts = []
    if coverage["missing"]["count"]:
        parts.append(f"còn {vn.padded(coverage['missing']['count'])} chi bộ chưa gửi danh sách{listed(coverage['missing'])}")
    if coverage["rejected_units"]["count"]:
        parts.append(f"{vn.padded(coverage['rejected_units']['count'])} chi bộ có tệp không dùng được"
                     f"{listed(coverage['rejected_units'])}")
    if coverage["unresolved_files"]["count"]:
        parts.append(f"{vn.padded(coverage['unresolved_files']['count'])} tệp chưa xác định được của chi bộ nào"
                     f"{listed(coverage['unresolved_files'])}")
    return "; ".join(parts)


def rich(paragraph: Paragraph) -> RichText:
    """A narrative paragraph's runs as Word runs (italic, bold as written)."""
    text = RichText()
    for run in paragraph.runs:
        text.add(run.text, bold=run.bold, italic=run.italic)
    return text


def _unit_row(row: dict) -> dict:
    """A row of the table by unit in Word: aggregate and total rows bold, the name indented by depth,
    a cell without figures saying why under its name (the PDF spans the figures' columns)."""
    bold = row["kind"] != "cell"
    label = RichText(INDENT * max(0, row["depth"] - 1) + row["name"], bold=bold)
    if row["partial"]:
        label.add(f"\n(số liệu {row['partial']} chi bộ)", italic=True, size=20)
    if row["status_note"]:
        label.add(f"\n{row['status_note']}", italic=True, size=20)
        figures = [""] * 8
    else:
        figures = [RichText(value, bold=bold) for value in row["cells"]]
    return {"number": row["number"], "label": label, "figures": figures, "kind": row["kind"]}


def _breakdown_word(breakdown: dict) -> dict:
    """Phụ lục 3's tables by unit with their rows as RichText: a committee's and the total row
    bold, an "other units" row italic, as the PDF's classes make them (a copy: the PDF's view is
    left as it is)."""
    detail = breakdown.get("detail")
    if not detail:
        return breakdown

    def row(r: dict) -> dict:
        bold, italic = r["kind"] in ("aggregate", "total"), r["kind"] == "others"
        return {**r, "name": RichText(str(r["name"]), bold=bold, italic=italic),
                "cells": [RichText(str(v), bold=bold) for v in r["cells"]]}

    tables = [{**table, "rows": [row(r) for r in table["rows"]]} for table in detail["unit_tables"]]
    return {**breakdown, "detail": {**detail, "unit_tables": tables}}


def word_context(context: dict) -> dict:
    """committee_context's values, with what the HTML template makes from markup or macros in a Word form."""
    out = dict(context)
    out["breakdown"] = _breakdown_word(context["breakdown"])
    out["narrative"] = {part: [rich(p) for p in paragraphs] for part, paragraphs in context["narrative"].items()}
    out["unit_table"] = [_unit_row(row) for row in context["unit_rows"]]
    out["coverage_clauses"] = coverage_clauses(context["coverage"])
    out["report_date_words"] = vn.date_words(context["report"].report_date)
    return out


def render_committee_docx(context: dict, template: Path = DEFAULT_TEMPLATE) -> bytes:
    """The Word copy of the committee report (`context`: committee_context's) as bytes, from
    `template` (checked by check_word_template). Raises PipelineError when the template names a
    value the report has not, or its tags fail."""
    report = context["report"]
    values = word_context(context)
    env = word_environment()
    doc = DocxTemplate(template)
    # The chart as a picture (the PDF's drawing, as PNG): drawn here when the context has none.
    png = context.get("chart_png") or admissions_chart(report.units, report.period.quarter, report.period.year,
                                                         png=True)[1]
    values["chart"] = InlineImage(doc, io.BytesIO(png), width=Mm(WIDTH_CM * 10))
    where = _where(Path(template), Path(template) != DEFAULT_TEMPLATE)
    unknown = sorted(doc.get_undeclared_template_variables(jinja_env=env, context=values))
    if unknown:
        raise PipelineError(f"{where[0].upper()}{where[1:]} dùng tên không có trong báo cáo: {', '.join(unknown)}. "
                            f"Các tên dùng được: {', '.join(sorted(values))}. Sửa lại thẻ trong Word rồi chạy lại.")
    try:
        doc.render(values, jinja_env=env, autoescape=True)
    except TemplateError as exc:
        raise PipelineError(f"{where[0].upper()}{where[1:]}: không điền được ({exc.message}). Sửa lại thẻ trong "
                            "Word rồi chạy lại.") from None
    _spread_columns(doc.docx)
    props = doc.docx.core_properties
    props.title = f"Báo cáo kết quả công tác phát triển đảng viên {report.period.label}"
    props.author = props.last_modified_by = report.config.issuing_body
    props.revision = 1
    stamp = dt.datetime.combine(report.report_date, dt.time())
    props.created = props.modified = stamp
    props.last_printed = stamp
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_docx(buffer.getvalue(), report.report_date)


def _spread_columns(document) -> None:
    """Tables captioned AUTO_COLUMNS: the grid and every cell set to the text width, spread."""
    section = document.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        props = table._tbl.tblPr
        caption = props.find(qn("w:tblCaption"))
        found = _AUTO_COLUMNS.fullmatch(caption.get(qn("w:val"), "")) if caption is not None else None
        if found is None:
            continue
        columns = table._tbl.tblGrid.findall(qn("w:gridCol"))
        first = int(width * int(found.group(1)) / 100)
        rest = (width - first) // max(1, len(columns) - 1)
        widths = [Emu(first)] + [Emu(rest)] * (len(columns) - 1)
        for column, column_width in zip(columns, widths):
            column.set(qn("w:w"), str(column_width.twips))
        for row in table._tbl.tr_lst:
            for cell, column_width in zip(row.tc_lst, widths):
                cell.width = column_width


def stable_docx(data: bytes, day: dt.date) -> bytes:
    """The same document, its zip made reproducible: every part dated `day`, in the same order,
    compressed the same way (a zip otherwise records the time it was written)."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 3
            target.writestr(info, source.read(item.filename), compresslevel=6)
    return out.getvalue()


def write_committee_docx(context: dict, path: Path, template: Path = DEFAULT_TEMPLATE) -> Path:
    """render_committee_docx into `path`; returns it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_committee_docx(context, template))
    return path
