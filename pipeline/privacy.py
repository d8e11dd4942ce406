"""Personal data in what leaves a cell's own package: citizen ID numbers masked.

A citizen ID (12-digit CCCD, or the old 9-digit CMND) identifies a person for life. The cell's
own feedback package shows it in full (the clerk must find the row and fix it); everything else the
department keeps or sends around — the committee PDF and workbook, summary.json, manifest.json,
the status page, watch's log — shows it masked: `0010******45`. Issue messages quote the value
they are about ("Số CCCD \"001090123445\" …"), so masking works on any text, not only on the
citizen-ID column.
"""

from __future__ import annotations

import re

# A run of 9 or 12 digits standing alone (not inside a longer number, a date or a code).
_ID = re.compile(r"(?<![\d])(\d{12}|\d{9})(?![\d])")
KEEP_START = {12: 4, 9: 3}
KEEP_END = 2


def mask(text):
    """`text` with every citizen-ID-looking number masked; anything not a str is returned as is."""
    if not isinstance(text, str) or not any(ch.isdigit() for ch in text):
        return text
    return _ID.sub(_masked, text)


def _masked(found: re.Match) -> str:
    digits = found.group(1)
    start = KEEP_START[len(digits)]
    return digits[:start] + "*" * (len(digits) - start - KEEP_END) + digits[-KEEP_END:]
