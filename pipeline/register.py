"""The unit register (danh mục đơn vị) → the organisation tree (docs/roster-format.md, "The register").

A register that breaks the tree (unknown parent, cycle, chi bộ with children, not exactly one
root, duplicate codes, unknown unit type) raises PipelineError: no report can be right on it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from pipeline.contract import (
    CELL_TYPES, GRASSROOTS_CELL, GRASSROOTS_COMMITTEE, PARTIAL_COMMITTEE, SUBORDINATE_CELL, UNIT_TYPES, UPPER,
)
from pipeline.contract import REGISTER_COLUMNS as COLUMNS
from pipeline.contract import REGISTER_REQUIRED as REQUIRED
from pipeline.errors import PipelineError
from pipeline.normalize import clean_text, fold



@dataclass(frozen=True)
class Register:
    """Units in tree order (pre-order, root first, siblings in register order).

    `units` columns: name, type, parent, email, target (Int64), depth, is_cell, row (Excel row).
    """

    units: pd.DataFrame

    @property
    def root(self) -> str:
        return self.units.index[0]

    @property
    def cells(self) -> pd.DataFrame:
        return self.units[self.units["is_cell"]]

    def ancestors_frame(self, every_unit: bool = False) -> pd.DataFrame:
        """(cell, ancestor) pairs, each cell paired with itself and every unit above it (with
        `every_unit`, every unit so paired, committees too: for what a committee has of its own).

        Used to roll figures up the tree with one groupby instead of a loop per level.
        """
        parent = {code: up for code, up in self.units["parent"].items() if isinstance(up, str)}
        pairs = []
        for cell in self.units.index if every_unit else self.cells.index:
            unit = cell
            while unit is not None:
                pairs.append((cell, unit))
                unit = parent.get(unit)
        return pd.DataFrame(pairs, columns=["cell", "unit"])

    @cached_property
    def grassroots(self) -> dict[str, str]:
        """Cell → its grassroots organisation (tổ chức cơ sở đảng): a chi bộ cơ sở is its own; a
        chi bộ trực thuộc belongs to the đảng bộ cơ sở above it (through a đảng bộ bộ phận, if
        any). Party members who may introduce a candidate are those of the same organisation."""
        types, parents = self.units["type"].to_dict(), self.units["parent"].to_dict()
        out = {}
        for cell in self.cells.index:
            unit = cell
            if types[cell] == SUBORDINATE_CELL:
                unit = parents[cell]
                while isinstance(unit, str) and types.get(unit) != GRASSROOTS_COMMITTEE:
                    unit = parents.get(unit)
            out[cell] = unit if isinstance(unit, str) else cell
        return out

    @cached_property
    def codes(self) -> dict[str, str]:
        """Upper-case code → code as registered (codes are matched ignoring case)."""
        return {code.upper(): code for code in self.units.index}

    @cached_property
    def cell_name_keys(self) -> list[tuple[str, str, str]]:
        """(code, name key, its committee's name key) for every cell, for matching names in files."""
        names = self.units["name"]
        return [(code, name_key(names[code]), name_key(names[parent]) if isinstance(parent, str) else "")
                for code, parent in zip(self.cells.index, self.cells["parent"])]

    def display_names(self) -> pd.Series:
        """Names for lists across the whole tree: a chi bộ trực thuộc also names its committee,
        since many are called alike (`Chi bộ Đội An ninh` is in every district)."""
        names = self.units["name"]
        below = self.units["type"].isin([SUBORDINATE_CELL]) & self.units["parent"].notna()
        parents = self.units["parent"].map(names)
        return names.where(~below, names + " (" + parents.fillna("") + ")")

    def structure(self) -> dict[str, int | str]:
        """The shape of the tree below the root: how many units of each type (the root itself is
        not counted), the root's type, and how many of its direct children are grassroots
        organisations (chi bộ cơ sở, đảng bộ cơ sở)."""
        below = self.units.iloc[1:]
        types = below["type"]
        parent_types = below["parent"].map(self.units["type"])
        return {
            "root_type": str(self.units["type"].iloc[0]),
            "upper_committees": int((types == UPPER).sum()),
            "grassroots_cells": int((types == GRASSROOTS_CELL).sum()),
            "grassroots_committees": int((types == GRASSROOTS_COMMITTEE).sum()),
            "partial_committees": int((types == PARTIAL_COMMITTEE).sum()),
            "subordinate_cells": int((types == SUBORDINATE_CELL).sum()),
            # chi bộ trực thuộc of a đảng bộ bộ phận (the rest belong to a đảng bộ cơ sở directly)
            "cells_of_partial_committees": int(((types == SUBORDINATE_CELL) & (parent_types == PARTIAL_COMMITTEE)).sum()),
            "grassroots_children_of_root": int(((below["parent"] == self.root)
                                                & types.isin([GRASSROOTS_CELL, GRASSROOTS_COMMITTEE])).sum()),
        }


def name_key(name: str) -> str:
    """A unit name as files write it in any form: folded, without "Chi bộ"/"Đảng bộ", hyphens as spaces."""
    text = re.sub(r"^(chi bo|dang bo)\s+", "", fold(name))
    return re.sub(r"\s+", " ", text.replace("-", " ")).strip()


@lru_cache(maxsize=256)
def _canonical_type(value: str) -> str | None:
    """The unit type as the register writes it (any case, with or without diacritics), or None."""
    key = fold(value)
    for t in UNIT_TYPES:
        if fold(t) == key:
            return t
    return None


def read_register(path: Path) -> Register:
    """Read the register workbook (first sheet whose header has `Mã đơn vị`)."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"Không tìm thấy danh mục đơn vị {path}. Kiểm tra lại đường dẫn UNITS= / --units.")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine")
    except Exception as exc:  # calamine raises several types for broken files
        raise PipelineError(
            f"Không đọc được danh mục đơn vị {path.name}: {exc}. Mở bằng Excel, lưu lại dạng .xlsx.") from None
    for sheet, grid in sheets.items():
        for r in range(min(len(grid), 10)):
            labels = [fold(v) for v in grid.iloc[r].tolist()]
            if fold(COLUMNS["code"]) in labels:
                return _build(path.name, sheet, grid, r, labels)
    raise PipelineError(
        f"Danh mục đơn vị {path.name} không có dòng tiêu đề với cột \"{COLUMNS['code']}\". "
        f"Dùng các cột: {', '.join(COLUMNS.values())}."
    )


class _Problems:
    """Every problem of a register, collected so the clerk fixes them all in one pass."""

    def __init__(self, where: str):
        self.where, self.lines = where, []

    def add(self, text: str, row: int | None = None) -> None:
        self.lines.append((row, f"dòng {row}: {text}" if row else text))

    def raise_any(self) -> None:
        if not self.lines:
            return
        lines = [text for _, text in sorted(self.lines, key=lambda item: (item[0] or 0))]
        if len(lines) == 1:
            raise PipelineError(f"{self.where}, {lines[0]}")
        raise PipelineError(f"{self.where} có {len(lines)} chỗ cần sửa:\n" + "\n".join(f"  - {t}" for t in lines))


def _build(file: str, sheet: str, grid: pd.DataFrame, header_row: int, labels: list[str]) -> Register:
    where = f"danh mục đơn vị {file}, trang \"{sheet}\""
    problems = _Problems(where)
    index = {}
    for key, label in COLUMNS.items():
        if fold(label) in labels:
            index[key] = labels.index(fold(label))
        elif key in REQUIRED:
            raise PipelineError(f"{where} thiếu cột \"{label}\". Thêm cột này rồi chạy lại.")
    body = grid.iloc[header_row + 1:]
    rows = []
    for offset, values in enumerate(body.itertuples(index=False), start=header_row + 2):
        get = lambda key, values=values: clean_text(values[index[key]]) if key in index else None  # noqa: E731
        code = get("code")
        if not code and not get("name"):
            continue
        if not code:
            problems.add("thiếu \"Mã đơn vị\". Điền mã cho đơn vị này.", offset)
            continue
        unit_type = _canonical_type(get("type") or "")
        if unit_type is None:
            problems.add(f"loại đơn vị \"{get('type') or ''}\" của {code} không hợp lệ. "
                         f"Dùng một trong: {', '.join(UNIT_TYPES)}.", offset)
        target = None
        if "target" in index:
            raw = values[index["target"]]
            if raw is not None and not (isinstance(raw, float) and pd.isna(raw)) and str(raw).strip() != "":
                try:
                    target = int(float(str(raw).strip()))
                except ValueError:
                    problems.add(f"chỉ tiêu kết nạp \"{raw}\" của {code} không phải số nguyên.", offset)
        rows.append({
            "code": code, "name": get("name") or code, "type": unit_type,
            "parent": get("parent") or None, "email": get("email") or None,
            "target": target, "row": offset,
        })
    if not rows:
        problems.raise_any()
        raise PipelineError(f"{where} không có đơn vị nào.")
    frame = pd.DataFrame(rows, dtype=object)
    frame["parent"] = frame["parent"].where(frame["parent"].notna(), None)
    for code, group in frame[frame["code"].duplicated(keep=False)].groupby("code", sort=False):
        lines = ", ".join(str(r) for r in group["row"])
        problems.add(f"mã đơn vị \"{code}\" bị trùng (dòng {lines}). Mỗi đơn vị một mã riêng.", int(group["row"].iloc[0]))
    if problems.lines:   # the tree cannot be checked on rows that are wrong themselves
        _tree_problems(frame[frame["type"].notna()].drop_duplicates("code"), problems)
        problems.raise_any()
    return _tree(frame, where)


def _closest_code(code: str, codes: list[str]) -> str:
    close = difflib.get_close_matches(code.upper(), [c.upper() for c in codes], n=1, cutoff=0.6)
    if not close:
        return ""
    by_upper = {c.upper(): c for c in codes}
    return f" Có phải là \"{by_upper[close[0]]}\"?"


def _tree_problems(frame: pd.DataFrame, problems: _Problems) -> tuple[str | None, dict[str, list[str]]]:
    """What keeps these units from making one tree; → (the root, each unit's children)."""
    codes = list(frame["code"])
    known = set(codes)
    for _, r in frame[frame["parent"].notna() & ~frame["parent"].isin(known)].iterrows():
        problems.add(f"mã đơn vị cấp trên \"{r['parent']}\" của {r['code']} không có trong danh mục."
                     + _closest_code(r["parent"], codes), int(r["row"]))
    roots = frame[frame["parent"].isna()]
    if len(roots) != 1:
        found = f"đang có {len(roots)}: {', '.join(roots['code'])}" if len(roots) else "đang không có đơn vị nào"
        problems.add(f"phải có đúng một đơn vị gốc (để trống mã cấp trên), {found}. "
                     "Điền \"Mã đơn vị cấp trên\" cho các đơn vị còn lại.")
    types = dict(zip(frame["code"], frame["type"]))  # plain dicts: 8,000 units looked up one by one
    parents = dict(zip(frame["code"], frame["parent"]))
    rows = dict(zip(frame["code"], frame["row"]))
    children: dict[str, list[str]] = {c: [] for c in codes}
    for code, parent in parents.items():
        if parent is not None and parent in children:
            children[parent].append(code)
    for code, kids in children.items():
        if kids and types[code] in CELL_TYPES:
            problems.add(f"{code} là chi bộ nhưng có đơn vị trực thuộc ({', '.join(kids[:3])}). Chi bộ không có "
                         "đơn vị cấp dưới; sửa loại đơn vị hoặc mã cấp trên.", int(rows[code]))
        if types[code] == SUBORDINATE_CELL and parents[code] in types:
            parent_type = types[parents[code]]
            if parent_type not in (GRASSROOTS_COMMITTEE, PARTIAL_COMMITTEE):
                problems.add(f"{code} là chi bộ trực thuộc nhưng cấp trên là {parent_type}; cấp trên phải là "
                             "đảng bộ cơ sở hoặc đảng bộ bộ phận.", int(rows[code]))
    root = roots["code"].iloc[0] if len(roots) == 1 else None
    if root is not None:
        reached = set()
        stack = [root]
        while stack:
            code = stack.pop()
            reached.add(code)
            stack.extend(children[code])
        lost = sorted(code for code in known - reached if _in_cycle(code, parents))
        if lost:
            problems.add(f"các đơn vị {', '.join(lost[:5])} không nối được về đơn vị gốc (vòng lặp cấp trên). "
                         "Sửa \"Mã đơn vị cấp trên\".")
    return root, children


def _in_cycle(code: str, parents: dict[str, str | None]) -> bool:
    """Whether walking up from `code` comes back round (rather than ending at a parent code the
    register does not have, which is reported as such)."""
    seen = set()
    while code is not None and code in parents:
        if code in seen:
            return True
        seen.add(code)
        code = parents[code]
    return False


def _tree(frame: pd.DataFrame, where: str) -> Register:
    problems = _Problems(where)
    root, children = _tree_problems(frame, problems)
    problems.raise_any()
    order: list[tuple[str, int]] = []
    stack = [(root, 0)]
    while stack:
        code, depth = stack.pop()
        order.append((code, depth))
        stack.extend((kid, depth + 1) for kid in reversed(children[code]))
    units = frame.set_index("code").loc[[c for c, _ in order]].copy()
    units["depth"] = [d for _, d in order]
    units["is_cell"] = units["type"].isin(CELL_TYPES)
    units["target"] = units["target"].astype("Int64")
    units.index.name = "code"
    return Register(units=units)
