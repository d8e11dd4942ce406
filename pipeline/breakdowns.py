"""The year's admissions broken down as the Party's statistics do (docs/figures.md, "Breakdowns").

Admissions of the quarter and of 1 January to the quarter's end, by gender, age at admission,
ethnic group, religion, general education, professional qualification, political theory and
occupation or group, for every unit of the register (its subtree, a person on two cells' sheets
once) and the whole committee. Every dimension has a "not recorded" category (a file without the
column, a blank cell, a value that could not be read), so every row adds up to its total.

Only admitted rows are grouped: a few thousand at the largest committees, paired with their
cells' ancestors, so the cost does not grow with the members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from pipeline.charter import ADMISSION_MAX_AGE, ADMISSION_MIN_AGE, YOUTH_AGE_LIMIT
from pipeline.contract import (
    ETHNIC_GROUPS, GENDERS, GENERAL_EDUCATION_LEVELS, GRASSROOTS_CELL, GRASSROOTS_COMMITTEE, NO_RELIGION,
    OCCUPATIONS, POLITICAL_THEORY_LEVELS, PROFESSIONAL_LEVELS,
)
from pipeline.figures import person_key
from pipeline.normalize import age_at, clean_text, fold
from pipeline.period import Period
from pipeline.register import Register
from pipeline.report import AdmittingUnits, Breakdowns, BreakdownScope, PreviousYear
from pipeline.status import UnitStatus

NOT_RECORDED = "Chưa ghi"
NO_RELIGION_LABEL = "Không"
UNDER_AGE = f"Dưới {ADMISSION_MIN_AGE}"


def _age_bands() -> tuple[tuple[str, int, int | None], ...]:
    """18–30, then five years at a time to 60, then over 60 (full years at the decision)."""
    bands = [(f"{ADMISSION_MIN_AGE}–{YOUTH_AGE_LIMIT}", ADMISSION_MIN_AGE, YOUTH_AGE_LIMIT)]
    for low in range(YOUTH_AGE_LIMIT + 1, ADMISSION_MAX_AGE, 5):
        bands.append((f"{low}–{low + 4}", low, low + 4))
    bands.append((f"Trên {ADMISSION_MAX_AGE}", ADMISSION_MAX_AGE + 1, None))
    return tuple(bands)


AGE_BANDS = _age_bands()


@dataclass(frozen=True)
class Dimension:
    """One breakdown: its key, its title in the report, its standard categories in the Party form's
    order (more come from the data for ethnic groups and religions), and how a sentence says that
    a person's value is not recorded."""

    key: str
    title: str
    categories: tuple[str, ...]
    unrecorded: str


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("gender", "Giới tính", GENDERS, "chưa ghi giới tính"),
    Dimension("age", "Tuổi khi kết nạp", tuple(b[0] for b in AGE_BANDS), "chưa rõ ngày sinh"),
    Dimension("ethnicity", "Dân tộc", (), "chưa ghi dân tộc"),
    Dimension("religion", "Tôn giáo", (NO_RELIGION_LABEL,), "chưa ghi tôn giáo"),
    Dimension("general_education", "Giáo dục phổ thông", GENERAL_EDUCATION_LEVELS, "chưa ghi giáo dục phổ thông"),
    Dimension("professional", "Trình độ chuyên môn", PROFESSIONAL_LEVELS, "chưa ghi trình độ chuyên môn"),
    Dimension("political_theory", "Lý luận chính trị", POLITICAL_THEORY_LEVELS, "chưa ghi lý luận chính trị"),
    Dimension("occupation", "Nghề nghiệp, đối tượng", OCCUPATIONS, "chưa ghi nghề nghiệp, đối tượng"),
)
BY_KEY = {d.key: d for d in DIMENSIONS}
# The typed member columns (pipeline.rules.type_members) the dimensions read as they are.
_LISTED = ("general_education", "professional", "political_theory", "occupation")


def admission_breakdowns(register: Register, members: pd.DataFrame, units: pd.DataFrame, period: Period,
                         last_year: dict | None = None) -> Breakdowns:
    """`members`: the typed member rows counted this period (with `unit`); `units`: the Report's
    units with their figures (status, candidates, cells_accepted); `last_year`: the summary.json of
    the same quarter of the previous year, when there is one."""
    end = pd.Timestamp(period.end)
    admitted = members["admitted_on"]
    year_rows = members[admitted.between(pd.Timestamp(period.year_start), end)]
    categories = categorise(year_rows)
    order = category_order(categories)
    in_quarter = year_rows["admitted_on"] >= pd.Timestamp(period.start)
    quarter = _scope(register, year_rows[in_quarter], categories[in_quarter], order)
    ytd = _scope(register, year_rows, categories, order)
    return Breakdowns(quarter=quarter, ytd=ytd, units=admitting_units(register, units, ytd.total),
                      previous=previous_year(last_year, period))


def categorise(rows: pd.DataFrame) -> pd.DataFrame:
    """Each admitted row's category in every dimension (NOT_RECORDED where it is not known)."""
    out = pd.DataFrame(index=rows.index)
    out["gender"] = rows["gender"].where(rows["gender"].isin(GENDERS), NOT_RECORDED)
    out["age"] = age_band(age_at(rows["birth_date"], rows["admitted_on"]))
    out["ethnicity"] = rows["ethnicity"].where(rows["ethnicity"].notna(), NOT_RECORDED)
    out["religion"] = _religions(rows)
    for key in _LISTED:
        values = rows[key] if key in rows else pd.Series(None, index=rows.index, dtype=object)
        out[key] = values.where(values.notna(), NOT_RECORDED)
    return out.astype(object)


def age_band(age: pd.Series) -> pd.Series:
    """Full years → its band's label; under 18 (a rule broken, ADMISSION_UNDER_18 says so) has a
    band of its own so the rows still add up; an unknown age is NOT_RECORDED."""
    out = pd.Series(NOT_RECORDED, index=age.index, dtype=object)
    out[age < ADMISSION_MIN_AGE] = UNDER_AGE
    for label, low, high in AGE_BANDS:
        out[(age >= low) & (age <= high if high is not None else age.notna())] = label
    return out


def _religions(rows: pd.DataFrame) -> pd.Series:
    """`Không` for no religion (blank, `Không`); each religion as most rows spell it (`Phật giáo`
    and `phật giáo` are one); NOT_RECORDED for a file without the column."""
    text = rows["religion"].map(clean_text)
    key = text.map(lambda t: fold(t or ""))
    none = key.isin(NO_RELIGION)
    out = pd.Series(NO_RELIGION_LABEL, index=rows.index, dtype=object)
    named = text[~none]
    if len(named):
        spelling = (pd.DataFrame({"key": key[~none], "text": named}).value_counts()
                    .reset_index().sort_values(["key", "count", "text"], ascending=[True, False, True])
                    .drop_duplicates("key").set_index("key")["text"])
        out[~none] = key[~none].map(spelling)
    if "has_religion_column" in rows:
        out[~rows["has_religion_column"].astype(bool)] = NOT_RECORDED
    return out


def category_order(categories: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Every dimension's columns: the standard categories, then those found (ethnic groups in the
    official list's order; religions by how many, then name), NOT_RECORDED last."""
    order: dict[str, tuple[str, ...]] = {}
    for dim in DIMENSIONS:
        found = categories[dim.key].value_counts() if dim.key in categories else pd.Series(dtype=int)
        extra = [c for c in found.index if c not in dim.categories and c != NOT_RECORDED]
        if dim.key == "ethnicity":
            rank = {g: i for i, g in enumerate(ETHNIC_GROUPS)}
            extra.sort(key=lambda g: rank.get(g, len(rank)))
        elif dim.key == "age":
            extra.sort()   # only UNDER_AGE can be found beyond the bands
            order[dim.key] = (*extra, *dim.categories, NOT_RECORDED)
            continue
        else:
            extra.sort(key=lambda c: (-int(found[c]), c))
        order[dim.key] = (*dim.categories, *extra, NOT_RECORDED)
    return order


def _ancestors(register: Register, cells: Iterable[str]) -> pd.DataFrame:
    """(cell, unit) for these cells only: each with itself and every unit above it."""
    parent = register.units["parent"].to_dict()
    pairs = []
    for cell in cells:
        unit = cell
        while isinstance(unit, str):
            pairs.append((cell, unit))
            unit = parent.get(unit)
    return pd.DataFrame(pairs, columns=["cell", "unit"])


def _scope(register: Register, rows: pd.DataFrame, categories: pd.DataFrame,
           order: dict[str, tuple[str, ...]]) -> BreakdownScope:
    """Counts per unit over its subtree: a person's categories are those of their first row, and a
    person on two cells' sheets counts once in every unit above both."""
    index = register.units.index
    persons = person_key(rows) if len(rows) else pd.Series(dtype=object)
    attributes = categories.assign(person=persons.to_numpy()).drop_duplicates("person").set_index("person")
    cells = pd.DataFrame({"person": persons.to_numpy(), "cell": rows["unit"].to_numpy()}).drop_duplicates()
    paired = cells.merge(_ancestors(register, cells["cell"].unique()), on="cell")
    paired = paired.drop_duplicates(["person", "unit"]).join(attributes, on="person")
    total = paired.groupby("unit").size().reindex(index, fill_value=0).astype(int)
    tables = {}
    for dim in DIMENSIONS:
        counts = paired.groupby(["unit", dim.key]).size().unstack(fill_value=0) if len(paired) else pd.DataFrame()
        tables[dim.key] = counts.reindex(index=index, columns=list(order[dim.key]), fill_value=0).astype(int)
    return BreakdownScope(total=total.rename(None), tables=tables)


def admitting_units(register: Register, units: pd.DataFrame, ytd_total: pd.Series) -> AdmittingUnits:
    """Among the cells with figures (file accepted) and the grassroots organisations with any: which
    admitted this year, and which have no quần chúng ưu tú at all."""
    cells = units.index[units["is_cell"].astype(bool) & (units["status"] == UnitStatus.ACCEPTED)]
    grassroots = units.index[units["type"].isin([GRASSROOTS_CELL, GRASSROOTS_COMMITTEE])
                             & (units["cells_accepted"] > 0)]

    admitted = ytd_total.reindex(units.index, fill_value=0)
    candidates = units["candidates"]

    def admitting(codes):
        return list(codes[admitted.reindex(codes).to_numpy() > 0])

    def without_source(codes):
        return list(codes[candidates.reindex(codes).to_numpy() == 0])

    return AdmittingUnits(cells=list(cells), cells_admitting=admitting(cells), cells_without_source=without_source(cells),
                          grassroots=list(grassroots), grassroots_admitting=admitting(grassroots),
                          grassroots_without_source=without_source(grassroots))


def previous_year(summary: dict | None, period: Period) -> PreviousYear | None:
    """The same period of the previous year from its summary.json; None when there is none, or it
    is for another period (a folder renamed by hand) or has no totals."""
    if not isinstance(summary, dict):
        return None
    when = summary.get("period") or {}
    totals = summary.get("totals") or {}
    if (when.get("year"), when.get("quarter")) != (period.year - 1, period.quarter):
        return None
    try:
        quarter, ytd = int(totals["admitted_quarter"]), int(totals["admitted_ytd"])
    except (KeyError, TypeError, ValueError):
        return None
    section = summary.get("breakdowns") or {}

    def dimensions(scope: str) -> dict[str, dict[str, int]]:
        total = ((section.get(scope) or {}).get("total") or {})
        return {key: {str(c): int(n) for c, n in value.items()} for key, value in total.items()
                if key in BY_KEY and isinstance(value, dict)}

    return PreviousYear(year=period.year - 1, admitted_quarter=quarter, admitted_ytd=ytd,
                        quarter=dimensions("quarter"), ytd=dimensions("year"))


def unrecorded(scope: BreakdownScope, unit: str) -> list[tuple[Dimension, int]]:
    """The dimensions a unit's figures are incomplete in, and for how many people."""
    return [(dim, int(scope.tables[dim.key].at[unit, NOT_RECORDED])) for dim in DIMENSIONS
            if scope.tables[dim.key].at[unit, NOT_RECORDED]]
