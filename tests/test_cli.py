"""The command line through its real entry point: exit codes, one-line messages, outputs."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from builders import member, write_register, write_roster


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture
def small(tmp_path):
    write_register(tmp_path / "units.xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [member("Nguyễn Văn An", 1980, n=1),
                                                       member("Hà Thị Cúc", 1998, "Nữ", admitted=dt.date(2022, 8, 1), n=2)])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1995, n=3, **{"Dân tộc": None})])
    (inbox / "ghi chu.txt").write_text("không phải danh sách")
    return tmp_path


SAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "input_samples" / "pipeline.toml"


def report_args(base, **over):
    args = {"--quarter": "3", "--inbox": base / "inbox", "--units": base / "units.xlsx", "--out": base / "out",
            "--config": SAMPLE_CONFIG}
    args.update(over)
    return [x for k, v in args.items() if v is not None for x in (k, str(v))]


def test_report_exits_0_with_data_errors_and_writes_every_output(small):
    result = run("report", *report_args(small), "--date", "2022-10-27")
    assert result.returncode == 0, result.stderr
    folder = small / "out" / "2022-Q3"
    assert f"Báo cáo: {folder}" in result.stdout
    assert {p.name for p in folder.iterdir()} == {
        "summary.json", "bao-cao-phat-trien-dang-vien-2022-Q3.pdf", "bao-cao-phat-trien-dang-vien-2022-Q3.docx",
        "so-lieu-phat-trien-dang-vien-2022-Q3.xlsx", "units", "manifest.json", "history.jsonl", "index.html",
        ".outputs.json"}
    assert f"Bản Word để chỉnh sửa: {folder / 'bao-cao-phat-trien-dang-vien-2022-Q3.docx'}" in result.stdout
    assert sorted(p.name for p in (folder / "units").iterdir()) == ["CB-A", "CB-B", "CB-H1", "CB-H2"]
    assert f"Phản hồi cho từng chi bộ: {folder / 'units'}" in result.stdout
    # What the run says is output (stdout); stderr is for errors only.
    assert "Chi bộ có số liệu: 2/4; chưa gửi: 2; không dùng được: 1." in result.stdout and result.stderr == ""
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert data["totals"]["members"] == 3
    assert data["coverage"]["missing"] == ["CB-H1", "CB-H2"]
    assert data["report_date"] == "2022-10-27"
    rules = {(i["rule"], i["file"]) for i in data["issues"]}
    assert ("REQUIRED_MISSING", "CB-B_2022-Q3.xlsx") in rules
    assert ("FILE_NOT_SPREADSHEET", "ghi chu.txt") in rules


def test_missing_inbox_is_one_line_vietnamese_and_exit_1(small):
    result = run("report", *report_args(small, **{"--inbox": small / "khong-co"}))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "Không tìm thấy thư mục nhận" in result.stderr and "Traceback" not in result.stderr


def test_broken_register_is_exit_1_with_the_reason(small):
    write_register(small / "units.xlsx", [["CB-A", "Chi bộ A", "Chi bộ cơ sở", "DB-X", None, None]])
    result = run("report", *report_args(small))
    assert result.returncode == 1
    assert "DB-X" in result.stderr and "Traceback" not in result.stderr


def test_debug_shows_the_traceback(small):
    result = run("report", *report_args(small, **{"--inbox": small / "khong-co"}), "--debug")
    assert result.returncode == 1 and "Traceback" in result.stderr


@pytest.mark.parametrize("args, words", [
    (["report", "--quarter", "5"], "quý phải là 1, 2, 3 hoặc 4"),
    (["report"], "--quarter"),
    (["report", "--quarter", "3", "--year", "20x2"], "năm"),
    (["report", "--quarter", "3", "--date", "31/02/2022"], "ngày/tháng/năm, ví dụ 27/10/2022"),
    (["report", "--quarter", "V"], "quý phải là 1, 2, 3 hoặc 4"),
    (["report", "--quarter", "3", "--khong-co"], "tham số không biết: --khong-co"),
])
def test_bad_arguments_exit_2_with_one_line(args, words):
    result = run(*args)
    assert result.returncode == 2
    assert words in result.stderr and result.stderr.strip().count("\n") == 0


def test_help_documents_every_option():
    result = run("report", "--help")
    assert result.returncode == 0
    for option in ("--quarter", "--year", "--inbox", "--units", "--out", "--config", "--date", "--debug", "--quiet"):
        assert option in result.stdout


def test_several_years_in_the_inbox_ask_for_year(small):
    write_roster(small / "inbox" / "CB-H1_2021-Q3.xlsx", "CB-H1", [member("Lê Văn Cường", 1990, n=9)], year=2021)
    result = run("report", *report_args(small))
    assert result.returncode == 1 and "YEAR=" in result.stderr
    assert run("report", *report_args(small, **{"--year": "2022"})).returncode == 0


def test_bad_config_key_is_named(small):
    (small / "cfg.toml").write_text('[document]\nplcae = "Hà Nội"\n', encoding="utf-8")
    result = run("report", *report_args(small, **{"--config": small / "cfg.toml"}))
    assert result.returncode == 1 and "plcae" in result.stderr


def test_template_command_writes_one_per_cell_and_a_blank(small):
    result = run("template", "--units", small / "units.xlsx", "--out", small / "mau", "--year", "2022", "--quarter", "3")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (small / "mau").iterdir()) == [
        "mau-danh-sach-CB-A-2022-Q3.xlsx", "mau-danh-sach-CB-B-2022-Q3.xlsx", "mau-danh-sach-CB-H1-2022-Q3.xlsx",
        "mau-danh-sach-CB-H2-2022-Q3.xlsx", "mau-danh-sach-trong.xlsx"]
    bad = run("template", "--units", small / "units.xlsx", "--out", small / "mau2", "--unit", "DB-H")
    assert bad.returncode == 1 and "không phải chi bộ" in bad.stderr


def test_help_speaks_vietnamese_and_errors_name_the_command_as_typed():
    result = run("report", "--help")
    assert "positional arguments" not in result.stdout and "show this help message" not in result.stdout
    assert "tùy chọn:" in result.stdout and "in hướng dẫn này rồi thoát" in result.stdout
    bad = run("report")
    assert "Xem: .venv/bin/python -m pipeline report --help" in bad.stderr or \
        f"Xem: {sys.executable} -m pipeline report --help" in bad.stderr
