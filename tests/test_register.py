import pytest

from builders import SMALL_REGISTER, write_register
from pipeline.errors import PipelineError
from pipeline.register import read_register


def test_register_becomes_a_tree_in_order_with_depths(tmp_path):
    reg = read_register(write_register(tmp_path / "units.xlsx"))
    assert list(reg.units.index) == ["DB-T", "CB-A", "CB-B", "DB-H", "CB-H1", "CB-H2"]
    assert reg.units.loc["CB-H1", "depth"] == 2
    assert list(reg.cells.index) == ["CB-A", "CB-B", "CB-H1", "CB-H2"]
    assert reg.structure() == {"root_type": "Đảng bộ", "upper_committees": 0, "grassroots_cells": 2, "grassroots_committees": 1,
                               "partial_committees": 0, "subordinate_cells": 2, "cells_of_partial_committees": 0,
                               "grassroots_children_of_root": 3}
    assert reg.units.loc["CB-A", "target"] == 3


def test_register_rows_in_any_order_still_make_the_tree(tmp_path):
    rows = list(reversed(SMALL_REGISTER))
    reg = read_register(write_register(tmp_path / "units.xlsx", rows))
    assert reg.root == "DB-T"
    assert set(reg.cells.index) == {"CB-A", "CB-B", "CB-H1", "CB-H2"}


@pytest.mark.parametrize("change, expected", [
    (lambda rows: rows + [["CB-X", "Chi bộ X", "Chi bộ cơ sở", "DB-KHONG", None, None]], "DB-KHONG"),
    (lambda rows: rows + [["DB-2", "Đảng bộ khác", "Đảng bộ", None, None, None]], "đúng một đơn vị gốc"),
    (lambda rows: rows + [["CB-Y", "Chi bộ Y", "Chi bộ trực thuộc", "CB-A", None, None]], "chi bộ nhưng có đơn vị trực thuộc"),
    (lambda rows: rows + [["CB-A", "Chi bộ trùng", "Chi bộ cơ sở", "DB-T", None, None]], "bị trùng"),
    (lambda rows: rows + [["CB-Z", "Chi bộ Z", "Tổ đảng", "DB-T", None, None]], "loại đơn vị"),
    (lambda rows: rows + [["P-1", "Đảng bộ vòng", "Đảng bộ cơ sở", "P-2", None, None],
                          ["P-2", "Đảng bộ vòng 2", "Đảng bộ cơ sở", "P-1", None, None]], "vòng lặp"),
    (lambda rows: rows + [["CB-W", "Chi bộ W", "Chi bộ trực thuộc", "DB-T", None, None]], "cấp trên phải là đảng bộ cơ sở"),
])
def test_broken_register_is_rejected_with_a_clear_message(tmp_path, change, expected):
    path = write_register(tmp_path / "units.xlsx", change([list(r) for r in SMALL_REGISTER]))
    with pytest.raises(PipelineError, match=expected):
        read_register(path)


def test_register_without_code_column_says_which_columns_to_use(tmp_path):
    path = write_register(tmp_path / "units.xlsx", [["x", "y"]], header=["Tên", "Loại"])
    with pytest.raises(PipelineError, match="Mã đơn vị"):
        read_register(path)


def test_missing_register_file_names_the_option(tmp_path):
    with pytest.raises(PipelineError, match="UNITS="):
        read_register(tmp_path / "none.xlsx")


def test_every_problem_of_a_register_is_said_at_once_with_the_closest_code(tmp_path):
    rows = [list(r) for r in SMALL_REGISTER] + [
        ["CB-X", "Chi bộ X", "Chi bộ cơ sở", "DB-HH", None, None],        # a typo for DB-H
        ["CB-Z", "Chi bộ Z", "Tổ đảng", "DB-T", None, None],              # no such unit type
        ["CB-A", "Chi bộ trùng", "Chi bộ cơ sở", "DB-T", None, "ba"],     # a duplicate code, a target in words
    ]
    with pytest.raises(PipelineError) as caught:
        read_register(write_register(tmp_path / "units.xlsx", rows))
    message = str(caught.value)
    assert "có 4 chỗ cần sửa" in message
    assert "dòng 8: mã đơn vị cấp trên \"DB-HH\" của CB-X không có trong danh mục. Có phải là \"DB-H\"?" in message
    assert "dòng 9: loại đơn vị \"Tổ đảng\" của CB-Z không hợp lệ" in message
    assert "mã đơn vị \"CB-A\" bị trùng (dòng 3, 10)" in message
    assert "chỉ tiêu kết nạp \"ba\" của CB-A không phải số nguyên" in message
