import re
import string

import pytest

from pipeline import rulebook as iss


SAMPLE_CONTEXT = {"detail": "chi tiết", "suggestion": " Có phải là \"Nam\"?", "after": "Nguyễn Văn An"}


def _context(rule: str) -> dict:
    """Every content field the rule's message takes, filled as a call would fill it."""
    return {name: SAMPLE_CONTEXT[name] for name in iss.RULES[rule].fields & iss.CONTENT_FIELDS}


@pytest.mark.parametrize("rule", sorted(iss.RULES))
def test_every_rule_has_a_vietnamese_message_that_fills_in(rule):
    issue = iss.make(rule, unit="CB-A", file="a.xlsx", sheet="Đảng viên", row=5, column="Ngày sinh", value="x",
                     **_context(rule))
    assert issue.severity in (iss.ERROR, iss.WARNING)
    assert "{" not in issue.message and issue.message.endswith((".", "?"))
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủứừửữựỳỷỹý]", issue.message.lower())
    assert iss.RULES[rule].label


def test_issue_dict_has_the_json_contract_keys_in_order():
    issue = iss.make("BAD_DATE", unit="CB-A", file="a.xlsx", sheet="Đảng viên", row=14, column="Ngày sinh",
                     value="31/02/1990")
    assert list(issue.to_dict()) == ["severity", "rule", "unit", "file", "sheet", "row", "column", "value", "message",
                                     "cell"]
    assert issue.to_dict()["row"] == 14 and issue.to_dict()["value"] == "31/02/1990"


def test_a_mistyped_message_field_fails_where_the_issue_is_made():
    with pytest.raises(TypeError, match="no field"):
        iss.make("BAD_DATE", file="a.xlsx", value="31/02/1990", detial=" chi tiết")


def test_a_message_field_a_call_leaves_out_fails_instead_of_printing_a_gap():
    with pytest.raises(TypeError, match="needs"):
        iss.make("TCVN3_CONVERTED", file="a.xlsx", sheet="Đảng viên", value="NguyÔn", detail=3)


def test_an_optional_field_left_out_prints_nothing():
    issue = iss.make("BAD_DATE", file="a.xlsx", value="31/02/1990")
    assert issue.message.startswith("\"31/02/1990\" không phải ngày hợp lệ. Ghi ngày")


def test_a_rule_whose_message_uses_an_unknown_field_cannot_be_declared():
    typo = iss.Rule("X_TEST", iss.ERROR, iss.Scope.ROW, "Nhãn", "Cột \"{colum}\" sai.", "never")
    with pytest.raises(ValueError, match="colum"):
        iss._rules(typo)


def test_every_message_field_is_one_the_issue_fills():
    known = iss.LOCATION_FIELDS | iss.CONTENT_FIELDS
    for rule in iss.RULES.values():
        names = {name for _, name, _, _ in string.Formatter().parse(rule.message) if name}
        assert names <= known, rule.code
        assert rule.optional <= names, rule.code


def test_the_committed_rules_reference_is_the_registry(pytestconfig):
    committed = (pytestconfig.rootpath / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == iss.reference(), "docs/rules.md is stale: run `make docs`"
    for code in iss.RULES:
        assert f"## {code}\n" in committed
