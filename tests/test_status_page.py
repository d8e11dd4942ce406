"""The quarter on one page (`index.html`) in a real browser, and `status`, which says the same in the
terminal.

One quarter is built for real: a first `report` on 03/10/2022, a second on 08/10/2022 after one
cell sent a corrected file and another sent its first, late (deadline: 5 days after the quarter,
05/10/2022), then `send` through an SMTP server on loopback that accepts one cell's mail and refuses
another's. The page is opened from the file system in Debian's headless Chromium (driven by
playwright), and what is checked is what a reader sees there.

The browser is part of the project's setup (scripts/system-deps.sh). Without /usr/bin/chromium the
browser tests fail and say so; PIPELINE_NO_BROWSER=1 skips them on a machine that cannot have one.
PIPELINE_SCREENSHOT_DIR=DIR also copies the screenshot there (status_page.png) to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from builders import member, sample_config, write_register, write_roster
from mailserver import Mailbox, free_port
from pipeline import cli
from pipeline.app import make_report, send_reminders, send_reports
from pipeline.config import DeadlineSettings, SendSettings, SmtpSettings
from pipeline.render import vn
from pipeline.render.page import write_status_page
from pipeline.standing import read_standing

CHROMIUM = Path("/usr/bin/chromium")
# The machine's network may be closed: without these Chromium waits on its own background requests.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

ICT = dt.timezone(dt.timedelta(hours=7))
FIRST_RUN = dt.datetime(2022, 10, 3, 9, 0, tzinfo=ICT)
SECOND_RUN = dt.datetime(2022, 10, 8, 14, 30, tzinfo=ICT)

REGISTER = [
    ["DB-T", "Đảng bộ Công an tỉnh", "Đảng bộ", None, None, None],
    ["CB-A", "Chi bộ Phòng Tham mưu", "Chi bộ cơ sở", "DB-T", "cb-a@example.vn", 3],
    ["CB-B", "Chi bộ Phòng Hậu cần", "Chi bộ cơ sở", "DB-T", None, 2],
    ["DB-H", "Đảng bộ Công an huyện Đông Sơn", "Đảng bộ cơ sở", "DB-T", None, 4],
    ["CB-H1", "Chi bộ Đội An ninh", "Chi bộ trực thuộc", "DB-H", "cb-h1@example.vn", None],
    ["CB-H2", "Chi bộ Đội Cảnh sát", "Chi bộ trực thuộc", "DB-H", "cb-h2@example.vn", None],
]


REFUSED = {"cb-h1@example.vn": "550 Hộp thư không tồn tại"}


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    """→ (out, folder, summary.json as a dict): two report runs, a send and a reminder; each of them
    writes the page again."""
    from aiosmtpd.controller import Controller

    base = tmp_path_factory.mktemp("quarter")
    write_register(base / "units.xlsx", REGISTER)
    inbox = base / "inbox"
    inbox.mkdir()
    out = base / "ket qua"          # a space in the path: the page's links must survive it
    config = sample_config(deadlines=DeadlineSettings(days_after_quarter=5))
    run = dict(inbox=inbox, units=base / "units.xlsx", quarter=3, out=out, report_date=dt.date(2022, 10, 27),
               workers=1)
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1980, n=1, **{"Ngày sinh": "31/02/1980"}),
        member("Hà Thị Cúc", 1998, "Nữ", admitted=dt.date(2022, 8, 1), n=2)])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1995, n=3)])
    make_report(**run, config=config, now=FIRST_RUN)
    write_roster(inbox / "CB-B_2022-Q3 sửa.xlsx", "CB-B", [member("Trần Văn Bảo", 1995, n=3),
                                                          member("Lê Thị Duyên", 1990, "Nữ", n=5)],
                 created=dt.date(2022, 10, 7))
    write_roster(inbox / "CB-H1_2022-Q3.xlsx", "CB-H1", [member("Phạm Văn Đức", 1985, n=4)])
    report = make_report(**run, config=config, now=SECOND_RUN)

    controller = Controller(Mailbox(refuse=REFUSED), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=controller.port, security="none",
                            sender="Ban Tổ chức <btc@example.vn>", timeout=10.0, rate_per_minute=0)
        mail = replace(config, smtp=smtp, send=SendSettings(report_to=("bch@example.vn",)))
        send_reports(year=2022, quarter=3, out=out, config=mail)
        send_reminders(year=2022, quarter=3, out=out, config=mail, today=SECOND_RUN.date())
    finally:
        controller.stop()
    assert (report.folder / "index.html").is_file()
    summary = json.loads((report.folder / "summary.json").read_text(encoding="utf-8"))
    return out, report.folder, summary


def units_of(summary: dict) -> dict[str, dict]:
    return {u["code"]: u for u in summary["units"]}


# ---------- the browser ----------

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if os.environ.get("PIPELINE_NO_BROWSER") == "1":
        pytest.skip("PIPELINE_NO_BROWSER=1: không chạy trình duyệt")
    if not CHROMIUM.is_file():
        pytest.fail(f"Không có trình duyệt {CHROMIUM}: cài bằng scripts/system-deps.sh --browser (make test gọi sẵn; cần root; hoặc "
                    "apt-get install chromium), hoặc đặt PIPELINE_NO_BROWSER=1 để bỏ qua kiểm thử này.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1366, "height": 768}, locale="vi-VN")
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, quarter):
    """The page, opened from the file system as a double-click opens it; every request it makes is
    recorded (there must be none beyond the file itself)."""
    _, folder, _ = quarter
    tab = browser.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto((folder / "index.html").as_uri())
    tab.requests = requests
    yield tab
    tab.close()


def visible_rows(page) -> list[dict]:
    return page.eval_on_selector_all("#units tbody tr:not([hidden])", """rows => rows.map(r => ({
        code: r.dataset.code, context: r.classList.contains('context'),
        status: r.querySelector('.status').textContent.trim()}))""")


def row_text(page, code: str) -> dict[str, str]:
    row = page.locator(f'#units tbody tr[data-code="{code}"]')
    return {cls: row.locator(f"td.{cls}").inner_text().strip()
            for cls in ("code", "name", "status", "timeliness", "members", "errors", "warnings", "feedback")}


def path_of(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


def test_the_page_shows_the_totals_and_coverage_of_summary_json(page, quarter):
    _, folder, summary = quarter
    t, c = summary["totals"], summary["coverage"]
    assert page.title() == "Đảng bộ Công an tỉnh — tình hình báo cáo quý III năm 2022"
    assert page.locator("h1").text_content() == "Đảng bộ Công an tỉnh"
    shown = {key: page.locator(f'[data-total="{key}"]').inner_text() for key in (
        "members", "admitted_quarter", "admitted_ytd", "ratio", "accepted", "missing", "rejected", "on_time", "late",
        "deadline")}
    assert shown == {
        "members": vn.number(t["members"]), "admitted_quarter": vn.number(t["admitted_quarter"]),
        "admitted_ytd": f"{vn.number(t['admitted_ytd'])} / chỉ tiêu {vn.number(t['target_year'])}",
        "ratio": vn.percent(t["admitted_ytd_ratio"], 1),
        "accepted": f"{c['accepted']}/{c['expected']} ({vn.percent(c['completeness_rate'], 1)})",
        "missing": str(len(c["missing"])), "rejected": str(len(c["rejected"])),
        "on_time": f"{c['on_time']} ({vn.percent(c['on_time_rate'], 1)})", "late": str(c["late"]),
        "deadline": "05/10/2022"}
    assert shown["members"] == "5" and shown["accepted"] == "3/4 (75,0%)" and shown["late"] == "1"
    assert "Số liệu chưa đầy đủ: mới có 3/4 chi bộ." in page.inner_text("body")
    changes = page.locator("#changes li").all_inner_texts()
    assert changes == [
        "CB-B: 1 → 2 đảng viên, tệp CB-B_2022-Q3 sửa.xlsx gửi lại lúc 14:30 08/10/2022",
        "CB-H1: chưa gửi → đã nhận, 1 đảng viên, tệp CB-H1_2022-Q3.xlsx gửi lúc 14:30 08/10/2022"]
    assert page.requests == [(folder / "index.html").as_uri()]     # nothing fetched, not even a font


def test_a_units_row_says_its_status_timeliness_issues_and_feedback(page, quarter):
    _, _, summary = quarter
    units = units_of(summary)
    late = row_text(page, "CB-H1")
    assert late | {"feedback": "…"} == {
        "code": "CB-H1", "name": "Chi bộ Đội An ninh", "status": "Đã nhận", "timeliness": "Muộn 3 ngày",
        "members": "1", "errors": str(units["CB-H1"]["errors"]), "warnings": str(units["CB-H1"]["warnings"]),
        "feedback": "…"}
    assert re.fullmatch(r"Gửi không được \d\d:\d\d \d\d/\d\d/\d{4}\n550 Hộp thư không tồn tại", late["feedback"])
    sent = row_text(page, "CB-A")
    assert (sent["status"], sent["timeliness"], sent["errors"]) == ("Đã nhận", "Đúng hạn", "1")
    assert units["CB-A"]["errors"] == 1                    # the impossible birth date
    assert re.fullmatch(r"Đã gửi \d\d:\d\d \d\d/\d\d/\d{4}", sent["feedback"])
    assert row_text(page, "CB-B")["feedback"] == "Chưa gửi thư"   # no Email in the register
    missing = row_text(page, "CB-H2")
    assert (missing["status"], missing["timeliness"], missing["members"]) == ("Chưa gửi", "Quá hạn", "–")
    assert re.fullmatch(r"Đã gửi [0-9:/ ]+\nđã nhắc [0-9:/ ]+", missing["feedback"])   # its package, then a reminder
    committee = row_text(page, "DB-H")
    assert committee["status"] == "Tổng hợp" and committee["timeliness"] == "Có số liệu 1/2, đúng hạn 0, muộn 1"
    # indented along the tree: a chi bộ trực thuộc sits further right than its đảng bộ cơ sở
    x = {code: page.locator(f'tr[data-code="{code}"] td.name').evaluate(
        "td => parseFloat(getComputedStyle(td).paddingLeft)") for code in ("DB-T", "DB-H", "CB-H1")}
    assert x["DB-T"] < x["DB-H"] < x["CB-H1"]


def test_the_links_lead_to_the_files_beside_the_page(page, quarter):
    _, folder, _ = quarter
    pdf = page.locator("#committee-pdf")
    assert pdf.inner_text() == "Báo cáo của Ban Thường vụ (PDF)"
    assert path_of(pdf.evaluate("a => a.href")) == folder / "bao-cao-phat-trien-dang-vien-2022-Q3.pdf"
    assert path_of(page.locator("#workbook").evaluate("a => a.href")).is_file()
    package = page.locator('tr[data-code="CB-A"] a.package')
    assert path_of(package.evaluate("a => a.href")) == folder / "units" / "CB-A" / "phan-hoi-CB-A-2022-Q3.pdf"
    every = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert all(path_of(href).exists() for href in every), every
    page.locator('tr[data-code="CB-A"] .folder a').click()        # the package's folder, as a double-click finds it
    page.wait_for_load_state()
    assert path_of(page.url) == folder / "units" / "CB-A"
    assert "phan-hoi-CB-A-2022-Q3.pdf" in page.inner_text("body")


def test_the_status_filter_shows_only_those_cells_under_their_committees(page, quarter):
    _, _, summary = quarter
    page.get_by_role("button", name=re.compile(r"^Chưa gửi \(")).click()
    rows = visible_rows(page)
    assert [r["code"] for r in rows if not r["context"]] == summary["coverage"]["missing"] == ["CB-H2"]
    assert {r["status"] for r in rows if not r["context"]} == {"Chưa gửi"}
    assert [r["code"] for r in rows if r["context"]] == ["DB-T", "DB-H"]   # its committees, dimmed
    assert page.locator("#shown").inner_text() == "Đang hiện 1/6 đơn vị"
    page.get_by_role("button", name=re.compile(r"^Muộn \(")).click()
    assert [r["code"] for r in visible_rows(page) if not r["context"]] == ["CB-H1"]
    page.get_by_role("button", name=re.compile(r"^Có lỗi \(")).click()
    assert [r["code"] for r in visible_rows(page) if not r["context"]] == ["CB-A"]
    page.get_by_role("button", name=re.compile(r"^Tệp không dùng được \(")).click()
    assert visible_rows(page) == [] and page.locator("#none").is_visible()
    page.get_by_role("button", name=re.compile(r"^Tất cả \(")).click()
    assert len(visible_rows(page)) == 6 and not any(r["context"] for r in visible_rows(page))


def test_the_search_finds_a_unit_by_name_without_diacritics_or_by_code(page):
    search = page.locator("#search")
    search.fill("dong son")
    assert [r["code"] for r in visible_rows(page) if not r["context"]] == ["DB-H"]
    search.fill("ĐỘI CẢNH SÁT")
    assert [r["code"] for r in visible_rows(page) if not r["context"]] == ["CB-H2"]
    search.fill("cb-a")
    assert [r["code"] for r in visible_rows(page)] == ["DB-T", "CB-A"]
    page.get_by_role("button", name=re.compile(r"^Muộn \(")).click()     # search and filter together
    assert [r for r in visible_rows(page) if not r["context"]] == []
    search.fill("")
    assert [r["code"] for r in visible_rows(page) if not r["context"]] == ["CB-H1"]


def test_the_page_prints_on_a4_landscape_without_its_controls(page, quarter, tmp_path):
    page.emulate_media(media="print")
    assert not page.locator(".controls").is_visible()
    page.set_viewport_size({"width": 1047, "height": 740})     # 297 mm less the 2 × 10 mm margins, at 96 dpi
    assert page.evaluate("document.querySelector('#units').scrollWidth <= document.documentElement.clientWidth")
    pdf = tmp_path / "in.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    from pypdf import PdfReader

    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (297, 210)


def test_a_screenshot_to_look_at(page, tmp_path):
    shot = tmp_path / "status_page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("PIPELINE_SCREENSHOT_DIR"):
        shutil.copy(shot, Path(os.environ["PIPELINE_SCREENSHOT_DIR"]) / shot.name)


# ---------- `status` in the terminal ----------

def test_status_prints_the_tree_the_totals_and_the_changes(quarter, capsys):
    out, _, summary = quarter
    assert cli.main(["status", "--quarter", "3", "--out", str(out)]) == cli.Exit.OK
    text = capsys.readouterr().out
    rows = {line.split()[0]: line for line in text.splitlines() if line.strip().startswith(("CB-", "DB-"))}
    assert list(rows) == [u["code"] for u in summary["units"]]
    assert re.search(r"CB-H1 +Chi bộ Đội An ninh +Đã nhận +Muộn 3 ngày +0 +0 +Gửi không được [0-9:/ ]+ \(550 Hộp thư không tồn tại\)", rows["CB-H1"])
    assert re.search(r"CB-H2 +Chi bộ Đội Cảnh sát +Chưa gửi +Quá hạn +0 +1 +Đã gửi [0-9:/ ]+ \(đã nhắc [0-9:/ ]+\)",
                     rows["CB-H2"])
    assert rows["CB-H1"].index("Chi bộ") > rows["DB-H"].index("Đảng bộ")     # indented along the tree
    assert ("Đảng bộ Công an tỉnh, quý III năm 2022: 5 đảng viên; kết nạp trong quý 1, từ đầu năm 1 "
            "(20,0% tổng số đảng viên).") in text
    assert ("Chi bộ có số liệu: 3/4 (75,0%); chưa gửi: 1; tệp không dùng được: 0; đúng hạn: 2 (50,0%), "
            "muộn: 1.") in text
    assert "Hạn nộp: 05/10/2022 (5 ngày sau khi hết quý)." in text
    assert text.rstrip().endswith(
        "Thay đổi so với lần chạy trước (09:00 03/10/2022):\n"
        "- CB-B: 1 → 2 đảng viên, tệp CB-B_2022-Q3 sửa.xlsx gửi lại lúc 14:30 08/10/2022\n"
        "- CB-H1: chưa gửi → đã nhận, 1 đảng viên, tệp CB-H1_2022-Q3.xlsx gửi lúc 14:30 08/10/2022")


def test_status_json_says_what_summary_json_says(quarter, capsys):
    out, _, summary = quarter
    assert cli.main(["status", "--quarter", "3", "--out", str(out), "--json"]) == cli.Exit.OK   # the one 2022-Q3
    doc = json.loads(capsys.readouterr().out)
    assert doc["totals"] == summary["totals"] and doc["coverage"] == summary["coverage"]
    assert doc["deadline"] == summary["deadline"]
    fields = ("code", "name", "parent", "depth", "status", "timeliness", "days_late", "submitted_at", "errors",
              "warnings", "members", "admitted_quarter", "admitted_ytd", "cells_expected", "cells_accepted",
              "cells_on_time", "cells_late", "completeness_rate", "on_time_rate", "file")
    assert [{k: u[k] for k in fields} for u in doc["units"]] == [{k: u[k] for k in fields} for u in summary["units"]]
    by_code = {u["code"]: u for u in doc["units"]}
    assert by_code["CB-H1"]["timeliness_vi"] == "Muộn 3 ngày" and by_code["CB-H1"]["days_late"] == 3
    assert by_code["CB-A"]["feedback"]["state"] == "sent" and by_code["CB-A"]["feedback"]["recipient"] == "cb-a@example.vn"
    assert by_code["CB-H1"]["feedback"]["state"] == "failed"
    assert by_code["CB-B"]["feedback"] is None and by_code["CB-B"]["feedback_vi"] == "Chưa gửi thư"
    assert by_code["DB-T"]["feedback"]["state"] == "sent"           # the committee's report, to report_to
    assert by_code["CB-H2"]["reminder"]["state"] == "sent"
    assert [c.split(":")[0] for c in doc["changes"]] == ["CB-B", "CB-H1"]


def test_status_without_a_report_of_that_quarter_says_to_make_it(quarter, tmp_path, capsys):
    out, _, _ = quarter
    assert cli.main(["status", "--quarter", "2", "--out", str(out)]) == cli.Exit.FAILED
    assert capsys.readouterr().err == (f"Lỗi: Chưa có báo cáo quý 2 nào trong {out}. Chạy make report QUARTER=2 "
                                       "trước (thêm OUT=… nếu kết quả ghi ở thư mục khác).\n")
    assert cli.main(["status", "--quarter", "3", "--year", "2021", "--out", str(out)]) == cli.Exit.FAILED
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Chưa có báo cáo quý III năm 2021 trong ") and "make report QUARTER=3 YEAR=2021" in err
    assert cli.main(["status", "--quarter", "3", "--out", str(tmp_path / "khong co")]) == cli.Exit.FAILED
    assert "Chưa có báo cáo quý 3 nào" in capsys.readouterr().err


# ---------- what the page reads ----------

def test_an_older_folder_without_manifest_ledger_or_timeliness_still_reads(quarter, tmp_path):
    _, folder, summary = quarter
    old = tmp_path / "out" / "2022-Q3"
    shutil.copytree(folder, old)
    (old / "manifest.json").unlink()
    (old / "index.html").unlink()
    new_keys = ("timeliness", "days_late", "submitted_at", "errors", "warnings", "cells_on_time", "cells_late",
                "completeness_rate", "on_time_rate")
    older = dict(summary, units=[{k: v for k, v in u.items() if k not in new_keys} for u in summary["units"]])
    del older["deadline"]
    (old / "summary.json").write_text(json.dumps(older, ensure_ascii=False), encoding="utf-8")
    standing = read_standing(old)
    assert not standing.has_manifest and not standing.has_ledger and standing.changes == []
    cells = {u.code: u for u in standing.units}
    assert {code: cells[code].timeliness for code in ("CB-A", "CB-H1", "CB-H2")} == {
        "CB-A": "received", "CB-H1": "received", "CB-H2": "missing"}
    assert cells["CB-A"].errors >= 1 and cells["DB-T"].errors == sum(u.errors for u in standing.units if u.is_cell)
    html = write_status_page(old, old.parent).read_text(encoding="utf-8")
    assert "không có manifest.json" in html and "Chưa đặt hạn nộp" in html
    assert "Chưa gửi thư nào (chưa có sổ gửi thư delivery.sqlite)" in html


def test_a_package_rebuilt_after_it_was_mailed_is_said_not_sent_again(quarter, tmp_path):
    out, folder, _ = quarter
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    standing = read_standing(copy / folder.name)
    assert not next(u for u in standing.units if u.code == "CB-A").feedback.outdated
    pdf = copy / folder.name / "units" / "CB-A" / "phan-hoi-CB-A-2022-Q3.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% rebuilt\n")
    later = dt.datetime.now().timestamp() + 120
    os.utime(pdf, (later, later))
    standing = read_standing(copy / folder.name)
    unit = next(u for u in standing.units if u.code == "CB-A")
    assert unit.feedback.state == "sent" and unit.feedback.outdated
    html = write_status_page(copy / folder.name, copy).read_text(encoding="utf-8")
    assert "<small>gói đã đổi sau đó, chưa gửi lại</small>" in html


def test_a_units_name_is_escaped_in_the_page_as_jinja_escapes_it(quarter, tmp_path):
    """The table's rows are formatted in Python (page._row_html), not by the template: its values
    are escaped exactly as Jinja's autoescape would (markupsafe.escape)."""
    from markupsafe import escape

    out, folder, _ = quarter
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    path = copy / folder.name / "summary.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    odd = "Chi bộ <b>\"Phòng\" & 'Tham mưu'</b>"
    next(u for u in data["units"] if u["code"] == "CB-A")["name"] = odd
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    html = write_status_page(copy / folder.name, copy).read_text(encoding="utf-8")
    said = str(escape(odd))
    assert f'data-code="CB-A" data-name="{said}"' in html
    assert f'<td role="cell" class="name" style="padding-left: calc(8px + 1.4em)">{said}</td>' in html
    assert odd not in html
