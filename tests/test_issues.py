import re

import pytest

from pipeline import issues as iss


@pytest.mark.parametrize("rule", sorted(iss.CATALOGUE))
def test_every_rule_has_a_vietnamese_message_that_fills_in(rule):
    issue = iss.make(rule, unit="CB-A", file="a.xlsx", sheet="Đảng viên", row=5, column="Ngày sinh", value="x",
                     detail="chi tiết")
    assert issue.severity in (iss.ERROR, iss.WARNING)
    assert "{" not in issue.message and issue.message.endswith((".", "?"))
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủứừửữựỳỷỹý]", issue.message.lower())
    assert iss.LABELS[rule]


def test_issue_dict_has_the_json_contract_keys_in_order():
    issue = iss.make("BAD_DATE", unit="CB-A", file="a.xlsx", sheet="Đảng viên", row=14, column="Ngày sinh",
                     value="31/02/1990")
    assert list(issue.to_dict()) == ["severity", "rule", "unit", "file", "sheet", "row", "column", "value", "message",
                                     "cell"]
    assert issue.to_dict()["row"] == 14 and issue.to_dict()["value"] == "31/02/1990"
