"""Committees that are not the sample's, set up from `init` and reported with `make report`, as a new
department would: a university's đảng bộ cơ sở with six chi bộ trực thuộc, and a four-level
provincial committee. Paths hold spaces and Vietnamese letters; the PDF must carry the committee's
own header, the sentence that fits its tree, its author and the body that decides its admissions,
and its figures."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from builders import cccd, member, write_roster
from pdfcheck import page_texts

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

Q1_2025 = {"year": 2025, "quarter": 1, "created": dt.date(2025, 4, 2)}


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd, stdin=subprocess.DEVNULL)


def make(repo, *args):
    return subprocess.run(["make", "--no-print-directory", *map(str, args)], cwd=repo, capture_output=True,
                          text=True, timeout=600)


def person(name, born, n, admitted, official=None, gender="Nam"):
    """A member with the dates given (ceremony 10 days after the decision)."""
    return member(name, born, gender, admitted=admitted, official=official, n=n,
                  ceremony=admitted + dt.timedelta(days=10), **{"Số CCCD": cccd(n, gender, born)})


def fill_register(path, rows):
    """Type the units into the register `init` made, as a clerk does in Excel."""
    wb = load_workbook(path)
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)


def pdf_text(folder) -> str:
    pdf = next((folder).glob("bao-cao-phat-trien-dang-vien-*.pdf"))
    return " ".join(" ".join(page_texts(PdfReader(pdf))).split())


@pytest.fixture
def university(tmp_path):
    base = tmp_path / "Phòng Tổ chức" / "năm 2025"
    result = cli("init", base, "--superior-body", "ĐẢNG BỘ KHỐI CÁC TRƯỜNG ĐẠI HỌC",
                 "--issuing-body", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC SƯ PHẠM THỬ NGHIỆM",
                 "--committee-name", "Đảng bộ Trường Đại học Sư phạm Thử nghiệm",
                 "--standing-committee", "Ban Thường vụ Đảng ủy Trường",
                 "--admitting-body", "Ban Thường vụ Đảng ủy Khối các trường đại học",
                 "--document-code", "BC/ĐU", "--place", "Hà Nội", "--signer-title", "BÍ THƯ",
                 "--signer-name", "Phạm Thị Hương", "--recipient", "Ban Tổ chức Đảng ủy Khối,",
                 "--recipient", "Lưu VP.", "--root-code", "DB-SP", "--root-type", "Đảng bộ cơ sở")
    assert result.returncode == 0, result.stderr
    assert "make report QUARTER=…" in result.stdout
    fill_register(base / "danh-muc-don-vi.xlsx", [
        [f"CB-K{k}", f"Chi bộ Khoa {faculty}", "Chi bộ trực thuộc", "DB-SP", None, 2]
        for k, faculty in enumerate(["Toán", "Văn", "Sử", "Địa", "Lý", "Hóa"], start=1)])
    inbox = base / "hop-thu"
    for k in range(1, 7):
        people = [person(f"Nguyễn Văn Khoa{k}", 1980, 10 * k, dt.date(2010, 5, 1), dt.date(2011, 5, 20)),
                  person(f"Trần Thị Học{k}", 1990, 10 * k + 1, dt.date(2015, 3, 2), dt.date(2016, 3, 20), "Nữ")]
        if k == 2:  # the one admission of the quarter
            people.append(person("Lê Văn Mới", 2003, 99, dt.date(2025, 2, 14)))
        write_roster(inbox / f"CB-K{k}_2025-Q1.xlsx", f"CB-K{k}", people, **Q1_2025)
    return base


def test_a_university_grassroots_committee_gets_its_own_report(university, pytestconfig):
    base = university
    result = make(pytestconfig.rootpath, "report", "QUARTER=1", "YEAR=2025", f"INBOX={base / 'hop-thu'}",
                  f"UNITS={base / 'danh-muc-don-vi.xlsx'}", f"CONFIG={base / 'pipeline.toml'}",
                  f"OUT={base / 'ket-qua'}", "DATE=08/04/2025")
    assert result.returncode == 0, result.stdout + result.stderr
    folder = base / "ket-qua" / "2025-Q1"
    text = pdf_text(folder)
    for line in ("ĐẢNG BỘ KHỐI CÁC TRƯỜNG ĐẠI HỌC", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC SƯ PHẠM THỬ NGHIỆM",
                 "Hà Nội, ngày 08 tháng 4 năm 2025", "Phạm Thị Hương", "Lưu VP."):
        assert line in text
    assert ("Đảng bộ Trường Đại học Sư phạm Thử nghiệm là đảng bộ cơ sở; gồm có 06 chi bộ trực thuộc "
            "với 13 đảng viên.") in text
    assert "Ban Thường vụ Đảng ủy Trường báo cáo kết quả công tác phát triển đảng viên quý I năm 2025" in text
    assert ("Trong quý I năm 2025, Ban Thường vụ Đảng ủy Khối các trường đại học đã ban hành Quyết định kết nạp "
            "Đảng đối với 01 đồng chí") in text
    for foreign in ("CÔNG AN", "Công an", "An Hòa", "ĐUCA", "Trần Minh Khang"):
        assert foreign not in text
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["members"] == 13 and summary["totals"]["admitted_quarter"] == 1
    assert summary["totals"]["target_year"] == 12
    structure = summary["structure"]
    assert structure["root_type"] == "Đảng bộ cơ sở"
    assert structure["grassroots_committees"] == 0 and structure["subordinate_cells"] == 6  # the root not counted


def test_a_grassroots_committee_without_its_deciding_body_is_refused(tmp_path):
    result = cli("init", tmp_path / "ws", "--superior-body", "ĐẢNG BỘ KHỐI", "--issuing-body", "ĐẢNG ỦY TRƯỜNG",
                 "--committee-name", "Đảng bộ Trường", "--standing-committee", "Ban Thường vụ Đảng ủy Trường",
                 "--document-code", "BC/ĐU", "--place", "Huế", "--signer-title", "BÍ THƯ", "--signer-name", "Lê A",
                 "--recipient", "Lưu VP.", "--root-code", "DB-T", "--root-type", "Đảng bộ cơ sở")
    assert result.returncode == 1 and "--admitting-body" in result.stderr
    assert not (tmp_path / "ws" / "pipeline.toml").exists()


def test_init_never_overwrites_a_committees_files(university):
    again = cli("init", university, "--committee-name", "X", "--superior-body", "X", "--issuing-body", "X",
                "--standing-committee", "X", "--document-code", "X", "--place", "X", "--signer-title", "X",
                "--signer-name", "X", "--recipient", "X")
    assert again.returncode == 1 and "Không ghi đè" in again.stderr
    assert "Sư phạm" in (university / "pipeline.toml").read_text(encoding="utf-8")


def test_a_four_level_committee_is_described_by_its_own_tree(tmp_path, pytestconfig):
    base = tmp_path / "Ban Tổ chức Tỉnh ủy"
    result = cli("init", base, "--superior-body", "ĐẢNG CỘNG SẢN VIỆT NAM", "--issuing-body", "TỈNH ỦY THỬ NGHIỆM",
                 "--committee-name", "Đảng bộ tỉnh Thử Nghiệm", "--standing-committee", "Ban Thường vụ Tỉnh ủy",
                 "--document-code", "BC/TU", "--place", "Thử Nghiệm", "--signer-title", "BÍ THƯ",
                 "--signer-name", "Hoàng Văn Tỉnh", "--recipient", "Lưu VT.", "--root-code", "DB-TINH",
                 "--root-type", "Đảng bộ")
    assert result.returncode == 0, result.stderr
    fill_register(base / "danh-muc-don-vi.xlsx", [
        ["DB-H1", "Đảng bộ huyện Một", "Đảng bộ cấp trên cơ sở", "DB-TINH", None, None],
        ["DB-H2", "Đảng bộ huyện Hai", "Đảng bộ cấp trên cơ sở", "DB-TINH", None, None],
        ["DB-X1", "Đảng bộ xã Một", "Đảng bộ cơ sở", "DB-H1", None, None],
        ["CB-X1-1", "Chi bộ thôn Đông", "Chi bộ trực thuộc", "DB-X1", None, None],
        ["CB-X1-2", "Chi bộ thôn Tây", "Chi bộ trực thuộc", "DB-X1", None, None],
        ["CB-H1-TR", "Chi bộ Trường Trung học phổ thông Một", "Chi bộ cơ sở", "DB-H1", None, None],
        ["DB-X2", "Đảng bộ xã Hai", "Đảng bộ cơ sở", "DB-H2", None, None],
        ["DB-X2-BP", "Đảng bộ bộ phận Khu công nghiệp", "Đảng bộ bộ phận", "DB-X2", None, None],
        ["CB-X2-BP1", "Chi bộ Nhà máy Một", "Chi bộ trực thuộc", "DB-X2-BP", None, None],
        ["CB-X2-1", "Chi bộ thôn Bắc", "Chi bộ trực thuộc", "DB-X2", None, None],
        ["CB-X2-2", "Chi bộ thôn Nam", "Chi bộ trực thuộc", "DB-X2", None, None],
        ["CB-H2-YT", "Chi bộ Trung tâm Y tế Hai", "Chi bộ cơ sở", "DB-H2", None, None],
    ])
    cells = ["CB-X1-1", "CB-X1-2", "CB-H1-TR", "CB-X2-BP1", "CB-X2-1", "CB-X2-2", "CB-H2-YT"]
    for k, code in enumerate(cells, start=1):
        write_roster(base / "hop-thu" / f"{code}_2025-Q1.xlsx", code,
                     [person(f"Đỗ Văn Thành{k}", 1975, k, dt.date(2005, 6, 1), dt.date(2006, 6, 20))], **Q1_2025)
    result = make(pytestconfig.rootpath, "report", "QUARTER=1", f"INBOX={base / 'hop-thu'}",
                  f"UNITS={base / 'danh-muc-don-vi.xlsx'}", f"CONFIG={base / 'pipeline.toml'}",
                  f"OUT={base / 'ket-qua'}", "DATE=2025-04-08")
    assert result.returncode == 0, result.stdout + result.stderr
    text = pdf_text(base / "ket-qua" / "2025-Q1")
    assert ("Đảng bộ tỉnh Thử Nghiệm là Đảng bộ cấp trên của 02 đảng bộ cấp trên cơ sở; gồm có 02 chi bộ cơ sở, "
            "02 đảng bộ cơ sở (có 01 đảng bộ bộ phận, 05 chi bộ trực thuộc) với 7 đảng viên.") in text
    assert "Trong quý I năm 2025, Ban Thường vụ Tỉnh ủy chưa ban hành Quyết định kết nạp Đảng nào" in text
    summary = json.loads((base / "ket-qua" / "2025-Q1" / "summary.json").read_text(encoding="utf-8"))
    assert summary["structure"]["upper_committees"] == 2 and summary["structure"]["partial_committees"] == 1
    assert summary["coverage"]["accepted"] == 7 and summary["totals"]["members"] == 7


def test_init_asks_at_the_terminal_for_what_the_options_leave_out(tmp_path):
    """At a terminal, `init` asks one question a line; an empty answer to a required one is asked again."""
    import os
    import pty

    answers = ["ĐẢNG BỘ TỈNH THỬ", "ĐẢNG ỦY KHỐI CƠ QUAN", "Đảng bộ Khối Cơ quan", "Ban Thường vụ Đảng ủy Khối",
               "BC/ĐUK", "Thử Nghiệm", "", "PHÓ BÍ THƯ", "Nông Văn Hỏi", "Ban Tổ chức Tỉnh ủy,", "Lưu VT.", ""]
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "init", str(tmp_path / "ws")],
                            stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
    os.close(secondary)
    os.write(primary, ("\n".join(answers) + "\n").encode())
    said = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        said += chunk
    assert proc.wait(timeout=120) == 0, said.decode(errors="replace")
    text = said.decode()
    assert "Cần ghi thông tin này." in text and "Ba bước tiếp theo" in text
    config = (tmp_path / "ws" / "pipeline.toml").read_text(encoding="utf-8")
    assert 'signer_title = "PHÓ BÍ THƯ"' in config and 'signer_name = "Nông Văn Hỏi"' in config
    assert '"Lưu VT.",' in config


def test_the_department_writes_its_quarters_narrative_from_the_starting_text_init_gave(university, pytestconfig):
    """As the README says: copy loi-van/mau.md for the quarter, edit it, point [narrative] at it; the
    PDF and the Word copy carry the department's sentences with the figures filled in."""
    base = university
    starting = base / "loi-van" / "mau.md"
    assert starting.is_file() and "## Nhiệm vụ" in starting.read_text(encoding="utf-8")
    text = starting.read_text(encoding="utf-8").replace(
        "## Đánh giá\n", "## Đánh giá\n\nTrong quý, Khoa Văn kết nạp {{ admitted_quarter }} đồng chí; toàn Đảng bộ "
                         "có {{ members }} đảng viên, **{{ probationary }} đảng viên dự bị**.\n", 1)
    (base / "loi-van" / "2025-Q1.md").write_text(text, encoding="utf-8")
    config = base / "pipeline.toml"
    settings = config.read_text(encoding="utf-8")
    assert '# file = "loi-van/{year}-Q{quarter}.md"' in settings
    config.write_text(settings.replace('# file = "loi-van/{year}-Q{quarter}.md"', 'file = "loi-van/{year}-Q{quarter}.md"'),
                      encoding="utf-8")
    result = make(pytestconfig.rootpath, "report", "QUARTER=1", "YEAR=2025", f"INBOX={base / 'hop-thu'}",
                  f"UNITS={base / 'danh-muc-don-vi.xlsx'}", f"CONFIG={config}", f"OUT={base / 'ket-qua'}",
                  "DATE=08/04/2025")
    assert result.returncode == 0, result.stdout + result.stderr
    sentence = "Trong quý, Khoa Văn kết nạp 01 đồng chí; toàn Đảng bộ có 13 đảng viên, 01 đảng viên dự bị."
    assert sentence in pdf_text(base / "ket-qua" / "2025-Q1")
    from docx import Document
    document = Document(next((base / "ket-qua" / "2025-Q1").glob("*.docx")))
    [paragraph] = [p for p in document.paragraphs if p.text == sentence]
    assert [r.text for r in paragraph.runs if r.bold] == ["01 đảng viên dự bị"]
    # A second `init` (with --force) never overwrites the department's own text.
    starting.write_text("## Mở đầu\n\nCủa Ban.\n\n## Đánh giá\n\n## Nhiệm vụ\n", encoding="utf-8")
    again = cli("init", base, "--force", "--committee-name", "X", "--superior-body", "X", "--issuing-body", "X",
                "--standing-committee", "X", "--document-code", "X", "--place", "X", "--signer-title", "X",
                "--signer-name", "X", "--recipient", "X")
    assert again.returncode == 0, again.stderr
    assert starting.read_text(encoding="utf-8").startswith("## Mở đầu\n\nCủa Ban.")
