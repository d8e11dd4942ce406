"""Report settings: one TOML file → a frozen dataclass. Every key has a documented default.

The shipped `pipeline.toml` at the project root lists every key with its default and a comment;
a key left out of a user's file takes the default below.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from pipeline.errors import PipelineError


@dataclass(frozen=True)
class Config:
    # The body above the issuing committee, first line top left of the document.
    superior_body: str = "ĐẢNG BỘ TỈNH AN HÒA"
    # The issuing committee, second line top left, in bold.
    issuing_body: str = "ĐẢNG ỦY CÔNG AN TỈNH"
    # How the committee is named inside sentences ("... của Đảng bộ Công an tỉnh").
    committee_name: str = "Đảng bộ Công an tỉnh"
    # Who decides admissions, as the results sentence names it.
    standing_committee: str = "Ban Thường vụ Đảng ủy Công an tỉnh"
    # Document number; empty leaves room to write it by hand ("Số     -BC/ĐUCA").
    document_number: str = ""
    # The code after the number: report (BC) / issuing body's abbreviation.
    document_code: str = "BC/ĐUCA"
    # Place in the place-and-date line.
    place: str = "An Hòa"
    # Date of the report; None means the day the report is made.
    report_date: dt.date | None = None
    # Signature block.
    signer_on_behalf: str = "T/M BAN THƯỜNG VỤ"
    signer_title: str = "PHÓ BÍ THƯ"
    signer_name: str = "Trần Minh Khang"
    # Nơi nhận: one line each.
    recipients: tuple[str, ...] = field(
        default_factory=lambda: (
            "Ban Tổ chức Tỉnh ủy,",
            "Ban Tổ chức Đảng ủy Công an Trung ương,",
            "Thường trực Đảng ủy Công an tỉnh,",
            "Các chi bộ, đảng bộ cơ sở,",
            "Lưu VT, BTC.",
        )
    )
    # Decimals shown for the admissions ratio (0 → "3%", 1 → "3,1%").
    ratio_decimals: int = 0

    @property
    def document_number_line(self) -> str:
        number = self.document_number or "\u2003\u2003"
        return f"Số {number}-{self.document_code}"


DEFAULT_FILE = Path("pipeline.toml")


def find_config(path: Path | None) -> Path | None:
    """The configuration file to use: `path` when given, else `pipeline.toml` in the current
    folder when there is one, else None (the defaults)."""
    if path is not None:
        return Path(path)
    return DEFAULT_FILE if DEFAULT_FILE.is_file() else None


def load_config(path: Path | None) -> Config:
    """Read a TOML file into a Config; no file gives the defaults."""
    if path is None:
        return Config()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise PipelineError(f"Không tìm thấy tệp cấu hình {path}. Kiểm tra lại đường dẫn --config.") from None
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"Tệp cấu hình {path} viết sai cú pháp TOML: {exc}. Sửa lại rồi chạy lại.") from None
    flat: dict = {}
    for key, value in data.items():
        if isinstance(value, dict):  # sections are only for readability
            flat.update(value)
        else:
            flat[key] = value
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(flat) - known)
    if unknown:
        raise PipelineError(
            f"Tệp cấu hình {path} có khóa không biết: {', '.join(unknown)}. "
            f"Các khóa hợp lệ: {', '.join(sorted(known))}."
        )
    if "recipients" in flat:
        flat["recipients"] = tuple(flat["recipients"])
    if isinstance(flat.get("report_date"), str):
        try:
            flat["report_date"] = dt.date.fromisoformat(flat["report_date"])
        except ValueError:
            raise PipelineError(f"report_date trong {path} phải có dạng YYYY-MM-DD.") from None
    if "ratio_decimals" in flat and not (
        isinstance(flat["ratio_decimals"], int) and 0 <= flat["ratio_decimals"] <= 3
    ):
        raise PipelineError(f"ratio_decimals trong {path} phải là số nguyên từ 0 đến 3.")
    return replace(Config(), **flat)
