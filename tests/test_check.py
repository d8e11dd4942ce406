"""`python -m pipeline check FILE...`: validation on its own, through the real entry point."""

import datetime as dt
import subprocess
import sys

from builders import member, write_register, write_roster


def run(*args):
    return subprocess.run([sys.executable, "-m", "pipeline", "check", *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def test_clean_file_exits_0_and_says_it_can_be_sent(tmp_path):
    path = write_roster(tmp_path / "CB-A_2022-Q3.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    result = run(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CB-A_2022-Q3.xlsx: 1 đảng viên, quý III năm 2022 — 0 lỗi, 0 cảnh báo" in result.stdout
    assert "Có thể gửi." in result.stdout


def test_errors_exit_3_and_each_is_printed_with_its_cell_and_message(tmp_path):
    bad = write_roster(tmp_path / "CB-B.xlsx", "CB-B", [member("Trần Văn Bảo", 1990, n=2, **{"Ngày sinh": "31/02/1990"})])
    ok = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    result = run(ok, bad)
    assert result.returncode == 3
    assert "[Lỗi] trang \"Đảng viên\" ô C2 cột \"Ngày sinh\": \"31/02/1990\" không phải ngày hợp lệ." in result.stdout
    assert "Tổng cộng: 2 tệp, 1 lỗi, 0 cảnh báo. Sửa các lỗi" in result.stdout


def test_the_same_person_in_two_checked_files_is_found(tmp_path):
    a = write_roster(tmp_path / "a.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    b = write_roster(tmp_path / "b.xlsx", "CB-B", [member("Nguyễn Văn An", 1990, n=1)])
    result = run(a, b)
    assert result.returncode == 3 and result.stdout.count("Số CCCD \"049090000001\" trùng") == 2


def test_with_the_register_an_unknown_unit_is_an_error(tmp_path):
    write_register(tmp_path / "units.xlsx")
    path = write_roster(tmp_path / "x.xlsx", "CB-KHONG", [member("Nguyễn Văn An", 1990, n=1)])
    result = run(path, "--units", tmp_path / "units.xlsx")
    assert result.returncode == 3 and "CB-KHONG" in result.stdout


def test_a_file_for_another_quarter_than_asked_is_flagged_and_still_checked(tmp_path):
    path = write_roster(tmp_path / "a.xlsx", "CB-A", [member("An", 1990, n=1, admitted=dt.date(2022, 8, 1), official=None)],
                        quarter=3)
    result = run(path, "--year", "2022", "--quarter", "2")
    assert "quý III năm 2022, không phải kỳ báo cáo này" in result.stdout
    # Admitted in August, after the quarter asked for: a warning (counted from the next quarter).
    assert "sau ngày cuối kỳ báo cáo (30/06/2022): người này chưa được tính" in result.stdout
    assert result.returncode == 0


def test_missing_file_is_exit_1(tmp_path):
    result = run(tmp_path / "khong-co.xlsx")
    assert result.returncode == 1 and "Không tìm thấy tệp" in result.stderr


def test_check_judges_as_the_report_does_the_configured_calendar_and_sister_cells(tmp_path):
    """`check --config` counts working days with the committee's [calendar], and with `--units` a
    helper from another cell of the same đảng bộ cơ sở is found, as in the report."""
    from pipeline.contract import GRASSROOTS_COMMITTEE, ROOT, SUBORDINATE_CELL

    write_register(tmp_path / "units.xlsx", rows=[
        ["DB-T", "Đảng bộ Khối Doanh nghiệp tỉnh", ROOT, None, None, None],
        ["DB-X", "Đảng bộ Công ty Xi măng", GRASSROOTS_COMMITTEE, "DB-T", None, None],
        ["CB-X1", "Chi bộ Phân xưởng Nghiền", SUBORDINATE_CELL, "DB-X", None, None],
        ["CB-X2", "Chi bộ Phân xưởng Lò nung", SUBORDINATE_CELL, "DB-X", None, None]])
    # Decision Friday 01/07/2022: its 30th working day is 12/08 — or 15/08 with a day off on 26/07.
    late = member("Hồ Văn Lễ", 1995, admitted=dt.date(2022, 7, 1), ceremony=dt.date(2022, 8, 15), n=1)
    candidate = {"Họ và tên": "Quần Chúng Một", "Ngày sinh": dt.date(1997, 4, 2),
                 "Ngày cấp giấy chứng nhận": dt.date(2022, 3, 1), "Đảng viên giúp đỡ 1": "Trịnh Văn Lò"}
    x1 = write_roster(tmp_path / "CB-X1.xlsx", "CB-X1", [late], candidates=[candidate])
    x2 = write_roster(tmp_path / "CB-X2.xlsx", "CB-X2",
                      [member("Trịnh Văn Lò", 1980, admitted=dt.date(2010, 5, 1), n=2)])
    alone = run(x1, x2)
    assert "Lễ kết nạp 15/08/2022 muộn" in alone.stdout
    assert "Đảng viên giúp đỡ \"Trịnh Văn Lò\" không có" in alone.stdout      # no register: its own cell only
    config = tmp_path / "pipeline.toml"
    config.write_text('[calendar]\ndays_off = ["26/07/2022"]\n', encoding="utf-8")
    judged = run(x1, x2, "--units", tmp_path / "units.xlsx", "--config", config)
    assert judged.returncode == 0, judged.stdout + judged.stderr
    assert "muộn" not in judged.stdout and "Trịnh Văn Lò" not in judged.stdout
    assert "Tổng cộng: 2 tệp, 0 lỗi, 0 cảnh báo." in judged.stdout


def test_check_refuses_a_misspelt_configuration_key(tmp_path):
    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    config = tmp_path / "pipeline.toml"
    config.write_text('[calendar]\ndays_of = ["26/07/2022"]\n', encoding="utf-8")
    result = run(path, "--config", config)
    assert result.returncode in (1, 2) and "days_of" in result.stderr
