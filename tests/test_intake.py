import datetime as dt
import os

import pytest

from builders import member, write_register, write_roster
from pipeline import intake
from pipeline.intake import choose_period
from pipeline.reading import load_inbox
from pipeline.errors import PipelineError
from pipeline.period import Period
from pipeline.register import read_register
from pipeline.roster import read_workbook
from pipeline.status import FileStatus

Q3 = Period(2022, 3)


@pytest.fixture
def register(tmp_path):
    return read_register(write_register(tmp_path / "units.xlsx"))


def one(path, register):
    return intake.match([read_workbook(path)], register)[0]


def test_unit_from_the_info_sheet_code(tmp_path, register):
    sub = one(write_roster(tmp_path / "whatever.xlsx", "cb-a", [member("A B", 1990)]), register)
    assert sub.unit == "CB-A" and sub.period == Q3 and sub.period_source == "info"


def test_unit_from_a_code_in_the_file_name_longest_code_wins(tmp_path, register):
    sub = one(write_roster(tmp_path / "DS dang vien CB-H1 quy 3 2022.xlsx", None, [member("A B", 1990)],
                           year=None, quarter=None), register)
    assert sub.unit == "CB-H1"
    assert sub.period == Q3 and sub.period_source == "filename"


def test_unit_from_the_name_ignoring_case_diacritics_and_chi_bo(tmp_path, register):
    sub = one(write_roster(tmp_path / "danh sach.xlsx", None, [member("A B", 1990)], name="PHONG HAU CAN"),
              register)
    assert sub.unit == "CB-B"


def test_unknown_unit_is_rejected_with_the_reason(tmp_path, register):
    sub = one(write_roster(tmp_path / "x.xlsx", "CB-KHONG", [member("A B", 1990)]), register)
    assert sub.unit is None
    assert [i.rule for i in sub.issues] == ["UNIT_UNKNOWN"]
    assert "CB-KHONG" in sub.issues[0].message


def test_a_committee_code_is_not_a_cell(tmp_path, register):
    sub = one(write_roster(tmp_path / "x.xlsx", "DB-H", [member("A B", 1990)]), register)
    assert sub.unit is None and "UNIT_NOT_CELL" in [i.rule for i in sub.issues]


@pytest.mark.parametrize("name, expected", [
    ("CB-A_2022-Q3.xlsx", Period(2022, 3)),
    ("CB-A Q2_2022.xlsx", Period(2022, 2)),
    ("CB-A quy 4 2021.xlsx", Period(2021, 4)),
    ("CB-A quý III năm 2022.xlsx", Period(2022, 3)),
])
def test_period_from_the_file_name(tmp_path, register, name, expected):
    sub = one(write_roster(tmp_path / name, "CB-A", [member("A B", 1990)], year=None, quarter=None), register)
    assert sub.period == expected


def test_period_from_a_title_row_then_assumed_with_a_warning(tmp_path, register):
    titled = one(write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("A B", 1990)], year=None, quarter=None,
                              titles=["DANH SÁCH ĐẢNG VIÊN QUÝ III NĂM 2022"]), register)
    assert titled.period == Q3 and titled.period_source == "title"
    bare = one(write_roster(tmp_path / "CB-B.xlsx", "CB-B", [member("A B", 1990)], year=None, quarter=None),
               register)
    assert bare.period is None
    intake.select([bare], Q3)
    assert bare.status == FileStatus.ACCEPTED
    assert [i.rule for i in bare.issues] == ["PERIOD_ASSUMED"]


def test_two_files_for_one_cell_the_later_ngay_lap_wins(tmp_path, register):
    new = write_roster(tmp_path / "CB-A moi.xlsx", "CB-A", [member("A B", 1990)], created=dt.date(2022, 10, 5))
    old = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("A B", 1990)], created=dt.date(2022, 9, 28))
    os.utime(old, (2e9, 2e9))  # the older Ngày lập wins over a newer file time
    subs = intake.select(intake.match([read_workbook(old), read_workbook(new)], register), Q3)
    assert [s.status for s in subs] == [FileStatus.SUPERSEDED, FileStatus.ACCEPTED]
    assert subs[0].issues[-1].rule == "DUPLICATE_SUBMISSION" and "CB-A moi.xlsx" in subs[0].issues[-1].message


def test_same_ngay_lap_then_the_later_file_time_wins(tmp_path, register):
    a = write_roster(tmp_path / "a.xlsx", "CB-A", [member("A B", 1990)])
    b = write_roster(tmp_path / "b.xlsx", "CB-A", [member("A B", 1990)])
    os.utime(a, (2e9, 2e9))
    os.utime(b, (1e9, 1e9))
    subs = intake.select(intake.match([read_workbook(a), read_workbook(b)], register), Q3)
    assert [s.status for s in subs] == [FileStatus.ACCEPTED, FileStatus.SUPERSEDED]


def test_a_file_for_another_period_is_not_used(tmp_path, register):
    sub = one(write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("A B", 1990)], quarter=2), register)
    intake.select([sub], Q3)
    assert sub.status == FileStatus.OTHER_PERIOD
    assert "quý II năm 2022" in sub.issues[-1].message


def test_year_is_inferred_and_several_years_ask_for_year(tmp_path, register):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "a.xlsx", "CB-A", [member("A B", 1990)])
    write_roster(inbox / "b.xlsx", "CB-B", [member("A B", 1990)], quarter=2)
    assert choose_period(load_inbox(inbox, register), None, 3) == Q3
    write_roster(inbox / "c.xlsx", "CB-H1", [member("A B", 1990)], year=2021)
    with pytest.raises(PipelineError, match="YEAR="):
        choose_period(load_inbox(inbox, register), None, 3)
    assert choose_period(load_inbox(inbox, register), 2021, 3) == Period(2021, 3)


def test_lock_and_system_files_are_ignored_and_the_inbox_is_not_modified(tmp_path, register):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "a.xlsx", "CB-A", [member("A B", 1990)])
    (inbox / "~$a.xlsx").write_bytes(b"lock")
    (inbox / "Thumbs.db").write_bytes(b"x")
    before = {p.name: (p.stat().st_mtime, p.read_bytes()) for p in inbox.iterdir()}
    subs = load_inbox(inbox, register)
    assert [s.file for s in subs] == ["a.xlsx"]
    assert {p.name: (p.stat().st_mtime, p.read_bytes()) for p in inbox.iterdir()} == before


def test_unit_from_a_title_row_naming_the_cell(tmp_path, register):
    sub = one(write_roster(tmp_path / "danh sach.xlsx", None, [member("A B", 1990)], info=False,
                           titles=["DANH SÁCH ĐẢNG VIÊN CHI BỘ PHÒNG THAM MƯU", "Quý III năm 2022"]), register)
    assert sub.unit == "CB-A" and sub.period == Q3 and sub.period_source == "title"


def test_a_name_shared_by_cells_needs_the_committee_too(tmp_path):
    rows = [["DB-T", "Đảng bộ Công an tỉnh", "Đảng bộ", None, None, None],
            ["DB-1", "Đảng bộ Công an huyện Đông Sơn", "Đảng bộ cơ sở", "DB-T", None, None],
            ["DB-2", "Đảng bộ Công an huyện Tây Sơn", "Đảng bộ cơ sở", "DB-T", None, None],
            ["C1", "Chi bộ Đội An ninh", "Chi bộ trực thuộc", "DB-1", None, None],
            ["C2", "Chi bộ Đội An ninh", "Chi bộ trực thuộc", "DB-2", None, None]]
    register = read_register(write_register(tmp_path / "units.xlsx", rows))
    alone = one(write_roster(tmp_path / "a.xlsx", None, [member("A B", 1990)], info=False,
                             titles=["DANH SÁCH ĐẢNG VIÊN CHI BỘ ĐỘI AN NINH"]), register)
    assert alone.unit is None and [i.rule for i in alone.issues] == ["UNIT_UNKNOWN"]
    named = one(write_roster(tmp_path / "b.xlsx", None, [member("A B", 1990)], info=False,
                             titles=["ĐẢNG BỘ CÔNG AN HUYỆN TÂY SƠN", "CHI BỘ ĐỘI AN NINH"]), register)
    assert named.unit == "C2"
