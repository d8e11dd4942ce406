"""The words the department writes: the committee report's opening, assessment and tasks.

The figures of the report are the pipeline's; its narrative is the department's, and changes
every quarter. It lives in a text file named by the configuration (`[narrative] file`, e.g.
`loi-van/{year}-Q{quarter}.md`), or, without one, in the shipped `templates/narrative.md`, so the
built-in sentences take the same path as a clerk's. The format is small and Markdown-like:

    ## Mở đầu
    Trong những năm qua, {{ standing_committee }} luôn chú trọng …

    ## Đánh giá
    …

    ## Nhiệm vụ
    *Một là,* thường xuyên quan tâm …

`## ` headings name the three parts (HEADINGS), a blank line separates paragraphs, `*…*` is
italic, `**…**` bold (`\\*` a plain asterisk), and `{{ name }}` a figure or name of the report
(PLACEHOLDERS), formatted as the report writes it. The text between is a Jinja template,
compiled in a sandbox with StrictUndefined; `{# … #}` is a comment and `{% if overdue %}…{% endif %}`
works (a count is true when it is not zero).

`load_narrative` reads, compiles and checks the file before a run reads anything: a heading that
is not one of the three, a placeholder that does not exist, a syntax error or a missing file is a
PipelineError naming the file and the line. `narrative_view` renders it with a report's values:
paragraphs of runs (text, bold, italic), which the HTML template shows escaped (`Paragraph.html`:
a clerk's "<" prints as "<") and the Word copy as runs of its own.
"""

from __future__ import annotations

import functools
import re
import traceback
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.normalize import fold
from pipeline.period import Period
from pipeline.render import vn
from pipeline.resources import TEMPLATES_DIR

DEFAULT_FILE = TEMPLATES_DIR / "narrative.md"

# The parts, in the order of the report, by the heading that names each in the file.
PARTS = ("opening", "assessment", "tasks")
HEADINGS = {"opening": "Mở đầu", "assessment": "Đánh giá", "tasks": "Nhiệm vụ"}
_BY_HEADING = {fold(title): part for part, title in HEADINGS.items()}

# What a narrative may name, and what each stands for (the list the error messages and the README
# give). Counts are written as the report writes them: padded in text ("01", "09"), thousands
# with a dot ("1.098").
PLACEHOLDERS = {
    "committee_name": "tên đảng bộ trong câu văn (Đảng bộ Công an tỉnh)",
    "standing_committee": "cơ quan báo cáo (Ban Thường vụ Đảng ủy Công an tỉnh)",
    "deciding_body": "cơ quan quyết định kết nạp",
    "period": "kỳ báo cáo (quý III năm 2022)",
    "quarter": "quý, số La Mã (III)",
    "year": "năm (2022)",
    "members": "tổng số đảng viên (1.098)",
    "probationary": "số đảng viên dự bị",
    "overdue": "số đảng viên dự bị quá hạn xét công nhận chính thức",
    "admitted_quarter": "số đảng viên kết nạp trong quý (01)",
    "admitted_ytd": "số đảng viên kết nạp từ đầu năm (34)",
    "ratio": "tỷ lệ kết nạp từ đầu năm so với tổng số đảng viên (3%)",
    "target": "chỉ tiêu kết nạp năm (– khi không có)",
    "achievement": "tỷ lệ đạt chỉ tiêu năm (– khi không có chỉ tiêu)",
    "recognized_quarter": "số đảng viên được công nhận chính thức trong quý",
    "candidates": "số quần chúng ưu tú đang theo dõi, bồi dưỡng",
    "candidates_certified": "số quần chúng ưu tú có giấy chứng nhận lớp nhận thức về Đảng còn giá trị",
    "grassroots_cells": "số chi bộ cơ sở (19)",
    "grassroots_committees": "số đảng bộ cơ sở (09)",
    "subordinate_cells": "số chi bộ trực thuộc đảng bộ cơ sở (52)",
    "cells_expected": "số chi bộ phải gửi danh sách (71)",
    "cells_submitted": "số chi bộ đã gửi danh sách",
    "cells_accepted": "số chi bộ có số liệu được sử dụng",
    "errors": "số lỗi phát hiện trong các tệp",
    "warnings": "số cảnh báo phát hiện trong các tệp",
}

# A value's asterisks are not markup: they stand in for this private-use character until the
# paragraph's runs are found (so a committee named "A*B" prints as written).
_STAR = "\ue000"
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_ITALIC = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*", re.DOTALL)
_HEADING = re.compile(r"#+(?=\s|$)")
_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_TEMPLATE_NAME = "<template>"   # what Jinja names a template made from a string, in tracebacks


class Count(str):
    """A count as the report writes it ("01"), and false when it is zero, so a narrative can say
    `{% if overdue %}…{% endif %}`."""

    value: int

    def __new__(cls, text: str, value: int) -> Count:
        made = super().__new__(cls, text)
        made.value = value
        return made

    def __bool__(self) -> bool:
        return self.value != 0


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def html(self) -> Markup:
        """The paragraph's content as HTML: the text escaped, only the runs' own <em>, <strong>."""
        out = []
        for run in self.runs:
            piece = str(escape(run.text))
            if run.italic:
                piece = f"<em>{piece}</em>"
            if run.bold:
                piece = f"<strong>{piece}</strong>"
            out.append(piece)
        return Markup("".join(out))


@dataclass(frozen=True)
class Narrative:
    """A narrative file, compiled and checked: one template per part."""

    source: str                          # the file, as messages name it
    parts: tuple[tuple[str, object], ...]   # (part, its jinja2.Template), in PARTS order

    def render(self, values: dict) -> dict[str, list[Paragraph]]:
        """Each part's paragraphs with `values` (PLACEHOLDERS → text) filled in."""
        out = {}
        for part, template in self.parts:
            try:
                text = template.render(values)
            except Exception as exc:   # the file's own code: an attribute of a text, a sum of text and number…
                raise _error(self.source, _template_line(exc), f"không điền được: {_message(exc)}. Chỗ điền "
                             "số liệu viết {{ tên }}, ví dụ {{ admitted_quarter }}.") from None
            out[part] = paragraphs(text)
        return out


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                                lstrip_blocks=True, finalize=_protect)


def _protect(value):
    """Every `{{ … }}` output: asterisks kept from being taken for markup."""
    return str(value).replace("*", _STAR)


def _error(source: str, line: int | None, what: str) -> PipelineError:
    where = f"Tệp lời văn {source}" + (f", dòng {line}" if line else "")
    return PipelineError(f"{where}: {what}")


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", None) or exc)


def _template_line(exc: BaseException) -> int | None:
    """The file's line a rendering error happened on (the templates' sources keep the file's lines)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == _TEMPLATE_NAME]
    return frames[-1].lineno if frames else getattr(exc, "lineno", None)


def narrative_path(config: Config, period: Period) -> Path:
    """The narrative file for `period`: `[narrative] file` with {year} and {quarter} filled in
    (config.load_config made it relative to the configuration's folder), else the shipped one."""
    pattern = config.narrative.file
    if not pattern:
        return DEFAULT_FILE
    return Path(pattern.format(year=period.year, quarter=period.quarter))


def load_narrative(config: Config, period: Period) -> Narrative:
    """Read, compile and check the narrative of `period`. Raises PipelineError (file, line, what
    is wrong, what to do) for a missing or unreadable file, an unknown or missing heading, a
    syntax error, a placeholder that does not exist."""
    path = narrative_path(config, period)
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PipelineError(
            f"Không tìm thấy tệp lời văn {shown} của {period.label} (khóa file trong mục [narrative] của tệp "
            "cấu hình). Tạo tệp này (chép tệp của quý trước rồi sửa), hoặc sửa lại đường dẫn.") from None
    except IsADirectoryError:
        raise PipelineError(f"{shown} là một thư mục, không phải tệp lời văn (khóa file trong mục [narrative]).") from None
    except UnicodeDecodeError:
        raise PipelineError(f"Tệp lời văn {shown} không phải văn bản UTF-8. Mở bằng Notepad, chọn Lưu thành "
                            "(Save As) với mã hóa UTF-8, rồi chạy lại.") from None
    except OSError as exc:
        raise PipelineError(f"Không đọc được tệp lời văn {shown}: {exc.strerror}.") from None
    return parse_narrative(text, shown)


@functools.cache
def default_narrative() -> Narrative:
    """The shipped narrative (templates/narrative.md): the report's sentences when the
    configuration names no file."""
    return parse_narrative(DEFAULT_FILE.read_text(encoding="utf-8"), str(DEFAULT_FILE))


def parse_narrative(text: str, source: str) -> Narrative:
    """A narrative's text → its compiled parts, every heading, placeholder and tag checked."""
    lines = unicodedata.normalize("NFC", text).splitlines()
    found: dict[str, int] = {}     # part → the line of its heading
    starts: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        marks = _HEADING.match(line)
        if marks is None:
            continue
        title = line[marks.end():].strip()
        if marks.group() != "##":
            raise _error(source, number, f"“{line.strip()}” không phải đề mục của lời văn: đề mục viết “## ” "
                                         f"(hai dấu #, một dấu cách) rồi tên phần: {_titles()}.")
        part = _BY_HEADING.get(fold(title))
        if part is None:
            raise _error(source, number, f"không có phần “{title}”. Các đề mục dùng được: {_titles()}.")
        if part in found:
            raise _error(source, number, f"đề mục “## {HEADINGS[part]}” đã có ở dòng {found[part]}; mỗi phần "
                                         "chỉ viết một lần.")
        found[part] = number
        starts.append((part, number))
    missing = [HEADINGS[p] for p in PARTS if p not in found]
    if missing:
        raise _error(source, None, "thiếu đề mục " + ", ".join(f"“## {m}”" for m in missing)
                     + f". Tệp có đủ các đề mục {_titles()} (phần nào không viết thì để trống dưới đề mục).")
    preamble = _COMMENT.sub("", "\n".join(lines[:starts[0][1] - 1]))
    if preamble.strip():
        first = next(i for i, line in enumerate(preamble.splitlines(), start=1) if line.strip())
        raise _error(source, first, f"chữ trước đề mục đầu tiên. Viết lời văn dưới một đề mục: {_titles()}.")
    env = _environment()
    compiled = {}
    for i, (part, heading_line) in enumerate(starts):
        end = starts[i + 1][1] - 1 if i + 1 < len(starts) else len(lines)
        # Padded with the lines above, so Jinja's line numbers are the file's.
        body = "\n" * heading_line + "\n".join(lines[heading_line:end])
        compiled[part] = _compile(env, body, source)
    narrative = Narrative(source=source, parts=tuple((p, compiled[p]) for p in PARTS))
    narrative.render(_trial_values())   # what only rendering finds (an attribute of a text, a wrong type)
    return narrative


def _compile(env: SandboxedEnvironment, body: str, source: str):
    try:
        tree = env.parse(body)
    except TemplateSyntaxError as exc:
        raise _error(source, exc.lineno, f"viết sai cú pháp ({exc.message}). Chỗ điền số liệu viết "
                                         "{{ tên }}, ví dụ {{ admitted_quarter }}.") from None
    unknown = sorted(meta.find_undeclared_variables(tree) - set(PLACEHOLDERS))
    if unknown:
        name = unknown[0]
        line = min(n.lineno for n in tree.find_all(nodes.Name) if n.name == name)
        others = f" (và {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
        raise _error(source, line, f"không có số liệu nào tên “{name}”{others}. Các tên dùng được: "
                                   f"{', '.join(PLACEHOLDERS)}. Sửa lại tên trong {{{{ }}}} rồi chạy lại.")
    try:
        return env.from_string(tree)
    except TemplateError as exc:   # e.g. an unknown filter
        raise _error(source, getattr(exc, "lineno", None), f"viết sai cú pháp ({_message(exc)}).") from None


def _titles() -> str:
    return ", ".join(f"“## {t}”" for t in HEADINGS.values())


def _trial_values() -> dict:
    return {name: Count("01", 1) for name in PLACEHOLDERS}


def paragraphs(text: str) -> list[Paragraph]:
    """Rendered text → paragraphs (blank lines between; the lines of one joined by a space)."""
    text = text.replace("\\*", _STAR)
    out = []
    for block in re.split(r"\n[ \t]*\n", text):
        joined = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if joined:
            out.append(Paragraph(tuple(_runs(joined))))
    return out


def _runs(text: str) -> list[Run]:
    """`**bold**` and `*italic*` (italic inside bold too) → runs; the stand-in asterisks put back."""
    runs = []
    position = 0
    for found in _BOLD.finditer(text):
        runs += _italic_runs(text[position:found.start()], bold=False)
        runs += _italic_runs(found.group(1), bold=True)
        position = found.end()
    runs += _italic_runs(text[position:], bold=False)
    return [Run(r.text.replace(_STAR, "*"), r.bold, r.italic) for r in runs if r.text]


def _italic_runs(text: str, bold: bool) -> list[Run]:
    runs = []
    position = 0
    for found in _ITALIC.finditer(text):
        runs.append(Run(text[position:found.start()], bold, False))
        runs.append(Run(found.group(1), bold, True))
        position = found.end()
    runs.append(Run(text[position:], bold, False))
    return runs


def placeholder_values(context: dict) -> dict:
    """PLACEHOLDERS → their text, from the committee report's context
    (render.committee.committee_context), so the narrative says what the tables say."""
    config, period, t, cov = context["config"], context["period"], context["totals"], context["coverage"]
    structure = context["report"].structure
    target = context["target"]

    def count(n) -> Count:
        return Count(vn.padded(n), int(n))

    values = {
        "committee_name": config.committee_name,
        "standing_committee": config.standing_committee,
        "deciding_body": config.deciding_body,
        "period": period.label,
        "quarter": period.roman,
        "year": str(period.year),
        "members": Count(vn.number(t["members"]), int(t["members"])),
        "ratio": context["ratio"],
        "target": count(target) if target else Count(vn.NOT_APPLICABLE, 0),
        "achievement": context["achievement"],
        "cells_expected": count(cov["expected"]),
        "cells_submitted": count(cov["submitted"]),
        "cells_accepted": count(cov["accepted"]),
        "errors": count(context["errors"]),
        "warnings": count(context["warnings"]),
    }
    for key in ("probationary", "overdue", "admitted_quarter", "admitted_ytd", "recognized_quarter", "candidates",
                "candidates_certified"):
        values[key] = count(t[key])
    for key in ("grassroots_cells", "grassroots_committees", "subordinate_cells"):
        values[key] = count(structure.get(key, 0))
    return values


def narrative_view(narrative: Narrative | None, context: dict) -> dict[str, list[Paragraph]]:
    """The report's narrative (`narrative`, else the shipped one), rendered with the context's figures."""
    return (narrative or default_narrative()).render(placeholder_values(context))
