"""The two commands as a clerk types them: `make report` and `make template` with the committee's
own paths (spaces and Vietnamese letters included), and every way of getting them wrong refused."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from builders import member, write_register, write_roster

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(repo, *args):
    return subprocess.run(["make", "--no-print-directory", *map(str, args)], cwd=repo, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def own(tmp_path, pytestconfig):
    """A committee's own folder, the way an office names it: spaces and Vietnamese letters."""
    base = tmp_path / "Ban Tổ chức" / "quý 3"
    inbox = base / "hộp thư đến"
    inbox.mkdir(parents=True)
    write_register(base / "danh mục đơn vị.xlsx")
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [member("Nguyễn Văn An", 1980, n=1)])
    config = base / "cấu hình đảng bộ.toml"
    config.write_text((pytestconfig.rootpath / "input_samples" / "pipeline.toml").read_text(encoding="utf-8").replace(
        "ĐẢNG ỦY CÔNG AN TỈNH", "ĐẢNG ỦY KHỐI THỬ NGHIỆM"), encoding="utf-8")
    # The samples' narrative files, named relative to the configuration's folder.
    shutil.copytree(pytestconfig.rootpath / "input_samples" / "loi-van", base / "loi-van")
    return {"repo": pytestconfig.rootpath, "base": base, "inbox": inbox, "units": base / "danh mục đơn vị.xlsx",
            "config": config, "out": base / "kết quả"}


def test_make_report_takes_paths_with_spaces_and_vietnamese_letters(own):
    result = make(own["repo"], "report", "QUARTER=3", f"INBOX={own['inbox']}", f"UNITS={own['units']}",
                  f"CONFIG={own['config']}", f"OUT={own['out']}", "DATE=27/10/2022")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((own["out"] / "2022-Q3" / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["members"] == 1 and summary["report_date"] == "2022-10-27"
    assert "Chi bộ có số liệu: 1/4" in result.stdout


def test_make_report_with_a_config_that_is_not_there_stops(own):
    result = make(own["repo"], "report", "QUARTER=3", f"INBOX={own['inbox']}", f"UNITS={own['units']}",
                  f"CONFIG={own['base'] / 'không có.toml'}", f"OUT={own['out']}")
    assert result.returncode != 0
    assert "Không tìm thấy tệp cấu hình" in result.stderr and "không có.toml" in result.stderr
    assert not own["out"].exists()


def test_own_inbox_without_its_register_stops_instead_of_using_the_samples(own):
    result = make(own["repo"], "report", "QUARTER=3", f"INBOX={own['inbox']}", f"OUT={own['out']}")
    assert result.returncode != 0 and "chưa chỉ danh mục đơn vị" in result.stderr
    assert not own["out"].exists()


def test_make_template_without_a_register_stops(own):
    result = make(own["repo"], "template", f"TEMPLATES={own['out']}")
    assert result.returncode != 0 and "Cần danh mục đơn vị" in result.stderr
    assert not any(own["out"].glob("*.xlsx")) if own["out"].exists() else True


def test_a_roman_quarter_is_the_quarter(own):
    result = make(own["repo"], "report", "QUARTER=III", "YEAR=2022", f"INBOX={own['inbox']}",
                  f"UNITS={own['units']}", f"CONFIG={own['config']}", f"OUT={own['out']}")
    assert result.returncode == 0, result.stderr
    assert (own["out"] / "2022-Q3" / "summary.json").is_file()


def test_a_configuration_without_the_committees_names_stops_and_says_what_to_set(own):
    bare = own["base"] / "trống.toml"
    bare.write_text("[figures]\nratio_decimals = 1\n", encoding="utf-8")
    result = make(own["repo"], "report", "QUARTER=3", f"INBOX={own['inbox']}", f"UNITS={own['units']}",
                  f"CONFIG={bare}", f"OUT={own['out']}")
    assert result.returncode != 0
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Lỗi:")]
    for key in ("issuing_body", "committee_name", "standing_committee", "place", "signer_name"):
        assert key in line
    assert not own["out"].exists()


def test_own_files_without_own_config_never_get_the_samples_name(own):
    """Run from the repository (where the samples live) with the committee's own inbox and register
    but no CONFIG=: the samples' settings are not picked up; the report stops for the names."""
    result = make(own["repo"], "report", "QUARTER=3", f"INBOX={own['inbox']}", f"UNITS={own['units']}",
                  f"OUT={own['out']}")
    assert result.returncode != 0
    assert "chưa ghi: superior_body" in result.stderr and "CÔNG AN" not in result.stdout + result.stderr
    assert not own["out"].exists()


def test_the_sample_report_still_takes_the_samples_settings(pytestconfig, tmp_path):
    result = make(pytestconfig.rootpath, "report", "QUARTER=3", f"OUT={tmp_path / 'out'}", "DATE=27/10/2022")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "2022-Q3" / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["members"] == 1098


def test_make_send_delivers_the_sample_reports_to_a_local_server(pytestconfig, tmp_path):
    """The README's way to try it: a mail server on this machine, make report, make send."""
    pytest.importorskip("aiosmtpd")
    from aiosmtpd.controller import Controller

    from test_delivery import Inbox, free_port

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        repo = pytestconfig.rootpath
        config = tmp_path / "cấu hình gửi thư.toml"
        config.write_text((repo / "input_samples" / "pipeline.toml").read_text(encoding="utf-8").replace(
            "port = 8025", f"port = {controller.port}"), encoding="utf-8")
        out = tmp_path / "kết quả"
        assert make(repo, "report", "QUARTER=3", f"OUT={out}", "DATE=27/10/2022").returncode == 0
        sent = make(repo, "send", "QUARTER=3", f"CONFIG={config}", f"OUT={out}")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert "Đã gửi 69 thư" in sent.stdout and len(handler.arrived) == 69
        again = make(repo, "send", "QUARTER=3", f"CONFIG={config}", f"OUT={out}")
        assert "đã gửi từ trước 69" in again.stdout and len(handler.arrived) == 69
    finally:
        controller.stop()
