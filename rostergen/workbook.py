"""What every roster-workbook generator shares: reproducible saving, and rows written by column key.

A generator names each value by its key in `pipeline.contract` (`full_name`, `birth_date`, ...);
the contract alone says where that key's column sits and what its header reads, so moving or
renaming a column in the template moves it in every generated workbook too.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from pipeline.contract import (
    INFO_FIELDS, REGISTER_COLUMNS, TEMPLATE_CANDIDATE_KEYS, TEMPLATE_MEMBER_KEYS,
)

# Written into every workbook's core properties (created/modified) and zip entries by default.
FIXED_TIMESTAMP = dt.datetime(2022, 10, 10, 8, 0, 0)
# The number format of a date cell, as a clerk would set it in Excel.
DATE_FORMAT = "dd/mm/yyyy"


def save_deterministic(
    wb: openpyxl.Workbook, path: Path, timestamp: dt.datetime = FIXED_TIMESTAMP
) -> None:
    """Save with fixed properties and zip timestamps, so the same workbook gives the same bytes.

    openpyxl's own save stamps the current time into docProps/core.xml and every zip entry.
    """
    wb.properties.created = timestamp
    wb.properties.modified = timestamp
    buffer = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    stamp = timestamp.timetuple()[:6]
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))


def _in_order(keys: Iterable[str], by_key: dict) -> list:
    """`by_key`'s values in the order of `keys`, None for a key not given. An unknown key is an
    error: a misspelt key would otherwise drop its value without a word."""
    keys = tuple(keys)
    unknown = set(by_key) - set(keys)
    if unknown:
        raise KeyError(f"not a column here: {', '.join(sorted(unknown))}")
    return [by_key.get(k) for k in keys]


def member_values(**by_key) -> list:
    """A member row in the template's column order (`STT` first)."""
    return _in_order(TEMPLATE_MEMBER_KEYS, by_key)


def candidate_values(**by_key) -> list:
    """A candidate (quần chúng ưu tú) row in the template's column order (`STT` first)."""
    return _in_order(TEMPLATE_CANDIDATE_KEYS, by_key)


def register_values(**by_key) -> list:
    """A unit register row in the register's column order."""
    return _in_order(REGISTER_COLUMNS, by_key)


def member_index(key: str) -> int:
    """Where `key` sits in a member row (0 = `STT`); its Excel column is one more."""
    return TEMPLATE_MEMBER_KEYS.index(key)


def candidate_index(key: str) -> int:
    """Where `key` sits in a candidate row (0 = `STT`); its Excel column is one more."""
    return TEMPLATE_CANDIDATE_KEYS.index(key)


def info_pairs(**by_key) -> list[tuple[str, object]]:
    """(label, value) rows of the `Thông tin` sheet for the info keys given, in the template's
    order; keys not given get no row."""
    unknown = set(by_key) - set(INFO_FIELDS)
    if unknown:
        raise KeyError(f"not an info field: {', '.join(sorted(unknown))}")
    return [(label, by_key[key]) for key, label in INFO_FIELDS.items() if key in by_key]
