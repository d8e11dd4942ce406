"""Vietnamese formatting for everything a reader sees: numbers, percentages, dates, name order.

Babel (locale `vi`) does numbers, percentages and date patterns; what Babel does not know — the
administrative date rule, padding of small counts, sorting names by given name — lives here.
Every function is registered as a Jinja filter of the same name by `register_filters`.
"""

from __future__ import annotations

import datetime as dt
import decimal as _decimal
import unicodedata

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALE = "vi"

# What a table cell shows for a figure that does not exist (no target, division by zero).
NOT_APPLICABLE = "–"


def _is_missing(value) -> bool:
    """None, NaN, NaT or pd.NA: a figure or date that does not exist."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _half_up():
    """Round halves up (2,5% → 3%), as people round by hand; Babel follows the decimal context,
    whose default is banker's rounding."""
    context = _decimal.Context(rounding=_decimal.ROUND_HALF_UP, prec=28)
    return _decimal.localcontext(context)


def number(n) -> str:
    """`1098` → `1.098` (thousands dot). A whole number is grouped here (what Babel gives, at a
    fraction of its cost: a national report formats some hundred thousand of them)."""
    if type(n) is int or isinstance(n, np.integer):
        return f"{int(n):,}".replace(",", ".")
    if _is_missing(n):
        return NOT_APPLICABLE
    with _half_up():
        return format_decimal(n, locale=LOCALE)


def decimal(x, decimals: int = 1) -> str:
    """`26.43` → `26,4` (decimal comma, fixed number of decimals)."""
    if _is_missing(x):
        return NOT_APPLICABLE
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    with _half_up():
        return format_decimal(x, format=pattern, locale=LOCALE)


def percent(ratio, decimals: int = 0) -> str:
    """`0.03097` → `3%` (0 decimals) or `3,1%` (1 decimal)."""
    if _is_missing(ratio):
        return NOT_APPLICABLE
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    with _half_up():
        return format_percent(ratio, format=pattern, locale=LOCALE)


def padded(n) -> str:
    """A count in running text: 1–9 padded to two digits (`01`, `09`), else `1.098`; zero is `0`
    (a document writes "0 đồng chí", never "00")."""
    if _is_missing(n):
        return NOT_APPLICABLE
    n = int(n)
    if 0 < n < 10:
        return f"{n:02d}"
    return number(n)


def date_words(d: dt.date) -> str:
    """`ngày 05 tháng 3 năm 2022`: day under 10 padded, and only months 1 and 2 padded.

    The rule of administrative documents (Nghị định 30/2020/NĐ-CP, Hướng dẫn 36-HD/VPTW):
    a zero is written before days under 10 and before months 1 and 2, so no one can add a digit.
    """
    month = "MM" if d.month <= 2 else "M"
    return format_date(d, f"'ngày' dd 'tháng' {month} 'năm' y", locale=LOCALE)


def date_line(place: str, d: dt.date) -> str:
    """`An Hòa, ngày 27 tháng 10 năm 2022`, the place-and-date line under the national motto."""
    return f"{place}, {date_words(d)}"


def short_date(d) -> str:
    """`05/09/1990` (day first, always two-digit day and month) for tables."""
    if _is_missing(d):
        return ""
    if isinstance(d, dt.datetime):
        d = d.date()
    elif hasattr(d, "to_pydatetime"):  # pandas Timestamp
        d = d.to_pydatetime().date()
    return format_date(d, "dd/MM/yyyy", locale=LOCALE)


# --- name order ---------------------------------------------------------------------------------
# The Vietnamese alphabet; f, j, w, z (foreign names) sit where the Latin alphabet puts them.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()  # noqa: SIM905
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Letter modifiers, which make a different letter (a → ă, â; o → ô, ơ; u → ư; e → ê).
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
# Tones, in dictionary order after the unmarked syllable: huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _word_key(word: str) -> tuple[tuple, tuple]:
    """(letters, tones) of one word: letters compare first, tones only break ties.

    This is the dictionary's two-level order: `Bac` < `Bạc` < `Bách` because the letters
    `bac` < `bach` decide before any tone does.
    """
    # Split the decomposed word into clusters: a base character and the marks that follow it.
    clusters: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(ch) and clusters:
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for base, *marks in clusters:
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _MODIFIERS))
        if letter in _LETTER_RANK:
            letters.append((1, _LETTER_RANK[letter]))
        else:  # digits, hyphens, apostrophes: before every letter, in code-point order
            letters.append((0, ord(base)))
        tones.extend(_TONE_RANK[m] for m in marks if m in _TONE_RANK)
    return tuple(letters), tuple(tones)


def name_sort_key(full_name) -> tuple:
    """Sort key for Vietnamese full names: given name, then middle names, then family name.

    `Trần Văn Dũng` sorts before `Nguyễn Thị Đào` (D before Đ in the given name). Within a word
    the Vietnamese alphabet decides (a ă â b c d đ e ê …), case-insensitive; tones break ties
    in the order unmarked, huyền, hỏi, ngã, sắc, nặng. The name itself is the last tie-breaker,
    so the order is total and stable across runs.
    """
    name = "" if _is_missing(full_name) else str(full_name)
    words = name.split()
    if not words:
        return ((), (), (), name)
    given = _word_key(words[-1])
    middle = tuple(_word_key(w) for w in words[1:-1])
    family = _word_key(words[0]) if len(words) > 1 else ((), ())
    return (given, middle, family, unicodedata.normalize("NFC", name))


FILTERS = {
    "number": number,
    "decimal": decimal,
    "percent": percent,
    "padded": padded,
    "date_words": date_words,
    "date_line": date_line,
    "short_date": short_date,
}


def register_filters(env) -> None:
    """Make the formatting functions available in templates: `{{ n | padded }}`."""
    env.filters.update(FILTERS)
