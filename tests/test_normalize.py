import datetime as dt

import pytest

from pipeline.normalize import age_at, citizen_id, clean_text, fold, parse_date


@pytest.mark.parametrize("value, expected", [
    ("05/09/1990", dt.date(1990, 9, 5)),
    ("5/9/1990", dt.date(1990, 9, 5)),
    ("05-09-1990", dt.date(1990, 9, 5)),
    ("05.09.1990", dt.date(1990, 9, 5)),
    ("1990-09-05", dt.date(1990, 9, 5)),
    (dt.datetime(1990, 9, 5), dt.date(1990, 9, 5)),
    (33121, dt.date(1990, 9, 5)),          # Excel serial number
    (33121.0, dt.date(1990, 9, 5)),
])
def test_dates_are_read_day_first_in_every_form_offices_type(value, expected):
    assert parse_date(value) == (expected, "ok")


def test_impossible_date_is_bad_not_guessed_month_first():
    assert parse_date("31/02/1990") == (None, "bad")
    assert parse_date("13/25/1990") == (None, "bad")


def test_year_alone_is_accepted_only_where_allowed():
    assert parse_date("1990", allow_year=True) == (dt.date(1990, 1, 1), "year")
    assert parse_date("1990")[1] == "bad"


def test_excel_error_values_are_reported_as_errors():
    assert parse_date("#REF!") == (None, "error")


def test_citizen_id_stored_as_number_gets_its_leading_zero_back():
    assert citizen_id(49090001234) == "049090001234"
    assert citizen_id("049 090 001 234") == "049090001234"
    assert citizen_id(None) is None


def test_text_is_nfc_and_spaces_collapsed():
    nfd = "Nguye\u0302\u0303n  Va\u0306n"  # NFD, double space
    assert clean_text(nfd) == "Nguyễn Văn"
    assert fold("  Đảng  VIÊN ") == "dang vien"


def test_age_in_full_years_turns_on_the_birthday():
    import pandas as pd

    born = pd.Series(pd.to_datetime(["2000-03-15", "2000-03-15", None]))
    ages = age_at(born, dt.date(2018, 3, 15))
    assert ages.iloc[0] == 18 and pd.isna(ages.iloc[2])
    assert age_at(born, dt.date(2018, 3, 14)).iloc[0] == 17


def test_dates_written_out_in_words_are_read():
    for text in ("ngày 15 tháng 3 năm 1990", "15 tháng 03 năm 1990", "Ngày 15 tháng 3 năm 1990"):
        assert parse_date(text) == (dt.date(1990, 3, 15), "ok"), text
    assert parse_date("31 tháng 2 năm 1990")[1] == "bad"
