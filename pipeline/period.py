"""The reporting period: a quarter of a year, with its first and last day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in ROMAN:
            raise ValueError(f"quarter must be 1-4, got {self.quarter}")

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def roman(self) -> str:
        return ROMAN[self.quarter]

    @property
    def label(self) -> str:
        """`quý III năm 2022`, as the report writes it."""
        return f"quý {self.roman} năm {self.year}"

    @property
    def slug(self) -> str:
        """`2022-Q3`, the output folder name."""
        return f"{self.year}-Q{self.quarter}"

    def quarter_bounds(self, quarter: int) -> tuple[dt.date, dt.date]:
        p = Period(self.year, quarter)
        return p.start, p.end
