"""The sample generator: the seed's organisation and figures, reproducibly, and the committed
``input_samples/`` is exactly what the generator writes (nobody edits samples by hand).

Figures are counted here straight from the workbooks, independently of the pipeline's loader.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pipeline import contract
from rostergen import samples

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "input_samples"
Q3_START, Q3_END, YEAR_START = dt.date(2022, 7, 1), dt.date(2022, 9, 30), dt.date(2022, 1, 1)

Snapshot = dict[str, dict[str, list[tuple]]]  # file (relative) -> sheet -> row values


def read_values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets
        }
    finally:
        wb.close()


def snapshot(root: Path) -> Snapshot:
    return {p.relative_to(root).as_posix(): read_values(p) for p in sorted(root.rglob("*.xlsx"))}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Snapshot:
    out = tmp_path_factory.mktemp("samples")
    samples.generate(out)
    return snapshot(out)


def as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # one file writes its dates as text
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    raise AssertionError(f"not a date: {value!r}")


def member_rows(sheet: list[tuple]) -> list[dict]:
    """Rows under the header (wherever it is) that carry a row number: no titles, no footer."""
    header_at = next(i for i, row in enumerate(sheet) if row and row[0] == "STT")
    header = sheet[header_at]
    return [
        dict(zip(header, row, strict=False))
        for row in sheet[header_at + 1 :]
        if isinstance(row[0], int)
    ]


def pick(row: dict, *names: str):
    return next(row[n] for n in names if n in row)


def register(snap: Snapshot) -> list[dict]:
    rows = snap["units.xlsx"][contract.REGISTER_SHEET]
    assert list(rows[0]) == list(contract.REGISTER_HEADERS)
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def counted_files(snap: Snapshot) -> dict[str, str]:
    """Unit code -> file used for quý III 2022: the latest `Ngày lập` per unit."""
    chosen: dict[str, tuple[dt.datetime, str]] = {}
    for name, sheets in snap.items():
        if not name.startswith("inbox/"):
            continue
        info = dict(r[:2] for r in sheets[contract.INFO_SHEET])
        if (info["Năm"], info["Quý"]) != (2022, 3):
            continue
        code = info["Mã đơn vị"]
        if code not in chosen or info["Ngày lập"] > chosen[code][0]:
            chosen[code] = (info["Ngày lập"], name)
    return {code: name for code, (_, name) in chosen.items()}


def test_register_has_the_seed_structure(generated):
    units = register(generated)
    kinds = Counter(u["Loại đơn vị"] for u in units)
    assert len(units) == 1 + 19 + 9 + 52
    assert kinds == {"Đảng bộ": 1, "Chi bộ cơ sở": 19, "Đảng bộ cơ sở": 9, "Chi bộ trực thuộc": 52}
    assert units[0]["Mã đơn vị"] == "DB-CAT" and units[0]["Mã đơn vị cấp trên"] is None
    kind_of = {u["Mã đơn vị"]: u["Loại đơn vị"] for u in units}
    assert len(kind_of) == len(units)  # codes are unique
    for u in units[1:]:
        parent_kind = kind_of[u["Mã đơn vị cấp trên"]]
        expected = "Đảng bộ cơ sở" if u["Loại đơn vị"] == "Chi bộ trực thuộc" else "Đảng bộ"
        assert parent_kind == expected, u
    per_committee = Counter(
        u["Mã đơn vị cấp trên"] for u in units if u["Loại đơn vị"] == "Chi bộ trực thuộc"
    )
    assert all(4 <= n <= 8 for n in per_committee.values())


def test_targets_are_set_on_grassroots_units_only(generated):
    units = register(generated)
    targets = {u["Mã đơn vị"]: u["Chỉ tiêu kết nạp năm"] for u in units}
    for u in units:
        if u["Loại đơn vị"] in ("Đảng bộ", "Chi bộ trực thuộc"):
            assert targets[u["Mã đơn vị"]] is None
    grassroots_without = [
        u for u in units if u["Loại đơn vị"] == "Chi bộ cơ sở" and targets[u["Mã đơn vị"]] is None
    ]
    assert len(grassroots_without) == 2
    assert all(isinstance(t, int) for t in targets.values() if t is not None)
    assert 40 <= sum(t for t in targets.values() if t) <= 45


def test_counted_rosters_give_the_seed_figures(generated):
    units = register(generated)
    cells = {u["Mã đơn vị"] for u in units if u["Loại đơn vị"].startswith("Chi bộ")}
    counted = counted_files(generated)
    assert set(counted) == cells  # 71 files, one per chi bộ
    assert len(counted) == 71
    assert "inbox/CB-PC04_2022-Q3 (ban cu).xlsx" not in counted.values()

    members = [
        m for name in counted.values() for m in member_rows(generated[name][contract.MEMBER_SHEET])
    ]
    admitted = [as_date(pick(m, "Ngày vào Đảng", "Ngày vào đảng")) for m in members]
    ids = [pick(m, "Số CCCD", "CCCD") for m in members]
    assert len(members) == 1098
    assert len(set(ids)) == 1098
    assert sum(YEAR_START <= d <= Q3_END for d in admitted) == 34
    assert sum(Q3_START <= d <= Q3_END for d in admitted) == 1
    assert max(admitted) <= Q3_END
    cells_admitting = {
        code
        for code, name in counted.items()
        for m in member_rows(generated[name][contract.MEMBER_SHEET])
        if as_date(pick(m, "Ngày vào Đảng", "Ngày vào đảng")) >= YEAR_START
    }
    assert 15 <= len(cells_admitting) <= 25


def test_members_are_plausible(generated):
    counted = counted_files(generated)
    members = [
        m for name in counted.values() for m in member_rows(generated[name][contract.MEMBER_SHEET])
    ]
    women = sum(m["Giới tính"] == "Nữ" for m in members)
    assert 0.15 <= women / len(members) <= 0.20
    recognized = [as_date(m["Ngày chính thức"]) for m in members]
    assert 5 <= sum(1 for d in recognized if d and Q3_START <= d <= Q3_END) <= 9
    late_ceremonies = 0
    for m in members:
        born = as_date(pick(m, "Ngày sinh", "Sinh ngày"))
        admitted = as_date(pick(m, "Ngày vào Đảng", "Ngày vào đảng"))
        ceremony, official = as_date(m["Ngày kết nạp"]), as_date(m["Ngày chính thức"])
        assert 19 <= (Q3_END - born).days // 365.25 <= 59
        assert 18 <= (admitted - born).days / 365.25 < 46
        assert isinstance(pick(m, "Số CCCD", "CCCD"), str)
        late_ceremonies += not 3 <= (ceremony - admitted).days <= 40
        if official:  # never before 12 months of probation
            assert official >= samples.add_years(ceremony, 1)
    assert late_ceremonies == 1  # the planted one
    for code, name in counted.items():
        size = len(member_rows(generated[name][contract.MEMBER_SHEET]))
        assert 6 <= size <= 35, code


def test_every_text_is_nfc(generated):
    for name, sheets in generated.items():
        for rows in sheets.values():
            for row in rows:
                for v in row:
                    if isinstance(v, str):
                        assert unicodedata.is_normalized("NFC", v), (name, v)


def test_planted_problems_are_where_the_docstring_says(generated):
    counted = counted_files(generated)

    def rows(code: str, sheet: str = contract.MEMBER_SHEET) -> list[dict]:
        return member_rows(generated[counted[code]][sheet])

    def cid(m):
        return pick(m, "Số CCCD", "CCCD")

    assert any(m["Giới tính"] == "Nữ" and cid(m)[3] == "0" for m in rows("CB-PA04"))
    assert sum(m["Dân tộc"] is None for m in rows("CB-CAH-SK-03")) == 1
    assert any(
        as_date(m["Ngày vào Đảng"]).strftime("%Y-%m") == "2021-03" and m["Ngày chính thức"] is None
        for m in rows("CB-PC06")
    )
    assert any(
        (as_date(m["Ngày kết nạp"]) - as_date(m["Ngày vào Đảng"])).days >= 60
        for m in rows("CB-CATP-05")
    )
    assert any(
        as_date(c["Ngày cấp giấy chứng nhận"]).year == 2016
        for c in rows("CB-PV01", contract.CANDIDATE_SHEET)
    )
    names = {m["Họ và tên"] for m in rows("CB-CATX-02")}
    assert any(
        c["Đảng viên giúp đỡ 1"] not in names for c in rows("CB-CATX-02", contract.CANDIDATE_SHEET)
    )
    assert any(len(cid(m)) == 9 for m in rows("CB-PK02-03"))
    titled = generated[counted["CB-PC02"]][contract.MEMBER_SHEET]
    assert titled[0][0] == "DANH SÁCH ĐẢNG VIÊN" and titled[2][0] == "STT"
    assert any("T/M CHI BỘ" in row for row in titled)
    for code in samples.PLANT_VARIANT_HEADERS:
        header = generated[counted[code]][contract.MEMBER_SHEET][0]
        assert {"Họ tên", "Sinh ngày", "CCCD", "Ngày vào đảng"} <= set(header)
    text_dated = rows(samples.PLANT_TEXT_DATES)
    assert all(isinstance(m["Sinh ngày"], str) for m in text_dated)
    q2 = dict(r[:2] for r in generated["inbox/CB-CATP-03_2022-Q2.xlsx"][contract.INFO_SHEET])
    assert q2["Quý"] == 2
    older = generated["inbox/CB-PC04_2022-Q3 (ban cu).xlsx"]
    assert len(member_rows(older[contract.MEMBER_SHEET])) == len(rows("CB-PC04")) - 2
    # ...each in its own cell, at the row the generator reports
    plants = samples.build_sample().plants
    assert len({p.unit for p in plants}) == len(plants) == 13
    for plant in plants:
        if plant.column is not None:
            sheet = generated[f"inbox/{plant.file}"][plant.sheet]
            assert isinstance(sheet[plant.row - 1][0], int)  # a data row, STT filled
            assert plant.column in sheet[0]


def test_generation_is_reproducible(generated, tmp_path):
    samples.generate(tmp_path)
    assert snapshot(tmp_path) == generated


def test_committed_samples_are_the_generators_output(generated):
    assert COMMITTED.is_dir(), "run: python -m rostergen.samples --out input_samples"
    committed = snapshot(COMMITTED)
    assert sorted(committed) == sorted(generated), (
        "regenerate with: python -m rostergen.samples --out input_samples --clean"
    )
    for name in generated:
        assert committed[name] == generated[name], f"{name} differs from the generator's output"


def test_cli_writes_the_samples(tmp_path, capsys):
    assert samples.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "units.xlsx").is_file()
    assert len(list((tmp_path / "inbox").glob("*.xlsx"))) == 73
    assert "CB-PA04" in capsys.readouterr().out
