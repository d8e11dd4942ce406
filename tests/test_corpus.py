"""The real-client corpus (tests/data/corpus, made by tests/data/make_corpus.py): every file is read the
way the product reads an inbox, and must raise exactly the issues the roster format and the rules call for (docs/roster-format.md, docs/rules.md) — no more, no
fewer — and give the figures its rows hold. One test per file and aspect, so a failure names its file.

The corpus files were re-saved by LibreOffice when they were made; nothing here needs LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from pipeline.build import build_report
from pipeline.reading import load_inbox
from builders import sample_config
from pipeline.period import Period
from pipeline.register import read_register
from pipeline.rules import validate

CORPUS = Path(__file__).parent / "data" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FILES = {f["file"]: f for f in EXPECTED["files"]}
ACCEPTED = [name for name, f in FILES.items() if f["status"] == "accepted"]
READS = [(f["file"], r) for f in EXPECTED["files"] for r in f["rows"]]
PERIOD = Period(EXPECTED["period"]["year"], EXPECTED["period"]["quarter"])
TODAY = dt.date.fromisoformat(EXPECTED["today"])


class Run(dict):
    def __repr__(self):  # keep failure reports to the point
        return "<the corpus run through load_inbox and build_report>"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus inbox copied (as a clerk's inbox would be) and run through the product's stages.

    Every file gets the same time on disk except the one marked `newer_on_disk`, so the duplicate
    submission is decided by `Ngày lập` against the file time, not by checkout order."""
    inbox = tmp_path_factory.mktemp("corpus") / "inbox"
    shutil.copytree(CORPUS / "inbox", inbox)
    base = dt.datetime(2022, 10, 12, 9, 0).timestamp()
    for path in inbox.iterdir():
        newer = FILES.get(path.name, {}).get("newer_on_disk", False)
        os.utime(path, (base, base + 3600 if newer else base))
    register = read_register(CORPUS / "units.xlsx")
    submissions = load_inbox(inbox, register)
    report = build_report(register, submissions, PERIOD, sample_config(), today=TODAY)
    members, _, _ = validate(submissions, PERIOD)
    return Run(report=report, submissions={s.file: s for s in submissions}, members=members)


def where(issue) -> tuple:
    return (issue.file, issue.sheet, issue.row, issue.column, issue.rule)


def test_every_file_in_the_inbox_has_its_expectation():
    on_disk = sorted(p.name for p in (CORPUS / "inbox").iterdir())
    assert on_disk == sorted(FILES)


def test_the_corpus_stays_small():
    sizes = {p.name: p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()}
    assert sum(sizes.values()) < 1_000_000
    assert max(sizes[name] for name in FILES) < 30_000


@pytest.mark.parametrize("name", list(FILES))
def test_each_file_raises_exactly_its_expected_issues(corpus, name):
    expected = [(i["file"], i["sheet"], i["row"], i["column"], i["rule"]) for i in FILES[name]["issues"]]
    actual = [where(i) for i in corpus["report"].issues if i.file == name]
    # Compared as multisets: the same issue twice on one cell is a fault too.
    assert Counter(actual) == Counter(expected), (
        f"{name} ({FILES[name]['shows']})\n  missing: {sorted(set(expected) - set(actual), key=str)}"
        f"\n  unexpected: {sorted(set(actual) - set(expected), key=str)}")


@pytest.mark.parametrize("name", list(FILES))
def test_each_file_is_matched_to_its_unit_with_its_status(corpus, name):
    sub = corpus["submissions"][name]
    assert (sub.unit, sub.status) == (FILES[name]["unit"], FILES[name]["status"])


@pytest.mark.parametrize("name", ACCEPTED)
def test_each_accepted_file_gives_its_units_figures(corpus, name):
    expected = FILES[name]["figures"]
    unit = FILES[name]["unit"]
    row = corpus["report"].units.loc[unit]
    actual = {key: int(row[key]) for key in expected}
    assert actual == expected, f"{name} ({unit})"


@pytest.mark.parametrize("name, expected", READS, ids=[f"{f}-row{r['row']}" for f, r in READS])
def test_rows_are_read_as_written(corpus, name, expected):
    members = corpus["members"]
    found = members[(members["file"] == name) & (members["row"] == expected["row"])]
    assert len(found) == 1, f"{name}: row {expected['row']} was not read as a member"
    got = found.iloc[0]
    born = got["birth_date"]
    actual = {
        "sheet": got["sheet"], "row": int(got["row"]), "full_name": got["full_name"], "gender": got["gender"],
        "birth_date": None if pd.isna(born) else born.date().isoformat(), "citizen_id": got["citizen_id"],
        "ethnicity": got["ethnicity"],
    }
    assert actual == expected


def test_units_without_a_usable_file_are_named(corpus):
    actual = sorted((i.unit, i.rule) for i in corpus["report"].issues if i.file is None)
    assert actual == sorted((u["unit"], u["rule"]) for u in EXPECTED["unit_issues"])


def test_every_cell_has_its_status(corpus):
    units = corpus["report"].units
    actual = {code: units.at[code, "status"] for code in EXPECTED["unit_statuses"]}
    assert actual == EXPECTED["unit_statuses"]


def test_coverage_names_rejected_and_missing_units(corpus):
    coverage = corpus["report"].coverage
    expected = EXPECTED["coverage"]
    assert (coverage.expected, coverage.submitted, coverage.accepted) == \
        (expected["expected"], expected["submitted"], expected["accepted"])
    assert sorted(coverage.rejected) == sorted(expected["rejected"])
    assert coverage.missing == expected["missing"]


def test_committee_counts_a_person_listed_by_two_cells_once(corpus):
    totals = corpus["report"].totals
    assert {key: int(totals[key]) for key in EXPECTED["root"]} == EXPECTED["root"]
