"""Seeded synthetic inboxes for the benchmark: a unit register and one roster workbook per cell.

    python -m bench.generate --size 710 [--seed 2022] [--data bench/data]

A size is a number of cells (`71`, `710`, `7100`, `12` for the test suite) or a number of
thousand member rows followed by `k` (`200k`): one workbook holding a whole province's member
sheet, registered as one cell. Every roster is in the template's layout (`pipeline.contract`,
written through `rostergen.workbook`): sheet `Thông tin` (Mã đơn vị, Tên đơn vị, Năm, Quý, Ngày
lập, Người lập), `Đảng viên` and `Quần chúng ưu tú` with the template headers, real Excel dates.
Names and value tables are the sample inbox's (`rostergen.samples`). The period is quý III năm 2022.

The tree scales the seed report's shape (the organisation `rostergen.samples` builds): per 71
cells, 19 chi bộ cơ sở and 9 đảng bộ cơ sở with 52 chi bộ trực thuộc, ~15.5 members a cell. From
1,420 cells up, blocks of 710 cells sit under `Đảng bộ cấp trên cơ sở` committees between the root
and the grassroots units.

What the pipeline must find is written beside the data in `planted.json`, counted here from the
rows themselves (not by the pipeline): the totals, every cell's figures, every unit's members, and
a few planted data problems with their exact cell (a citizen ID contradicting the gender, an
impossible birth date, an empty `Dân tộc`, one person listed in two cells). The data is otherwise
clean, so no other figure moves.

Output goes to `<data>/<size>/`: `units.xlsx`, `inbox/*.xlsx`, `planted.json`, and `stamp.json`
written last; a later call with the same seed, size and generator version reuses the files.
Writing is spread over a process pool (openpyxl write-only mode).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import multiprocessing
import os
import random
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.contract import (
    CANDIDATE_HEADERS, CANDIDATE_SHEET, GRASSROOTS_CELL, GRASSROOTS_COMMITTEE, INFO_SHEET, LABELS,
    MEMBER_HEADERS, MEMBER_SHEET, ROOT, SUBORDINATE_CELL, UPPER,
)
from pipeline.normalize import fold
from rostergen import samples
from rostergen.workbook import DATE_FORMAT, candidate_values, info_pairs, member_index, member_values

# Bump when the data a seed gives changes: cached inboxes are then written again.
GENERATOR_VERSION = 2   # 2: the statistics columns (Giáo dục phổ thông, Lý luận chính trị, Nghề nghiệp)
DEFAULT_SEED = 2022
DEFAULT_DATA = Path(__file__).resolve().parent / "data"
STAMP_FILE = "stamp.json"
PLANTED_FILE = "planted.json"
REGISTER_FILE = "units.xlsx"
INBOX_DIR = "inbox"

YEAR, QUARTER = 2022, 3
QUARTER_START = dt.date(2022, 7, 1)
QUARTER_END = dt.date(2022, 9, 30)
YEAR_START = dt.date(2022, 1, 1)
CREATED_FIRST, CREATED_LAST = dt.date(2022, 10, 3), dt.date(2022, 10, 10)

# The seed's shape per 71 cells, and the block that sits under one upper committee.
SEED_CELLS, SEED_GRASSROOTS, SEED_COMMITTEES = 71, 19, 9
BLOCK_CELLS = 710
# Shares of the member rows (the seed: 34 of 1,098 admitted this year, 3.1 %).
SHARE_YTD = 0.031
SHARE_YTD_IN_QUARTER = 0.25
SHARE_RECENT = 0.016  # admitted late 2021: still probationary, not overdue
SHARE_RECOGNIZABLE = 0.008  # admitted mid-2021: recognized in (or just before) the quarter
SHARE_WOMEN = 0.155

# Where the fields read back here sit in a member row (a list in MEMBER_HEADERS order, STT first).
NAME = member_index("full_name")
BORN = member_index("birth_date")
ETHNICITY = member_index("ethnicity")
CCCD = member_index("citizen_id")
ADMITTED = member_index("admitted_on")
OFFICIAL = member_index("official_on")


@dataclass(frozen=True)
class Size:
    label: str  # "710", "200k": the folder name and the key in the results
    cells: int  # cells in the register
    rows: int | None  # member rows of the single workbook; None: ~15.5 a cell

    @property
    def single(self) -> bool:
        return self.rows is not None


def parse_size(text: str) -> Size:
    """`710` → 710 cells; `200k` → one cell whose workbook has 200,000 member rows."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+k", text) and int(text[:-1]) > 0:
        return Size(text, 1, int(text[:-1]) * 1000)
    if text.isdigit() and int(text) > 0:
        return Size(text, int(text), None)
    raise ValueError(
        f"size {text!r}: a number of cells (710) or of thousand rows in one workbook (200k)"
    )


@dataclass
class Roster:
    code: str
    name: str
    file: str
    created_on: dt.date
    clerk: str
    members: list[list] = field(default_factory=list)  # rows in MEMBER_HEADERS order, STT first
    candidates: list[list] = field(default_factory=list)  # rows in CANDIDATE_HEADERS order


# --- the tree ---------------------------------------------------------------------------------


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` as `parts` positive sizes near the mean (± a third), in random order."""
    base = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for _ in range(parts):
        a, b = rng.randrange(parts), rng.randrange(parts)
        move = rng.randint(0, max(0, base[a] // 3))
        if a != b and base[a] - move >= 1:
            base[a] -= move
            base[b] += move
    return base


def _block(rng, cells: int, parent: str, prefix: str, place: str) -> list[samples.Unit]:
    """A committee's units in tree order: chi bộ cơ sở, then each đảng bộ cơ sở with its cells."""
    grassroots = max(1, round(cells * SEED_GRASSROOTS / SEED_CELLS)) if cells > 1 else 1
    rest = cells - grassroots
    committees = (
        max(1, round(rest * SEED_COMMITTEES / (SEED_CELLS - SEED_GRASSROOTS))) if rest else 0
    )
    units = []
    width = len(str(grassroots))
    for i in range(1, grassroots + 1):
        units.append(
            samples.Unit(
                f"CB-{prefix}P{i:0{width}d}",
                f"Chi bộ Phòng nghiệp vụ số {i}{place}",
                GRASSROOTS_CELL,
                parent,
                target=rng.choice((1, 1, 2, 2, 3)),
            )
        )
    width = len(str(committees))
    for c, n_cells in enumerate(_split(rest, committees, rng) if committees else [], start=1):
        code = f"DB-{prefix}H{c:0{width}d}"
        units.append(
            samples.Unit(
                code,
                f"Đảng bộ Công an huyện số {c}{place}",
                GRASSROOTS_COMMITTEE,
                parent,
                target=rng.choice((2, 3, 3, 4, 5)),
            )
        )
        for k in range(1, n_cells + 1):
            town = samples._TOWN_CELLS[(k - 1) % len(samples._TOWN_CELLS)]
            name = f"Chi bộ {town}" + (f" {k}" if k > len(samples._TOWN_CELLS) else "")
            units.append(
                samples.Unit(f"CB-{prefix}H{c:0{width}d}-{k:02d}", name, SUBORDINATE_CELL, code)
            )
    return units


def build_units(size: Size, rng: random.Random) -> list[samples.Unit]:
    """The register in tree order (root first)."""
    if size.single:
        root = samples.Unit("DB-CAT", "Đảng bộ Công an tỉnh", ROOT, None)
        return [
            root,
            samples.Unit(
                "CB-TINH",
                "Chi bộ Công an tỉnh (xuất toàn tỉnh)",
                GRASSROOTS_CELL,
                "DB-CAT",
                target=round(size.rows * SHARE_YTD * 1.2),
            ),
        ]
    blocks = size.cells // BLOCK_CELLS if size.cells >= 2 * BLOCK_CELLS else 0
    if not blocks:
        return [samples.Unit("DB-CAT", "Đảng bộ Công an tỉnh", ROOT, None)] + _block(
            rng, size.cells, "DB-CAT", "", ""
        )
    units = [samples.Unit("DB-CA", "Đảng bộ Công an Trung ương (mô phỏng)", ROOT, None)]
    width = len(str(blocks))
    for b, n_cells in enumerate(_split(size.cells, blocks, rng), start=1):
        code = f"DB-T{b:0{width}d}"
        units.append(samples.Unit(code, f"Đảng bộ Công an tỉnh số {b}", UPPER, "DB-CA"))
        units += _block(rng, n_cells, code, f"T{b:0{width}d}-", f" tỉnh số {b}")
    return units


def _with_emails(units: list[samples.Unit]) -> list[samples.Unit]:
    from dataclasses import replace

    return [replace(u, email=f"{u.code.replace('-', '').lower()}@bench.example.vn") for u in units]


# --- people -----------------------------------------------------------------------------------


def _table(pairs):
    values = [p[0] for p in pairs]
    cum = list(itertools.accumulate(p[1] for p in pairs))
    return values, cum


_FAMILY = _table(samples.FAMILY_NAMES)
_MIDDLE = {False: _table(samples.MALE_MIDDLE_NAMES), True: _table(samples.FEMALE_MIDDLE_NAMES)}
_GIVEN = {False: samples.MALE_GIVEN_NAMES, True: samples.FEMALE_GIVEN_NAMES}
_ETHNIC = _table(samples.ETHNICITIES)
_RELIGION = _table(samples.RELIGIONS)
_EDUCATION = {True: _table(samples.EDUCATION_OLDER), False: _table(samples.EDUCATION_YOUNGER)}
_YEARS = _table([(y, 1 + 0.3 * (y - 1985)) for y in range(1985, 2022)])


def _pick(rng: random.Random, table) -> object:
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A weekday between first and last (decisions and ceremonies are on working days)."""
    day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    if day.weekday() >= 5:
        day -= dt.timedelta(days=day.weekday() - 4)
    return day if day >= first else samples.weekday_on_or_after(first)


class People:
    """Invents people. Citizen IDs are unique across the whole inbox (a serial behind the
    province, century/gender and birth-year digits), consistent with gender and birth date."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serial = 0

    def name(self, female: bool) -> str:
        rng = self.rng
        given = rng.choice(_GIVEN[female])
        if rng.random() < (0.2 if female else 0.03):
            middle = rng.choice(
                samples.DOUBLE_MIDDLE_FEMALE if female else samples.DOUBLE_MIDDLE_MALE
            )
        else:
            middle = _pick(rng, _MIDDLE[female])
        return f"{_pick(rng, _FAMILY)} {middle} {given}"

    def citizen_id(self, female: bool, born: dt.date) -> str:
        serial = (self.serial * 7919 + 104729) % 1_000_000  # a permutation of 0..999999
        self.serial += 1
        if self.serial > 1_000_000:
            raise RuntimeError("more than a million people: widen the serial")
        digit = (0 if born.year < 2000 else 2) + female
        return f"{samples.PROVINCE_CODE}{digit}{born.year % 100:02d}{serial:06d}"

    def member(self) -> list:
        """One member row (STT left 0), of a kind drawn by the shares above."""
        rng = self.rng
        r = rng.random()
        if r < SHARE_YTD:
            if rng.random() < SHARE_YTD_IN_QUARTER:
                admitted = _day(rng, QUARTER_START, dt.date(2022, 9, 9))
                ceremony = samples.weekday_on_or_after(
                    admitted + dt.timedelta(days=rng.randint(3, 14))
                )
            else:
                admitted = _day(rng, dt.date(2022, 1, 4), dt.date(2022, 6, 28))
                ceremony = samples.weekday_on_or_after(
                    admitted + dt.timedelta(days=rng.randint(3, 30))
                )
            young = True
        elif r < SHARE_YTD + SHARE_RECENT:
            admitted = _day(rng, dt.date(2021, 10, 1), dt.date(2021, 12, 20))
            ceremony = samples.weekday_on_or_after(admitted + dt.timedelta(days=rng.randint(3, 30)))
            young = True
        elif r < SHARE_YTD + SHARE_RECENT + SHARE_RECOGNIZABLE:
            admitted = _day(rng, dt.date(2021, 6, 1), dt.date(2021, 8, 20))
            ceremony = samples.weekday_on_or_after(admitted + dt.timedelta(days=rng.randint(3, 30)))
            young = True
        else:
            year = _pick(rng, _YEARS)
            admitted = _day(
                rng,
                dt.date(year, 1, 2),
                dt.date(2021, 4, 15) if year == 2021 else dt.date(year, 12, 31),
            )
            ceremony = samples.weekday_on_or_after(admitted + dt.timedelta(days=rng.randint(3, 35)))
            young = False
        official = samples.add_years(ceremony, 1) + dt.timedelta(days=rng.randint(0, 25))
        if official > QUARTER_END:
            official = None  # still probationary, and not yet overdue (due less than 30 days ago)
        # Age at admission 20-40 (mostly 21-30), and at most 58 at the end of the quarter.
        oldest = min(40, admitted.year - 1965)
        if young or rng.random() < 0.82:
            age = min(oldest, int(rng.triangular(20, 33, 24)))
        else:
            age = rng.randint(min(33, oldest), oldest)
        born = samples.add_years(admitted, -age) - dt.timedelta(days=rng.randint(0, 364))
        female = rng.random() < SHARE_WOMEN
        name = self.name(female)
        ethnicity = _pick(rng, _ETHNIC)
        # Keyword order is draw order: the values are drawn left to right, as the seed expects.
        return member_values(
            row_number=0,
            full_name=name,
            birth_date=born,
            gender="Nữ" if female else "Nam",
            ethnicity=ethnicity,
            religion=_pick(rng, _RELIGION),
            citizen_id=self.citizen_id(female, born),
            admitted_on=admitted,
            ceremony_on=ceremony,
            official_on=official,
            youth_union="x" if age < 30 and rng.random() < 0.88 else None,
            education=_pick(rng, _EDUCATION[admitted.year < 2005]),
            note=None,
            # The statistics columns, from values already drawn (no draw: the seed's data stay).
            general_education="10/10" if born.year < 1966 else "12/12",
            political_theory="Trung cấp" if admitted.year < 2012 else "Sơ cấp" if admitted.year < 2020 else None,
            occupation="Lực lượng vũ trang",
        )

    def candidate(self, helpers: list[list]) -> list:
        rng = self.rng
        female = rng.random() < 0.25
        born = samples.add_years(QUARTER_END, -rng.randint(20, 30)) - dt.timedelta(
            days=rng.randint(1, 360)
        )
        helper_1, helper_2 = rng.sample(helpers, 2)
        return candidate_values(  # drawn left to right, as in member()
            row_number=0,
            full_name=self.name(female),
            birth_date=born,
            gender="Nữ" if female else "Nam",
            ethnicity=_pick(rng, _ETHNIC),
            citizen_id=self.citizen_id(female, born),
            certificate_on=_day(rng, dt.date(2017, 11, 1), dt.date(2022, 9, 9)),
            helper_1=helper_1[NAME],
            helper_2=helper_2[NAME],
            youth_union="x" if rng.random() < 0.9 else None,
            note=rng.choice(samples.CANDIDATE_NOTES) if rng.random() < 0.4 else None,
        )


# --- the inbox --------------------------------------------------------------------------------


def _cell_size(rng: random.Random, unit: samples.Unit) -> int:
    if unit.kind == GRASSROOTS_CELL:
        return rng.randint(16, 34)
    return rng.randint(6, 18)


def build_inbox(size: Size, seed: int) -> tuple[list[samples.Unit], list[Roster], dict]:
    """Register, rosters and the planted counts, as plain data; nothing is written."""
    rng = random.Random(f"bench-{seed}-{size.label}")
    units = _with_emails(build_units(size, rng))
    people = People(rng)
    rosters = []
    for unit in units:
        if unit.kind not in (GRASSROOTS_CELL, SUBORDINATE_CELL):
            continue
        n = size.rows if size.single else _cell_size(rng, unit)
        members = [people.member() for _ in range(n)]
        members.sort(
            key=lambda m: (m[ADMITTED], m[NAME])
        )  # seniority order, as most rosters are kept
        # Helpers are named by their name: only an official whose name is unique in the cell.
        names = Counter(fold(m[NAME]) for m in members)
        helpers = [m for m in members if m[OFFICIAL] is not None and names[fold(m[NAME])] == 1]
        n_candidates = n // 100 if size.single else rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4))
        candidates = (
            [people.candidate(helpers) for _ in range(n_candidates)] if len(helpers) >= 2 else []
        )
        file = f"{unit.code}_{YEAR}-Q{QUARTER}.xlsx"
        rosters.append(
            Roster(
                unit.code,
                unit.name,
                file,
                _day(rng, CREATED_FIRST, CREATED_LAST),
                rng.choice(helpers or members)[NAME],
                members,
                candidates,
            )
        )
    plants = _plant(rng, rosters, k=3 if size.single else max(1, round(len(rosters) / SEED_CELLS)))
    for roster in rosters:
        for i, row in enumerate(roster.members, start=1):
            row[0] = i
        for i, row in enumerate(roster.candidates, start=1):
            row[0] = i
    return units, rosters, _planted(size, units, rosters, plants)


def _plant(rng: random.Random, rosters: list[Roster], k: int) -> list[dict]:
    """k of each planted problem, on settled members (admitted before 2021, official), so no
    figure but the deduplicated member count moves. → where each issue must be reported."""
    settled = [
        (r, i)
        for r in rosters
        for i, m in enumerate(r.members)
        if m[ADMITTED].year < 2021 and m[OFFICIAL] is not None
    ]
    chosen = rng.sample(settled, 5 * k)
    found = []

    def at(rule, roster, index, column):
        found.append(
            {
                "rule": rule,
                "unit": roster.code,
                "file": roster.file,
                "sheet": MEMBER_SHEET,
                "row": index + 2,
                "column": column,
            }
        )

    for n, (roster, i) in enumerate(chosen):
        m = roster.members[i]
        kind = n // k
        if kind == 0:  # 4th digit of the citizen ID says the other gender
            flipped = {"0": "1", "1": "0", "2": "3", "3": "2"}[m[CCCD][3]]
            m[CCCD] = m[CCCD][:3] + flipped + m[CCCD][4:]
            at("CCCD_MISMATCH", roster, i, LABELS["citizen_id"])
        elif kind == 1:  # a birth date that does not exist, typed as text
            m[BORN] = f"31/02/{m[BORN].year}"
            at("BAD_DATE", roster, i, LABELS["birth_date"])
        elif kind == 2:  # Dân tộc left empty
            m[ETHNICITY] = None
            at("REQUIRED_MISSING", roster, i, LABELS["ethnicity"])
        elif kind == 3:  # the same person on another cell's sheet (or twice in one workbook)
            others = [r for r in rosters if r is not roster] or [roster]
            target = rng.choice(others)
            twin = list(m)
            target.members.append(twin)
            at("DUPLICATE_PERSON", roster, i, LABELS["citizen_id"])
            at("DUPLICATE_PERSON", target, len(target.members) - 1, LABELS["citizen_id"])
        # kind 4: spare rows, so each problem lands on a different person
    return found


def _flags(m: list) -> dict[str, bool]:
    admitted, official = m[ADMITTED], m[OFFICIAL]
    return {
        "admitted_quarter": QUARTER_START <= admitted <= QUARTER_END,
        "admitted_ytd": YEAR_START <= admitted <= QUARTER_END,
        "probationary": official is None,
        "recognized_quarter": official is not None and QUARTER_START <= official <= QUARTER_END,
    }


FIGURES = (
    "members",
    "probationary",
    "admitted_quarter",
    "admitted_ytd",
    "recognized_quarter",
    "candidates",
)


def _figures(people: dict[str, list], candidates: int) -> dict[str, int]:
    out = dict.fromkeys(FIGURES, 0)
    out["members"] = len(people)
    for m in people.values():
        for key, flag in _flags(m).items():
            out[key] += flag
    out["candidates"] = candidates
    return out


def _planted(
    size: Size, units: list[samples.Unit], rosters: list[Roster], plants: list[dict]
) -> dict:
    """The counts the pipeline must report, from the rows (a person = a citizen ID)."""
    parent = {u.code: u.parent for u in units}
    per_cell = {}
    persons: dict[str, dict[str, list]] = {u.code: {} for u in units}
    candidates = {u.code: 0 for u in units}
    for roster in rosters:
        own = {m[CCCD]: m for m in roster.members}
        per_cell[roster.code] = _figures(own, len(roster.candidates))
        unit = roster.code
        while unit is not None:
            persons[unit].update(own)
            candidates[unit] += len(roster.candidates)
            unit = parent[unit]
    root = units[0].code
    totals = _figures(persons[root], candidates[root])
    totals["target_year"] = _rolled_target(units)
    return {
        "generator": GENERATOR_VERSION,
        "size": size.label,
        "period": {"year": YEAR, "quarter": QUARTER},
        "root": root,
        "files": len(rosters),
        "cells": len(rosters),
        "units": len(units),
        "member_rows": sum(len(r.members) for r in rosters),
        "totals": totals,
        "cell_figures": per_cell,
        "unit_members": {code: len(p) for code, p in persons.items()},
        "issues": plants,
    }


def _rolled_target(units: list[samples.Unit]) -> int:
    """The root's target as the report rolls it up: a unit's own target, else its children's sum."""
    children: dict[str | None, list[str]] = {}
    own = {u.code: u.target for u in units}
    for u in units:
        children.setdefault(u.parent, []).append(u.code)

    def rolled(code):
        if own[code] is not None:
            return own[code]
        kids = [rolled(k) for k in children.get(code, [])]
        return sum(k for k in kids if k is not None) if kids else None

    return rolled(units[0].code) or 0


# --- writing ----------------------------------------------------------------------------------


def write_roster(job: tuple) -> None:
    """One roster workbook, template layout, written in openpyxl's write-only mode (a pool task)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    path, roster = job
    wb = openpyxl.Workbook(write_only=True)
    wb.properties.creator = roster.clerk
    info = wb.create_sheet(INFO_SHEET)

    def dated(ws, value):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    for label, value in info_pairs(
        code=roster.code,
        name=roster.name,
        year=YEAR,
        quarter=QUARTER,
        created_on=roster.created_on,
        created_by=roster.clerk,
    ):
        info.append([label, dated(info, value) if isinstance(value, dt.date) else value])
    for sheet, headers, rows in (
        (MEMBER_SHEET, MEMBER_HEADERS, roster.members),
        (CANDIDATE_SHEET, CANDIDATE_HEADERS, roster.candidates),
    ):
        ws = wb.create_sheet(sheet)
        ws.append(headers)
        for row in rows:
            ws.append([dated(ws, v) if isinstance(v, dt.date) else v for v in row])
    wb.save(path)


def write_inbox(
    folder: Path, units: list[samples.Unit], rosters: list[Roster], workers: int | None = None
) -> None:
    inbox = folder / INBOX_DIR
    inbox.mkdir(parents=True, exist_ok=True)
    samples.write_register(units, folder / REGISTER_FILE)
    jobs = [(inbox / r.file, r) for r in rosters]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < 8:
        for job in jobs:
            write_roster(job)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for _ in pool.imap_unordered(
            write_roster, jobs, chunksize=max(1, min(64, len(jobs) // (4 * workers)))
        ):
            pass


def _stamp(size: Size, seed: int) -> dict:
    return {"generator": GENERATOR_VERSION, "seed": seed, "size": size.label}


def ensure(
    size: Size | str, seed: int = DEFAULT_SEED, data: Path = DEFAULT_DATA, log=lambda text: None
) -> tuple[Path, dict, float | None]:
    """The folder holding this size's inbox, written unless a matching one is there.

    → (folder, planted counts, seconds spent generating or None when reused)."""
    size = parse_size(size) if isinstance(size, str) else size
    folder = Path(data) / size.label
    stamp = folder / STAMP_FILE
    if stamp.is_file() and (folder / PLANTED_FILE).is_file():
        try:
            if json.loads(stamp.read_text(encoding="utf-8")) == _stamp(size, seed):
                return folder, json.loads((folder / PLANTED_FILE).read_text(encoding="utf-8")), None
        except ValueError:
            pass
    if folder.exists():
        shutil.rmtree(folder)
    log(f"generating {size.label} (seed {seed}) in {folder} ...")
    started = time.perf_counter()
    units, rosters, planted = build_inbox(size, seed)
    write_inbox(folder, units, rosters)
    (folder / PLANTED_FILE).write_text(
        json.dumps(planted, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    stamp.write_text(json.dumps(_stamp(size, seed)), encoding="utf-8")
    seconds = time.perf_counter() - started
    rows = planted["member_rows"]
    log(f"generated {size.label}: {planted['files']} files, {rows} member rows in {seconds:.1f} s")
    return folder, planted, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--size", action="append", required=True, help="71, 710, 7100, 200k … (repeatable)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="where the inboxes go (default bench/data)"
    )
    args = parser.parse_args(argv)
    for label in args.size:
        folder, planted, seconds = ensure(label, args.seed, args.data, log=print)
        state = "reused" if seconds is None else f"written in {seconds:.1f} s"
        print(
            f"{folder}: {planted['files']} files, {planted['totals']['members']} members ({state})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
