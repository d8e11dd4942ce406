"""The feedback package per cell: its PDF (status, figures beside its committee's, every issue) and
its own workbook returned with the offending cells marked — the original never touched.

The inbox (built once per module, quý III năm 2022):

    DB-T    Đảng bộ Công an tỉnh
    ├─ CB-A   Chi bộ Phòng Tham mưu   4 members; no "Dân tộc" at E3 (error), old CMND G4 (warning)
    ├─ CB-B   Chi bộ Phòng Hậu cần    clean
    ├─ CB-C   Chi bộ Phòng Hồ sơ      file without a "Ngày vào Đảng" column: rejected
    └─ DB-H   Đảng bộ Công an huyện Đông Sơn
       ├─ CB-H1  Chi bộ Đội An ninh   only a file for quý II: missing
       └─ CB-H2  Chi bộ Đội Cảnh sát  an .ods (tests/data/feedback): birth date "31/02/1991" at C3

`python tests/test_feedback.py` remakes the committed .ods (needs LibreOffice; the tests do not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
import shutil
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from builders import MEMBER_HEADER, SMALL_REGISTER, member, write_register, write_roster, sample_config
from pdfcheck import fonts, page_texts
from pipeline.config import FeedbackSettings, load_config
from pipeline.errors import PipelineError
from pipeline.feedback import cache, packages, views
from pipeline.build import build_report
from pipeline.reading import load_inbox
from pipeline.period import Period
from pipeline.register import read_register
from pipeline.contract import RESULT_SHEET
from pipeline.render.annotate import COMMENT_AUTHOR, RESULT_HEADERS, annotate_workbook
from pipeline.roster import read_workbook

DATA = Path(__file__).parent / "data" / "feedback"
ODS = DATA / "CB-H2_2022-Q3.ods"
REGISTER = [*SMALL_REGISTER, ["CB-C", "Chi bộ Phòng Hồ sơ", "Chi bộ cơ sở", "DB-T", None, 1]]


def _ods_members():
    return [member("Hoàng Văn Em", 1985, n=11),
            member("Đỗ Thị Giang", dt.date(1991, 2, 27), "Nữ", n=12, **{"Ngày sinh": "31/02/1991"})]


def make_ods(target: Path = ODS) -> Path:
    """The committed .ods, written with openpyxl and re-saved by LibreOffice as an office would."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = write_roster(Path(tmp) / (target.stem + ".xlsx"), "CB-H2", _ods_members())
        subprocess.run(["soffice", "--headless", "--convert-to", "ods", "--outdir", tmp, str(src)],
                       check=True, capture_output=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(tmp) / target.name, target)
    return target


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


CB_B_MEMBERS = [member("Vũ Văn Hải", 1987, n=5)]


def make_inbox(root: Path):
    """The register and the inbox drawn at the top of this module, under `root`."""
    inbox = root / "inbox"
    inbox.mkdir()
    register = read_register(write_register(root / "units.xlsx", REGISTER))
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1990, n=1),
        member("Trần Thị Bình", 1992, "Nữ", n=2, **{"Dân tộc": None}),
        member("Lê Văn Cường", 1988, n=3, **{"Số CCCD": "212345678"}),
        member("Phạm Văn Dũng", 1998, admitted=dt.date(2022, 8, 1), n=4),
    ])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", CB_B_MEMBERS)
    write_roster(inbox / "CB-C_2022-Q3.xlsx", "CB-C", [member("Bùi Văn Khoa", 1986, n=6)],
                 header=[h for h in MEMBER_HEADER if h != "Ngày vào Đảng"])
    write_roster(inbox / "CB-H1_2022-Q2.xlsx", "CB-H1", [member("Đặng Văn Lâm", 1989, n=7)],
                 quarter=2)
    shutil.copy(ODS, inbox / ODS.name)
    return register, inbox


def make_report(register, inbox: Path, **settings):
    day = dt.date(2022, 10, 27)
    return build_report(register, load_inbox(inbox, register), Period(2022, 3),
                        sample_config(report_date=day, **settings), day)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Inbox → report → feedback packages; also the originals' digests before the run."""
    root = tmp_path_factory.mktemp("feedback")
    register, inbox = make_inbox(root)
    digests = {p.name: _digest(p) for p in inbox.iterdir()}
    report = make_report(register, inbox)
    out = root / "out" / "2022-Q3"
    result = packages.write_feedback(report, out)
    return {"report": report, "register": register, "inbox": inbox, "out": out,
            "written": result.paths, "result": result, "digests": digests}


def _unit_dir(run, code: str) -> Path:
    return run["out"] / "units" / code


def _pdf_text(run, code: str) -> str:
    return " ".join(page_texts(PdfReader(_unit_dir(run, code) / f"phan-hoi-{code}-2022-Q3.pdf")))


def _returned(run, code: str, stem: str):
    return load_workbook(_unit_dir(run, code) / f"{stem} - da kiem tra.xlsx")


# --- what is written where ------------------------------------------------------------------------

def test_every_cell_gets_a_pdf_and_each_file_with_issues_comes_back_annotated(run):
    listing = [p.relative_to(run["out"]).as_posix() for p in run["written"]]
    assert len(listing) == len(set(listing))
    assert set(listing) == {
        "units/CB-A/phan-hoi-CB-A-2022-Q3.pdf", "units/CB-A/CB-A_2022-Q3 - da kiem tra.xlsx",
        "units/CB-B/phan-hoi-CB-B-2022-Q3.pdf",     # clean: nothing to mark, nothing returned
        "units/CB-C/phan-hoi-CB-C-2022-Q3.pdf", "units/CB-C/CB-C_2022-Q3 - da kiem tra.xlsx",
        "units/CB-H1/phan-hoi-CB-H1-2022-Q3.pdf",   # its only file is for quý II: no workbook
        "units/CB-H2/phan-hoi-CB-H2-2022-Q3.pdf", "units/CB-H2/CB-H2_2022-Q3 - da kiem tra.xlsx",
    }
    assert not (run["out"] / "units" / "DB-H").exists()  # a committee sends no roster: no package
    assert all(p.is_file() for p in run["written"])
    # Unit by unit in tree order, each unit's returned workbooks before its PDF.
    units = run["report"].units
    cells = list(units.index[units["is_cell"]])
    files = {"CB-A": 2, "CB-B": 1, "CB-C": 2, "CB-H1": 1, "CB-H2": 2}
    assert [p.parent.name for p in run["written"]] == [c for c in cells for _ in range(files[c])]
    assert [p.suffix for p in run["written"] if p.parent.name == "CB-A"] == [".xlsx", ".pdf"]
    assert run["result"].rendered == cells
    assert run["result"].reused == []


def test_the_original_submissions_are_never_modified(run):
    assert {p.name: _digest(p) for p in run["inbox"].iterdir()} == run["digests"]


# --- the PDF --------------------------------------------------------------------------------------

def test_pdf_names_the_unit_and_its_status(run):
    text = _pdf_text(run, "CB-A")
    assert "THÔNG BÁO Kết quả kiểm tra danh sách đảng viên quý III năm 2022 của Chi bộ Phòng Tham mưu -----" in text
    assert ("Ban Tổ chức Đảng ủy Công an tỉnh thông báo kết quả kiểm tra danh sách đảng viên quý III năm "
            "2022 của Chi bộ Phòng Tham mưu, mã đơn vị CB-A, như sau:") in text
    assert "Kính gửi" not in text  # a Party notice names its addressee in the text and in Nơi nhận
    assert 'Đã nhận tệp "CB-A_2022-Q3.xlsx"; số liệu trong tệp này được dùng' in text


def test_pdf_shows_the_units_figures_beside_its_committees(run):
    units = run["report"].units
    text = _pdf_text(run, "CB-H2")
    # A subordinate cell: its own column, its đảng bộ cơ sở's, the whole committee's.
    assert "Chi bộ Đội Cảnh sát Đảng bộ Công an huyện Đông Sơn" in text
    members = [int(units.at[c, "members"]) for c in ("CB-H2", "DB-H", "DB-T")]
    assert members == [2, 2, 7]  # CB-A 4, CB-B 1, CB-C rejected, CB-H1 missing, CB-H2 2
    assert "Tổng số đảng viên 2 2 7" in text
    assert "(số liệu của 1/2 chi bộ)" in text  # CB-H1 sent nothing for this quarter

    text = _pdf_text(run, "CB-A")  # a grassroots cell: its column and the committee's
    assert "Tổng số đảng viên 4 7" in text
    assert "Kết nạp trong quý 1 1" in text
    assert "Chỉ tiêu kết nạp năm 3 10" in text
    assert "Đạt so với chỉ tiêu năm 33% 10%" in text


def test_pdf_lists_each_issue_with_sheet_row_column_cell_value_and_message_errors_first(run):
    text = _pdf_text(run, "CB-A")
    assert "Thiếu thông tin bắt buộc (01)" in text
    assert 'Đảng viên 3 Dân tộc ô E3 Thiếu "Dân tộc". Điền dân tộc cho người này.' in text
    assert "Ghi số CMND 9 chữ số cũ (01)" in text
    assert 'Đảng viên 4 Số CCCD ô G4 212345678 "212345678" là số CMND 9 chữ số cũ.' in text
    order = ["3.1. Lỗi (01)", 'Thiếu "Dân tộc"', "3.2. Cảnh báo (01)", "là số CMND 9 chữ số cũ"]
    assert [text.index(t) for t in order] == sorted(text.index(t) for t in order)


def test_pdf_opens_with_how_many_problems_and_what_to_do(run):
    text = _pdf_text(run, "CB-A")
    assert "phát hiện 01 lỗi và 01 cảnh báo" in text
    assert ("Đề nghị đồng chí phụ trách sửa các lỗi, xem lại các cảnh báo và gửi lại tệp "
            "trước hạn nộp báo cáo") in text
    assert "CB-A_2022-Q3 - da kiem tra.xlsx" in text  # the returned copy is named


def test_clean_unit_pdf_says_no_error(run):
    text = _pdf_text(run, "CB-B")
    assert "không phát hiện lỗi hay cảnh báo nào" in text
    assert "Không phát hiện lỗi hay cảnh báo nào trong tệp" in text
    assert "Đề nghị" not in text
    assert "Gửi kèm" not in text


def test_missing_unit_pdf_says_no_file_was_sent_and_names_the_other_quarters_file(run):
    text = _pdf_text(run, "CB-H1")
    assert "chi bộ chưa gửi danh sách đảng viên quý III năm 2022" in text
    assert "lập danh sách theo mẫu và gửi về trước hạn nộp báo cáo" in text
    assert 'Tệp "CB-H1_2022-Q2.xlsx" không được dùng: tệp ghi số liệu quý II năm 2022' in text
    assert "Chi bộ chưa gửi danh sách quý III năm 2022 nên chưa có kết quả kiểm tra" in text
    assert "không phải kỳ báo cáo này" not in text  # said once as status, not again as a warning
    assert "Tổng số đảng viên – 2 7" in text  # no figures of its own yet


def test_rejected_unit_pdf_says_the_file_is_unusable_and_why(run):
    text = _pdf_text(run, "CB-C")
    assert "không dùng được nên số liệu của chi bộ chưa có trong báo cáo" in text
    assert ('Đã nhận tệp "CB-C_2022-Q3.xlsx" nhưng tệp không dùng được: '
            'Thiếu cột bắt buộc "Ngày vào Đảng"') in text
    assert "tệp có 01 lỗi" in text


def test_pdf_embeds_every_font_and_numbers_pages_from_two(run):
    reader = PdfReader(_unit_dir(run, "CB-A") / "phan-hoi-CB-A-2022-Q3.pdf")
    used = fonts(reader)
    assert used and all(used.values())
    assert all("Liberation-Serif" in name for name in used)
    assert len(reader.pages) >= 2
    tops = [_top_text(page) for page in reader.pages]
    assert not tops[0].isdigit()
    assert tops[1:] == [str(n) for n in range(2, len(reader.pages) + 1)]


def _top_text(page) -> str:
    """The highest text on a page: the page number when there is one."""
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return max(found)[1]


# --- the returned workbook ------------------------------------------------------------------------

def test_returned_workbook_marks_each_offending_cell_with_a_fill_and_the_message(run):
    wb = _returned(run, "CB-A", "CB-A_2022-Q3")
    ws = wb["Đảng viên"]
    error, warning = ws["E3"], ws["G4"]
    assert error.fill.fgColor.rgb.endswith("FFC7CE")  # light red
    assert error.comment.text == 'Lỗi: Thiếu "Dân tộc". Điền dân tộc cho người này.'
    assert error.comment.author == COMMENT_AUTHOR
    assert warning.fill.fgColor.rgb.endswith("FFEB9C")  # light yellow
    assert warning.value == "212345678" and "9 chữ số cũ" in warning.comment.text
    assert ws["B3"].comment is None and ws["B3"].fill.fill_type is None


def test_returned_workbook_lists_every_issue_of_the_unit_on_an_added_sheet(run):
    wb = _returned(run, "CB-A", "CB-A_2022-Q3")
    assert wb.sheetnames == ["Thông tin", "Đảng viên", "Quần chúng ưu tú", RESULT_SHEET]
    assert wb.active.title == RESULT_SHEET
    ws = wb[RESULT_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == RESULT_HEADERS
    expected = {(i.sheet, i.cell, i.row, i.column, i.message) for i in run["report"].issues
                if i.unit == "CB-A" and i.file}
    assert {(r[1], r[2], r[3], r[4], r[6]) for r in rows[1:]} == expected
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["G"].width >= 60
    assert ws["C2"].hyperlink.location == "'Đảng viên'!E3"


def test_rejected_file_comes_back_with_its_file_level_issue_on_the_sheet_only(run):
    wb = _returned(run, "CB-C", "CB-C_2022-Q3")
    rows = list(wb[RESULT_SHEET].iter_rows(values_only=True))[1:]
    assert [(r[0], r[4]) for r in rows] == [("Lỗi", "Ngày vào Đảng")]
    assert rows[0][6].startswith('Thiếu cột bắt buộc "Ngày vào Đảng"')
    assert wb["Đảng viên"]["A1"].comment is not None  # the header row's first cell carries it


def test_an_ods_submission_comes_back_as_xlsx_with_the_same_sheets_values_and_marks(run):
    wb = _returned(run, "CB-H2", "CB-H2_2022-Q3")
    assert wb.sheetnames == ["Thông tin", "Đảng viên", "Quần chúng ưu tú", RESULT_SHEET]
    ws = wb["Đảng viên"]
    assert [c.value for c in ws[1]][:3] == ["STT", "Họ và tên", "Ngày sinh"]
    assert ws["B2"].value == "Hoàng Văn Em" and ws["C2"].value.date() == dt.date(1985, 3, 15)
    assert ws["A2"].value == 1 and ws["G2"].value == "049085000011"
    bad = ws["C3"]
    assert bad.value == "31/02/1991"
    assert bad.fill.fgColor.rgb.endswith("FFC7CE")
    assert "không phải ngày hợp lệ" in bad.comment.text
    assert '"31/02/1991" không phải ngày hợp lệ' in _pdf_text(run, "CB-H2")


def test_a_returned_workbook_sent_back_reads_the_same_as_the_original(run):
    original = read_workbook(run["inbox"] / "CB-A_2022-Q3.xlsx")
    returned = read_workbook(_unit_dir(run, "CB-A") / "CB-A_2022-Q3 - da kiem tra.xlsx")
    assert returned.members.sheet == "Đảng viên"
    assert list(returned.members.rows["full_name"]) == list(original.members.rows["full_name"])
    assert returned.info == original.info
    assert [i.rule for i in returned.issues] == [i.rule for i in original.issues]


# --- annotate_workbook on its own -----------------------------------------------------------------

def _issue(severity, message, *, sheet="Đảng viên", row=None, cell=None, column=None, value=None):
    return {"severity": severity, "rule": "X", "message": message, "sheet": sheet, "row": row,
            "cell": cell, "column": column, "value": value, "file": "x.xlsx", "unit": "CB-A"}


def test_several_issues_on_one_cell_make_one_comment_and_an_error_wins_the_colour(tmp_path):
    src = write_roster(tmp_path / "x.xlsx", "CB-A", [member("Nguyễn Văn An", 1990)])
    out = annotate_workbook(src, tmp_path / "out.xlsx", [
        _issue("warning", "Cảnh báo thứ nhất.", row=2, cell="C2"),
        _issue("error", "Lỗi thứ hai.", row=2, cell="C2"),
    ])
    cell = load_workbook(out)["Đảng viên"]["C2"]
    assert cell.comment.text == "Cảnh báo: Cảnh báo thứ nhất.\n\nLỗi: Lỗi thứ hai."
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_a_row_without_a_cell_marks_its_first_used_cell_and_an_info_label_marks_its_value(tmp_path):
    src = write_roster(tmp_path / "x.xlsx", "CB-A", [member("Nguyễn Văn An", 1990)])
    out = annotate_workbook(src, tmp_path / "out.xlsx", [
        _issue("warning", "Dòng không có họ tên.", row=2),
        _issue("warning", "Không hiểu năm.", sheet="Thông tin", column="Năm", value="2O22"),
        _issue("error", "Cả tệp.", sheet=None),
    ])
    wb = load_workbook(out)
    assert wb["Đảng viên"]["A2"].comment.text == "Cảnh báo: Dòng không có họ tên."
    assert wb["Thông tin"]["B2"].comment.text == "Cảnh báo: Không hiểu năm."
    assert [r[1] for r in wb[RESULT_SHEET].iter_rows(min_row=2, values_only=True)] == [
        "Đảng viên", "Thông tin", "(cả tệp)"]


def test_an_issue_inside_a_merged_area_is_noted_on_its_top_left_cell(tmp_path):
    src = write_roster(tmp_path / "x.xlsx", "CB-A", [member("Nguyễn Văn An", 1990)])
    wb = load_workbook(src)
    wb["Đảng viên"].merge_cells("C2:D2")
    wb.save(src)
    out = annotate_workbook(src, tmp_path / "out.xlsx", [_issue("error", "Lỗi.", row=2, cell="D2")])
    ws = load_workbook(out)["Đảng viên"]
    assert ws["C2"].comment.text == "Lỗi: Lỗi."
    assert ws["C2"].fill.fgColor.rgb.endswith("FFC7CE")


def test_annotating_a_returned_copy_again_replaces_the_old_marks(tmp_path):
    src = write_roster(tmp_path / "x.xlsx", "CB-A", [member("Nguyễn Văn An", 1990)])
    old = [_issue("error", "Lỗi cũ.", row=2, cell="C2")]
    first = annotate_workbook(src, tmp_path / "first.xlsx", old)
    again = annotate_workbook(first, tmp_path / "again.xlsx", [])
    wb = load_workbook(again)
    assert wb["Đảng viên"]["C2"].comment is None
    assert wb["Đảng viên"]["C2"].fill.fill_type is None
    assert wb.sheetnames.count(RESULT_SHEET) == 1
    assert wb[RESULT_SHEET]["G2"].value.startswith("Không phát hiện lỗi")


def test_an_xlsm_comes_back_as_a_plain_xlsx_and_a_file_that_cannot_be_opened_gives_none(tmp_path):
    src = write_roster(tmp_path / "x.xlsx", "CB-A", [member("Nguyễn Văn An", 1990)])
    xlsm = src.rename(tmp_path / "x.xlsm")
    issues = [_issue("error", "Lỗi.", row=2, cell="B2")]
    out = annotate_workbook(xlsm, tmp_path / "x - da kiem tra.xlsx", issues)
    assert load_workbook(out)["Đảng viên"]["B2"].comment is not None
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert annotate_workbook(broken, tmp_path / "broken - da kiem tra.xlsx", []) is None
    assert not (tmp_path / "broken - da kiem tra.xlsx").exists()


# --- views and a hand-made Report -----------------------------------------------------------------

def test_unit_views_are_plain_and_picklable_for_a_process_pool(run):
    all_views = views.unit_views(run["report"])
    units = run["report"].units
    assert [v["code"] for v in all_views] == list(units.index[units["is_cell"]])  # tree order
    assert sorted(v["code"] for v in all_views) == ["CB-A", "CB-B", "CB-C", "CB-H1", "CB-H2"]
    assert pickle.loads(pickle.dumps(all_views)) == all_views


def test_a_report_without_files_gets_pdfs_only(small_report, tmp_path):
    written = packages.write_feedback(small_report, tmp_path).paths
    assert sorted(p.name for p in written) == [
        "phan-hoi-CB-CAH-01-2022-Q3.pdf", "phan-hoi-CB-CAH-02-2022-Q3.pdf",
        "phan-hoi-CB-PC01-2022-Q3.pdf", "phan-hoi-CB-PC02-2022-Q3.pdf"]
    pdf = tmp_path / "units" / "CB-PC02" / "phan-hoi-CB-PC02-2022-Q3.pdf"
    text = " ".join(page_texts(PdfReader(pdf)))
    assert '"31/02/2019" không phải ngày hợp lệ' in text


def test_a_rerun_removes_a_returned_copy_the_unit_no_longer_has(run, tmp_path):
    view = next(v for v in views.unit_views(run["report"]) if v["code"] == "CB-B")
    stale = tmp_path / "CB-B_cu - da kiem tra.xlsx"
    stale.write_bytes(b"old")
    written = packages.render_unit_package(view, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)



# --- a second run reuses what has not changed -----------------------------------------------------

CELLS = ["CB-A", "CB-B", "CB-C", "CB-H1", "CB-H2"]


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def first(run, tmp_path):
    """A copy of the module's inbox and of the packages made from it (keys included)."""
    inbox = shutil.copytree(run["inbox"], tmp_path / "inbox")
    out = shutil.copytree(run["out"], tmp_path / "out")
    return {"register": run["register"], "inbox": inbox, "out": out, "result": run["result"],
            "mtimes": _mtimes(out)}


def _again(first, inbox: Path | None = None, **settings) -> packages.FeedbackResult:
    report = make_report(first["register"], inbox or first["inbox"], **settings)
    return packages.write_feedback(report, first["out"])


def test_a_second_run_with_nothing_changed_renders_nothing_and_touches_no_file(first, run):
    # `first` is a copy of the packages made from another folder: the inbox's place is no input.
    assert sorted(first["result"].rendered) == CELLS
    again = _again(first)
    assert again.rendered == []
    assert sorted(again.reused) == CELLS
    assert [p.relative_to(first["out"]) for p in again.paths] == \
        [p.relative_to(run["out"]) for p in first["result"].paths]
    assert _mtimes(first["out"]) == first["mtimes"]


def test_a_file_saved_again_unchanged_is_reused(first):
    os.utime(first["inbox"] / "CB-A_2022-Q3.xlsx", (1, 1))  # only its modification time
    assert _again(first).rendered == []
    assert _mtimes(first["out"]) == first["mtimes"]


def test_a_file_sent_again_with_other_bytes_but_the_same_figures_re_renders_its_unit_only(first):
    report = make_report(first["register"], first["inbox"])
    before = views.unit_view(report, "CB-B")
    write_roster(first["inbox"] / "CB-B_2022-Q3.xlsx", "CB-B",
                 [member("Vũ Văn Hải", 1987, n=5, **{"Trình độ chuyên môn": "Thạc sĩ"})])
    after = make_report(first["register"], first["inbox"])
    assert views.unit_view(after, "CB-B") == before  # nothing the package shows has changed
    assert packages.write_feedback(after, first["out"]).rendered == ["CB-B"]


def test_a_file_with_one_more_member_re_renders_every_package_as_the_totals_change(first):
    write_roster(first["inbox"] / "CB-B_2022-Q3.xlsx", "CB-B",
                 [*CB_B_MEMBERS, member("Ngô Văn Phúc", 1991, n=8)])
    again = _again(first)
    assert sorted(again.rendered) == CELLS  # the committee's column is in every package
    assert "Tổng số đảng viên 4 8" in " ".join(page_texts(PdfReader(
        first["out"] / "units" / "CB-A" / "phan-hoi-CB-A-2022-Q3.pdf")))


def test_a_setting_the_packages_show_re_renders_them_and_one_they_do_not_show_does_not(first):
    # The samples' notices are the Ban Tổ chức's ([feedback]): the committee's signer and recipients
    # are only on the committee's report.
    assert _again(first, signer_name="Nguyễn Văn Khác", recipients=("Lưu VT.",)).rendered == []
    notice = sample_config().feedback
    assert sorted(_again(first, feedback=replace(notice, signer_name="Nguyễn Văn Khác")).rendered) == CELLS
    assert sorted(_again(first, feedback=replace(notice, recipients=("Lưu VT.",))).rendered) == CELLS


def test_a_deleted_or_hand_edited_output_is_made_again(first):
    unit = first["out"] / "units"
    (unit / "CB-A" / "phan-hoi-CB-A-2022-Q3.pdf").unlink()
    with open(unit / "CB-C" / "CB-C_2022-Q3 - da kiem tra.xlsx", "ab") as fh:
        fh.write(b"saved by hand")
    assert sorted(_again(first).rendered) == ["CB-A", "CB-C"]
    assert (unit / "CB-A" / "phan-hoi-CB-A-2022-Q3.pdf").is_file()


def test_a_view_depends_on_nothing_its_key_leaves_out(run):
    """The key is made from the inputs (cache.input_keys), not from the views: every column of
    Report.units a package does not show can change without changing a view, or a key."""
    report = run["report"]
    renderer = cache.renderer_digest()
    keys = cache.input_keys(report, renderer)
    units = report.units.copy()
    # is_cell says which packages there are, not what one shows
    hidden = [c for c in units.columns if c not in (*views.SHOWN_COLUMNS, "is_cell")]
    assert {"errors", "warnings", "cells_late", "file"} <= set(hidden)
    for column in hidden:
        units[column] = units[column].map(lambda v: v + 7 if isinstance(v, (int, float)) and not isinstance(v, bool)
                                          else "khác")
    other = replace(report, units=units)
    assert views.unit_views(other) == views.unit_views(report)
    assert cache.input_keys(other, renderer) == keys
    shown = report.units.copy()
    shown.loc["CB-B", "members"] += 1
    changed = cache.input_keys(replace(report, units=shown), renderer)
    assert [code for code in keys if changed[code] != keys[code]] == ["CB-B"]


def test_deciding_which_packages_to_render_builds_no_view_of_a_kept_one(first, monkeypatch):
    report = make_report(first["register"], first["inbox"])
    built = []
    original = packages.unit_view
    monkeypatch.setattr(packages, "unit_view", lambda *a, **k: built.append(a[1]) or original(*a, **k))
    assert packages.write_feedback(report, first["out"]).rendered == []
    assert built == []


class _NoPool(Executor):
    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError("a pool was used for one package")


def test_one_package_to_render_is_rendered_here_not_on_a_pool(first):
    write_roster(first["inbox"] / "CB-B_2022-Q3.xlsx", "CB-B",
                 [member("Vũ Văn Hải", 1987, n=5, **{"Trình độ chuyên môn": "Thạc sĩ"})])
    report = make_report(first["register"], first["inbox"])
    assert packages.write_feedback(report, first["out"], executor=_NoPool()).rendered == ["CB-B"]


def test_without_reuse_every_package_is_rendered(first):
    report = make_report(first["register"], first["inbox"])
    assert sorted(packages.write_feedback(report, first["out"], reuse=False).rendered) == CELLS


def test_progress_counts_only_the_packages_to_render(first, tmp_path):
    seen = []

    def progress(tasks):
        seen.append(len(tasks))
        return tasks

    report = make_report(first["register"], first["inbox"])
    packages.write_feedback(report, first["out"], progress)
    packages.write_feedback(report, tmp_path / "fresh", progress)
    assert seen == [0, 5]


def test_the_key_follows_the_feedback_template_not_the_committee_template(tmp_path, monkeypatch):
    copy = shutil.copytree(cache.TEMPLATES_DIR, tmp_path / "templates")
    monkeypatch.setattr(cache, "TEMPLATES_DIR", copy)
    digest = cache.renderer_digest()
    (copy / "committee.html.j2").write_text("changed", encoding="utf-8")
    assert cache.renderer_digest() == digest
    with open(copy / "print.css", "a", encoding="utf-8") as fh:
        fh.write("\n/* changed */\n")
    assert cache.renderer_digest() != digest


if __name__ == "__main__":
    print(make_ods())


# --- who issues the notice ([feedback]) -----------------------------------------------------------

def test_without_a_feedback_section_the_notice_is_the_committees_own(run):
    report = run["report"]
    own = replace(report, config=replace(report.config, feedback=FeedbackSettings()))
    view = views.unit_view(own, "CB-H2")
    assert view["header"] == {"superior_body": "ĐẢNG BỘ TỈNH AN HÒA", "issuing_body": "ĐẢNG ỦY CÔNG AN TỈNH",
                              "number_line": "Số \u2003\u2003-TB/ĐUCA",
                              "date_line": "An Hòa, ngày 27 tháng 10 năm 2022"}
    assert view["issuer_name"] == "Ban Thường vụ Đảng ủy Công an tỉnh"
    assert view["signature"] == {"on_behalf": "T/M BAN THƯỜNG VỤ", "title": "PHÓ BÍ THƯ",
                                 "name": "Trần Minh Khang"}
    assert view["recipients"] == ["Chi bộ Đội Cảnh sát (Đảng bộ Công an huyện Đông Sơn),", "Lưu VT."]
    bare = replace(own, config=replace(own.config, feedback=FeedbackSettings(recipients=())))
    assert views.unit_view(bare, "CB-A")["recipients"] == ["Chi bộ Phòng Tham mưu."]


def test_the_samples_notice_is_the_ban_to_chucs_signed_by_its_deputy_head(run):
    view = views.unit_view(run["report"], "CB-A")
    assert (view["header"]["superior_body"], view["header"]["issuing_body"]) == ("ĐẢNG ỦY CÔNG AN TỈNH", "BAN TỔ CHỨC")
    assert view["header"]["number_line"] == "Số \u2003\u2003-TB/BTC"
    assert view["signature"] == {"on_behalf": "K/T TRƯỞNG BAN", "title": "PHÓ TRƯỞNG BAN",
                                 "name": "Phạm Thị Hồng Nhung"}
    assert view["recipients"] == ["Chi bộ Phòng Tham mưu,", "Lưu VT, BTC."]
    text = _pdf_text(run, "CB-A")
    assert "Nơi nhận: - Chi bộ Phòng Tham mưu, - Lưu VT, BTC. K/T TRƯỞNG BAN PHÓ TRƯỞNG BAN Phạm Thị Hồng Nhung" in text


def _feedback_toml(tmp_path, body: str):
    path = tmp_path / "pipeline.toml"
    path.write_text(f"[feedback]\n{body}\n", encoding="utf-8")
    return path


def test_a_head_signing_in_their_own_right_has_no_on_behalf_line(tmp_path):
    settings = load_config(_feedback_toml(tmp_path, """
superior_body = "ĐẢNG ỦY KHỐI"
issuing_body = "BAN TỔ CHỨC"
issuer_name = "Ban Tổ chức Đảng ủy Khối"
document_code = "TB/BTCĐUK"
signer_title = "TRƯỞNG BAN"
signer_name = "Hoàng  Văn   Sơn"
""")).feedback
    assert settings.signer_on_behalf is None and settings.signer_name == "Hoàng Văn Sơn"
    assert settings.resolved(sample_config()).signer_on_behalf == ""   # not the committee's T/M line


@pytest.mark.parametrize("body, words", [
    ('signer_nam = "Hoàng Văn Sơn"', "khóa không biết: signer_nam"),
    ('issuing_body = "BAN TỔ CHỨC"\nsigner_name = "Hoàng Văn Sơn"',
     "chưa ghi: superior_body — cơ quan cấp trên"),
    ('document_code = ""', "document_code trong mục [feedback]"),
    ('recipients = "Lưu VT."', "recipients trong mục [feedback]"),
    ("signer_title = 3", "phải là chữ trong dấu ngoặc kép"),
])
def test_a_misspelt_incomplete_or_mistyped_feedback_section_is_refused_in_words(tmp_path, body, words):
    with pytest.raises(PipelineError, match=re.escape(words)):
        load_config(_feedback_toml(tmp_path, body))
