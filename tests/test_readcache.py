"""The cache of read files (pipeline.readcache): a re-run reads only new or changed files, and
gives what a cold run gives; a cache that cannot be trusted is set aside, never believed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import pipeline
from pdfcheck import page_texts
from pipeline import readcache
from pipeline.app import make_report
from pipeline.config import LimitSettings, load_config
from pipeline.readcache import CACHE_DIR, CACHE_NAME

SAMPLES = Path(__file__).resolve().parents[1] / "input_samples"
CONFIG = load_config(SAMPLES / "pipeline.toml")
# What differs between two runs of the same inputs: when they ran (the files are "first seen" at
# NOW in every output folder).
RUN_TIMES = ("generated_at", "assessed_at")
NOW = dt.datetime(2022, 10, 20, 9, 0).astimezone()


@pytest.fixture
def inbox(tmp_path) -> Path:
    copy = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "inbox", copy)
    return copy


def report(inbox: Path, out: Path, config=CONFIG, **options):
    return make_report(inbox=inbox, units=SAMPLES / "units.xlsx", quarter=3, out=out, config=config,
                       feedback=False, workers=1, now=NOW, **options)


def summary(run) -> dict:
    def without_times(value):
        if isinstance(value, dict):
            return {k: without_times(v) for k, v in value.items() if k not in RUN_TIMES}
        if isinstance(value, list):
            return [without_times(v) for v in value]
        return value

    return without_times(json.loads(run.summary.read_text(encoding="utf-8")))


def pdf_text(run) -> list[str]:
    return page_texts(PdfReader(run.pdf))


def drop_last_member(path: Path) -> None:
    """One member fewer in the file (its last row removed): its cell's figure changes."""
    book = load_workbook(path)
    sheet = book["Đảng viên"]
    last = max(cell.row for cell in sheet["A"] if isinstance(cell.value, int))   # the last numbered row
    sheet.delete_rows(last)
    book.save(path)


def members_of(run, code: str) -> int:
    return int(run.report.units.at[code, "members"])


def test_a_warm_run_reads_nothing_and_writes_what_a_cold_run_writes(inbox, tmp_path):
    first = report(inbox, tmp_path / "out")
    files = len(first.report.files)
    assert (first.files_read, first.files_cached) == (files, 0)
    warm = report(inbox, tmp_path / "out")
    assert (warm.files_read, warm.files_cached) == (0, files)
    cold = report(inbox, tmp_path / "cold", reuse_reads=False)
    assert cold.files_cached == 0
    assert summary(warm) == summary(cold) == summary(first)
    assert pdf_text(warm) == pdf_text(cold)
    # the sample's figures, from the rows the cache gave back
    assert warm.report.totals["members"] == 1098
    assert len(warm.report.issues) == len(cold.report.issues)


def test_a_changed_file_alone_is_read_again(inbox, tmp_path):
    out = tmp_path / "out"
    before = report(inbox, out)
    drop_last_member(inbox / "CB-PC02_2022-Q3.xlsx")
    after = report(inbox, out)
    assert (after.files_read, after.files_cached) == (1, len(before.report.files) - 1)
    assert members_of(after, "CB-PC02") == members_of(before, "CB-PC02") - 1
    cold = report(inbox, tmp_path / "cold")
    assert summary(after) == summary(cold)
    # the older content of the file is dropped from the cache; the new one kept
    with sqlite3.connect(out / CACHE_DIR / CACHE_NAME) as db:
        names = [name for (name,) in db.execute("SELECT name FROM entries")]
    assert names.count("CB-PC02_2022-Q3.xlsx") == 1
    assert len(names) == len(before.report.files)


def test_a_new_file_is_read_and_a_removed_one_is_gone(inbox, tmp_path):
    out = tmp_path / "out"
    before = report(inbox, out)
    (inbox / "CB-PC02_2022-Q3.xlsx").unlink()
    shutil.copy(SAMPLES / "inbox" / "CB-PC02_2022-Q3.xlsx", inbox / "CB-PC02 gui lai.xlsx")
    after = report(inbox, out)
    assert (after.files_read, after.files_cached) == (1, len(before.report.files) - 1)
    assert members_of(after, "CB-PC02") == members_of(before, "CB-PC02")
    assert "CB-PC02 gui lai.xlsx" in set(after.report.files["file"])
    assert "CB-PC02_2022-Q3.xlsx" not in set(after.report.files["file"])


def test_a_reading_setting_invalidates_every_entry_and_other_settings_none(inbox, tmp_path):
    out = tmp_path / "out"
    files = len(report(inbox, out).report.files)
    other = replace(CONFIG, committee_name="Đảng bộ Khác", place="Nơi khác")
    assert report(inbox, out, config=other).files_cached == files
    stricter = replace(CONFIG, limits=replace(LimitSettings(), max_columns=150))
    assert report(inbox, out, config=stricter).files_cached == 0
    assert report(inbox, out, config=stricter).files_cached == files


def test_a_new_program_version_reads_everything_again(inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    files = len(report(inbox, out).report.files)
    monkeypatch.setattr(pipeline, "__version__", pipeline.__version__ + ".dev1")
    readcache.program_digest.cache_clear()
    try:
        assert report(inbox, out).files_cached == 0
        assert report(inbox, out).files_cached == files
    finally:
        readcache.program_digest.cache_clear()


def test_a_truncated_cache_is_set_aside_and_made_again(inbox, tmp_path):
    out = tmp_path / "out"
    first = report(inbox, out)
    cache = out / CACHE_DIR / CACHE_NAME
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 3])
    again = report(inbox, out)
    assert again.files_cached == 0
    assert any("không dùng được" in w or "đọc không được" in w for w in again.warnings)
    assert summary(again) == summary(first)
    assert report(inbox, out).files_cached == len(first.report.files)


@pytest.mark.parametrize("foreign", [b"not a database at all\n" * 100, "another-sqlite"])
def test_a_foreign_file_in_the_cache_s_place_is_not_trusted(inbox, tmp_path, foreign):
    out = tmp_path / "out"
    cache = out / CACHE_DIR / CACHE_NAME
    cache.parent.mkdir(parents=True)
    if foreign == "another-sqlite":
        with sqlite3.connect(cache) as db:   # same table names, another program's rows
            db.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, key TEXT, name TEXT, used REAL, meta TEXT)")
        foreign_bytes = None
    else:
        cache.write_bytes(foreign)
        foreign_bytes = foreign
    run = report(inbox, out)
    assert run.files_cached == 0
    assert any("không dùng được" in w for w in run.warnings)
    aside = cache.with_name(CACHE_NAME + ".damaged")
    assert aside.is_file()
    if foreign_bytes is not None:
        assert aside.read_bytes() == foreign_bytes
    assert report(inbox, out).files_cached == len(run.report.files)


def test_an_entry_whose_rows_do_not_add_up_is_read_again(inbox, tmp_path):
    out = tmp_path / "out"
    first = report(inbox, out)
    with sqlite3.connect(out / CACHE_DIR / CACHE_NAME) as db:   # its rows said to be past the batch's end
        db.execute("UPDATE entries SET member_start = 1000000 WHERE name = 'CB-PC02_2022-Q3.xlsx'")
    again = report(inbox, out)
    assert (again.files_read, again.files_cached) == (1, len(first.report.files) - 1)
    assert members_of(again, "CB-PC02") == members_of(first, "CB-PC02")
    assert summary(again) == summary(first)


def test_a_column_cut_short_reads_its_batch_again(inbox, tmp_path):
    out = tmp_path / "out"
    first = report(inbox, out)
    with sqlite3.connect(out / CACHE_DIR / CACHE_NAME) as db:
        db.execute("UPDATE columns SET data = substr(data, 1, 8) WHERE kind = 'members' AND position = 4")
    again = report(inbox, out)
    assert again.files_cached < len(first.report.files)   # the files with members in that batch
    assert summary(again) == summary(first)
    assert report(inbox, out).files_cached == len(first.report.files)


def test_the_cache_is_data_a_pandas_user_can_read(inbox, tmp_path):
    out = tmp_path / "out"
    run = report(inbox, out)
    frames = readcache.read_frames(out / CACHE_DIR / CACHE_NAME)
    assert "Phan Văn Lâm" in set(frames["members"]["full_name"])   # a member of CB-PC02, as text
    assert str(frames["members"]["birth_date"].dtype).startswith("datetime64")
    with sqlite3.connect(out / CACHE_DIR / CACHE_NAME) as db:
        files = pd.read_sql("SELECT name, meta FROM entries", db)
    assert set(files["name"]) == set(run.report.files["file"])
    assert all(json.loads(meta)["name"] == name for name, meta in zip(files["name"], files["meta"]))


def test_outputs_written_side_by_side_equal_those_written_one_after_another(inbox, tmp_path):
    apart = make_report(inbox=inbox, units=SAMPLES / "units.xlsx", quarter=3, out=tmp_path / "two",
                        config=CONFIG, feedback=False, workers=2, now=NOW)
    together = report(inbox, tmp_path / "one")   # workers=1: everything in this process
    assert summary(apart) == summary(together)
    sheets = [[list(row) for row in book.active.iter_rows(values_only=True)]
              for book in (load_workbook(apart.workbook), load_workbook(together.workbook))]
    assert sheets[0] == sheets[1]
    assert pdf_text(apart) == pdf_text(together)


def test_a_re_run_keeps_the_committee_pdf_when_its_content_has_not_changed(inbox, tmp_path):
    out = tmp_path / "out"
    first = report(inbox, out)
    made = first.pdf.stat()
    again = report(inbox, out)                         # nothing changed: the same PDF kept, not laid out
    assert again.pdf.stat().st_ino == made.st_ino
    assert again.pdf.read_bytes() == first.pdf.read_bytes()
    drop_last_member(inbox / "CB-PC02_2022-Q3.xlsx")   # a figure the PDF shows changes
    changed = report(inbox, out)
    assert changed.pdf.stat().st_ino != made.st_ino
    assert pdf_text(changed) == pdf_text(report(inbox, tmp_path / "cold"))
    with open(changed.pdf, "ab") as fh:                # changed by hand: made again
        fh.write(b"%")
    assert report(inbox, out).pdf.read_bytes() == (tmp_path / "cold" / "2022-Q3" / changed.pdf.name).read_bytes()
