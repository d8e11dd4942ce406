"""End to end on the shipped samples: the real report's figures come out of the data.

Runs the real entry point once (as `make report QUARTER=3` does) into a temporary folder.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from pdfcheck import fonts, page_texts

REPO = Path(__file__).resolve().parents[1]
INBOX = REPO / "input_samples" / "inbox"


def inbox_state():
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(INBOX.rglob("*"))}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    before = inbox_state()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "report", "--quarter", "3", "--inbox", str(INBOX),
         "--units", str(REPO / "input_samples" / "units.xlsx"), "--out", str(out),
         "--config", str(REPO / "input_samples" / "pipeline.toml"), "--date", "2022-10-27"],
        capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr
    assert inbox_state() == before, "the inbox must never be modified"
    folder = out / "2022-Q3"
    return result, folder, json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_the_run_says_where_the_report_is(run):
    result, folder, _ = run
    assert f"Báo cáo: {folder / 'bao-cao-phat-trien-dang-vien-2022-Q3.pdf'}" in result.stdout


def test_seed_figures(run):
    _, _, data = run
    totals = data["totals"]
    assert totals["members"] == 1098
    assert totals["admitted_quarter"] == 1
    assert totals["admitted_ytd"] == 34
    assert totals["admitted_ytd_ratio"] == pytest.approx(34 / 1098, abs=1e-12)
    assert data["structure"] == {"root_type": "Đảng bộ", "upper_committees": 0, "grassroots_cells": 19,
                                 "grassroots_committees": 9, "partial_committees": 0, "subordinate_cells": 52,
                                 "cells_of_partial_committees": 0, "grassroots_children_of_root": 28}
    cov = data["coverage"]
    assert (cov["expected"], cov["submitted"], cov["accepted"], cov["rejected"], cov["missing"]) == (71, 71, 71, [], [])
    assert data["period"] == {"year": 2022, "quarter": 3, "start": "2022-07-01", "end": "2022-09-30"}


def test_the_sample_problems_are_found_where_they_were_planted(run):
    _, _, data = run
    found = {(i["rule"], i["unit"], i["sheet"], i["column"]) for i in data["issues"]}
    assert ("REQUIRED_MISSING", "CB-CAH-SK-03", "Đảng viên", "Dân tộc") in found
    assert ("CCCD_OLD_CMND", "CB-PK02-03", "Đảng viên", "Số CCCD") in found
    assert ("RECOGNITION_OVERDUE", "CB-PC06", "Đảng viên", "Ngày chính thức") in found
    assert ("CERT_EXPIRED", "CB-PV01", "Quần chúng ưu tú", "Ngày cấp giấy chứng nhận") in found
    files = {(i["rule"], i["file"]) for i in data["issues"]}
    assert ("DUPLICATE_SUBMISSION", "CB-PC04_2022-Q3 (ban cu).xlsx") in files
    assert ("OTHER_PERIOD", "CB-CATP-03_2022-Q2.xlsx") in files
    # Layout variations are not errors.
    assert not [i for i in data["issues"] if i["unit"] in ("CB-PC02", "CB-PA08")]


@pytest.fixture(scope="module")
def pdf(run):
    _, folder, _ = run
    return PdfReader(folder / "bao-cao-phat-trien-dang-vien-2022-Q3.pdf")


def test_committee_pdf_says_the_seed_sentences(pdf):
    text = " ".join(page_texts(pdf))
    for words in ("01 đồng chí", "34 đồng chí", "3%", "quý III năm 2022", "1.098",
                  "19 chi bộ cơ sở", "09 đảng bộ cơ sở", "52 chi bộ trực thuộc"):
        assert words in text, words


def test_committee_pdf_embeds_every_font(pdf):
    used = fonts(pdf)
    assert used and all(used.values()), used
    assert all("Liberation-Serif" in name for name in used), used
