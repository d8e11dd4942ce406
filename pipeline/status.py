"""Statuses of files and units, and the Vietnamese words for them, in one place.

String enums: a status compares equal to its value ("accepted"), and summary.json, the workbook
and the templates see that value, so the JSON contract is the words below on the left.
"""

from __future__ import annotations

import enum


class FileStatus(enum.StrEnum):
    """What became of one file of the inbox (intake.select)."""

    ACCEPTED = "accepted"          # its cell's figures come from it
    SUPERSEDED = "superseded"      # its cell sent a newer file for the same period
    OTHER_PERIOD = "other_period"  # it is for another year or quarter
    REJECTED = "rejected"          # it cannot be used (or no cell was found for it)

    @property
    def vi(self) -> str:
        """As the workbook's "Tệp đã nhận" sheet and the feedback PDF say it."""
        return _FILE_VI[self]


_FILE_VI = {
    FileStatus.ACCEPTED: "Được dùng",
    FileStatus.SUPERSEDED: "Không dùng (đã có tệp mới hơn)",
    FileStatus.OTHER_PERIOD: "Không dùng (kỳ khác)",
    FileStatus.REJECTED: "Không dùng được",
}


class UnitStatus(enum.StrEnum):
    """Where a unit of the register stands for the period (Report.units["status"])."""

    ACCEPTED = "accepted"     # a cell whose file is used
    REJECTED = "rejected"     # a cell that sent files, none usable
    MISSING = "missing"       # a cell that sent nothing for the period
    AGGREGATE = "aggregate"   # a committee: its figures are its cells'

    @property
    def vi(self) -> str:
        """As a table of units names it ("Tình trạng")."""
        return _UNIT_VI[self]

    @property
    def note(self) -> str | None:
        """Said beside a cell that has no figures (lower case, inside a sentence or a table cell)."""
        return _UNIT_NOTES.get(self)


_UNIT_VI = {
    UnitStatus.ACCEPTED: "Đã nhận",
    UnitStatus.REJECTED: "Tệp không dùng được",
    UnitStatus.MISSING: "Chưa gửi",
    UnitStatus.AGGREGATE: "Tổng hợp",
}
_UNIT_NOTES = {
    UnitStatus.MISSING: "chưa gửi danh sách",
    UnitStatus.REJECTED: "tệp không dùng được",
}


class Timeliness(enum.StrEnum):
    """Whether a cell's file came by the deadline (Report.units["timeliness"]; None for committees)."""

    ON_TIME = "on_time"     # a usable file first seen on or before the deadline
    LATE = "late"           # first seen after it (days_late says by how much)
    RECEIVED = "received"   # a usable file, and no deadline set to judge it by
    REJECTED = "rejected"   # files came, none usable
    MISSING = "missing"     # nothing came, and the deadline has passed (or none is set)
    AWAITING = "awaiting"   # nothing yet, the deadline has not passed

    def words(self, days_late: int | None = None) -> str:
        """As the status table and page say it ("Muộn 3 ngày")."""
        if self is Timeliness.LATE and days_late:
            return f"Muộn {days_late} ngày"
        return _TIMELINESS_VI[self]


_TIMELINESS_VI = {
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Muộn",
    Timeliness.RECEIVED: "Đã nhận",
    Timeliness.REJECTED: "Tệp không dùng được",
    Timeliness.MISSING: "Chưa gửi",
    Timeliness.AWAITING: "Chưa gửi (chưa đến hạn)",
}
