"""Make `tests/data/offices/`: rosters and a register the way other committees' offices make them,
for `tests/test_offices.py` (see `tests/data/README.md`).

Each workbook is written with openpyxl, then opened and re-saved by LibreOffice (`soffice
--headless --convert-to xlsx|xls`), so the committed files carry what a real office suite writes
(merged cells, cached values, legacy format). What each file holds is said beside it here; what the
pipeline must make of it is written by hand in the test. Every person is invented.

Run from the project root (needs LibreOffice; the tests do not):

    .venv/bin/python tests/data/make_offices.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ for builders
from builders import CANDIDATE_HEADER, MEMBER_HEADER, write_register  # noqa: E402

OUT = HERE / "offices"

# A committee of another kind: a root with two chi bộ cơ sở and a đảng bộ cơ sở. Some cells have an
# annual target, others none, and the committees have none (summed from their cells).
REGISTER = [
    ["DB-KCQ", "Đảng bộ Khối Cơ quan", "Đảng bộ", None, None, None],
    ["CB-STP", "Chi bộ Sở Tư pháp", "Chi bộ cơ sở", "DB-KCQ", None, 2],
    ["CB-SNV", "Chi bộ Sở Nội vụ", "Chi bộ cơ sở", "DB-KCQ", None, None],
    ["DB-STC", "Đảng bộ Sở Tài chính", "Đảng bộ cơ sở", "DB-KCQ", None, None],
    ["CB-STC-1", "Chi bộ Phòng Ngân sách", "Chi bộ trực thuộc", "DB-STC", None, 1],
    ["CB-STC-2", "Chi bộ Văn phòng Sở", "Chi bộ trực thuộc", "DB-STC", None, None],
]


def info(wb: Workbook, code: str) -> None:
    ws = wb.active
    ws.title = "Thông tin"
    for row in (("Mã đơn vị", code), ("Năm", 2025), ("Quý", 1), ("Ngày lập", dt.date(2025, 4, 2)),
                ("Người lập", "Đặng Thị Thư")):
        ws.append(row)


def members_row(n, name, born, gender, cid, admitted, ceremony, official, ethnic="Kinh"):
    by_header = {"STT": n, "Họ và tên": name, "Ngày sinh": born, "Giới tính": gender, "Dân tộc": ethnic,
                 "Tôn giáo": "Không", "Số CCCD": cid, "Ngày vào Đảng": admitted, "Ngày kết nạp": ceremony,
                 "Ngày chính thức": official, "Đoàn viên": None, "Trình độ chuyên môn": "Đại học", "Ghi chú": None}
    return [by_header[h] for h in MEMBER_HEADER]


def sections_and_candidates(path: Path) -> None:
    """CB-STP: members under section rows merged across the table ("I. ĐẢNG VIÊN CHÍNH THỨC",
    "II. ĐẢNG VIÊN DỰ BỊ"), then, on the same sheet, a title and the candidates with their own
    header row. Among the members: dates written out in words; an official date that cannot be a
    date (31/02/2020); a ceremony before its decision; a decision after the quarter (2025-04-10);
    a ceremony after the quarter for a decision inside it (decision 25/03/2025, ceremony
    08/04/2025)."""
    wb = Workbook()
    info(wb, "CB-STP")
    ws = wb.create_sheet("Đảng viên")
    ws.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ SỞ TƯ PHÁP"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(MEMBER_HEADER))
    ws.append(MEMBER_HEADER)
    width = len(MEMBER_HEADER)

    def section(text):
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
        ws.cell(ws.max_row, 1).font = Font(bold=True)

    section("I. ĐẢNG VIÊN CHÍNH THỨC")
    ws.append(members_row(1, "Phan Văn Chính", dt.datetime(1980, 4, 2), "Nam", "002080000101",
                          dt.datetime(2008, 5, 10), dt.datetime(2008, 5, 20), dt.datetime(2009, 5, 25)))
    ws.append(members_row(2, "Đoàn Thị Lời", "ngày 15 tháng 3 năm 1990", "Nữ", "002190000102",
                          "12 tháng 05 năm 2015", "ngày 22 tháng 5 năm 2015", "ngày 25 tháng 5 năm 2016"))
    ws.append(members_row(3, "Mạc Văn Sai", dt.datetime(1975, 1, 9), "Nam", "002075000103",
                          dt.datetime(2019, 2, 1), dt.datetime(2019, 2, 11), "31/02/2020"))
    section("II. ĐẢNG VIÊN DỰ BỊ")
    ws.append(members_row(4, "Khổng Thị Ngược", dt.datetime(1998, 6, 6), "Nữ", "002198000104",
                          dt.datetime(2024, 8, 20), dt.datetime(2024, 8, 10), None))
    ws.append(members_row(5, "Tạ Văn Kịp", dt.datetime(2001, 9, 1), "Nam", "002201000105",
                          dt.datetime(2025, 3, 25), dt.datetime(2025, 4, 8), None))
    ws.append(members_row(6, "Lưu Thị Tháng Tư", dt.datetime(2002, 2, 2), "Nữ", "002302000106",
                          dt.datetime(2025, 4, 10), None, None))
    ws.append([])
    ws.append(["DANH SÁCH QUẦN CHÚNG ƯU TÚ"])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(CANDIDATE_HEADER)
    by_header = {"STT": 1, "Họ và tên": "Hồ Văn Nguồn", "Ngày sinh": dt.datetime(2000, 10, 10), "Giới tính": "Nam",
                 "Dân tộc": "Kinh", "Số CCCD": "002200000107", "Ngày cấp giấy chứng nhận": dt.datetime(2024, 11, 1),
                 "Đảng viên giúp đỡ 1": "Phan Văn Chính", "Đảng viên giúp đỡ 2": "Mạc Văn Sai", "Đoàn viên": "x",
                 "Ghi chú": None}
    ws.append([by_header[h] for h in CANDIDATE_HEADER])
    for cell in ws[2]:
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True)
    wb.save(path)


def plain(path: Path, code: str) -> None:
    """CB-STC-1: a plain roster (saved by LibreOffice as a legacy .xls)."""
    wb = Workbook()
    info(wb, code)
    ws = wb.create_sheet("Đảng viên")
    ws.append(MEMBER_HEADER)
    ws.append(members_row(1, "Vi Văn Thường", dt.datetime(1983, 3, 3), "Nam", "002083000201",
                          dt.datetime(2010, 1, 5), dt.datetime(2010, 1, 15), dt.datetime(2011, 1, 20), "Tày"))
    wb.save(path)


def main() -> None:
    if shutil.which("soffice") is None:
        raise SystemExit("LibreOffice (soffice) is needed: apt-get install libreoffice-calc-nogui")
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "inbox").mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_register(tmp / "units.xlsx", REGISTER)
        sections_and_candidates(tmp / "CB-STP_2025-Q1.xlsx")
        plain(tmp / "CB-STC-1_2025-Q1.xlsx", "CB-STC-1")
        profile = (tmp / "profile").as_uri()
        for name, target, folder in (("units.xlsx", "xlsx", OUT), ("CB-STP_2025-Q1.xlsx", "xlsx", OUT / "inbox"),
                                     ("CB-STC-1_2025-Q1.xlsx", "xls", OUT / "inbox")):
            done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--calc",
                                   "--convert-to", target, "--outdir", str(folder), str(tmp / name)],
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                raise SystemExit(f"soffice failed: {done.stderr}")
    print(f"wrote {sorted(p.relative_to(OUT).as_posix() for p in OUT.rglob('*.*'))}")


if __name__ == "__main__":
    main()
