"""A record read through its form as the collector reads it: calculations, relevance, required, constraints."""
from server.surveys.answers import apply_form

R = lambda p: {"ref": p}  # noqa: E731
FORM = {"record": {"kind": "test"}, "sections": [
    {"key": "a", "title": {}, "questions": [
        {"key": "method", "type": "select_one", "path": "income.method", "required": True,
         "choices": [{"value": "points"}, {"value": "actual"}]},
        {"key": "points", "type": "integer", "path": "income.b1_points", "required": True, "min": 0, "max": 500,
         "relevant": {"op": "==", "args": [R("income.method"), "points"]}},
        {"key": "roof", "type": "boolean", "path": "housing.durable.roof", "required": False,
         "relevant": {"op": "==", "args": [R("income.method"), "points"]}},
        {"key": "members", "type": "repeat", "path": "members", "min_count": 1, "max_count": 3, "questions": [
            {"key": "line", "type": "integer", "path": "line", "calculate": {"op": "position"}},
            {"key": "name", "type": "text", "path": "name", "required": True, "max_length": 5},
            {"key": "idn", "type": "text", "path": "id_number", "unique": True,
             "constraint": {"op": "matches", "args": [R("."), "\\d{3}"]}},
        ]},
    ]},
    {"key": "b", "title": {}, "relevant": {"op": "==", "args": [R("income.method"), "actual"]}, "questions": [
        {"key": "annual", "type": "integer", "path": "income.annual_income_vnd", "required": True},
    ]},
]}


def test_non_relevant_answers_are_removed_with_the_objects_they_leave_empty():
    record = {"income": {"method": "actual", "b1_points": 7, "annual_income_vnd": 5},
              "housing": {"durable": {"roof": True}}, "members": [{"name": "An"}]}
    out, problems = apply_form(FORM, record)
    assert problems == []
    assert out == {"kind": "test", "income": {"method": "actual", "annual_income_vnd": 5},
                   "members": [{"name": "An", "line": 1}]}
    assert record["income"]["b1_points"] == 7  # the input is not changed


def test_a_non_relevant_section_removes_its_questions():
    out, problems = apply_form(FORM, {"income": {"method": "points", "b1_points": 9, "annual_income_vnd": 5},
                                      "members": [{"name": "An"}]})
    assert problems == [] and out["income"] == {"method": "points", "b1_points": 9}


def test_required_constraints_bounds_choices_counts_and_duplicates_are_named():
    record = {"income": {"method": "points", "b1_points": 501},
              "members": [{"name": "Nguyễn Văn"}, {"id_number": "12"}, {"name": "B", "id_number": "123"},
                          {"name": "C", "id_number": "123"}]}
    _, problems = apply_form(FORM, record)
    assert problems == [
        {"path": "income.b1_points", "problem": "out_of_range", "min": 0, "max": 500},
        {"path": "members[0].name", "problem": "too_long", "max": 5},
        {"path": "members[1].name", "problem": "required"},
        {"path": "members[1].id_number", "problem": "constraint"},
        {"path": "members[3].id_number", "problem": "duplicate"},
        {"path": "members", "problem": "count", "min": 1, "max": 3},
    ]
    _, problems = apply_form(FORM, {"income": {"method": "cash"}, "members": [{"name": "A"}]})
    assert problems == [{"path": "income.method", "problem": "invalid_choice"}]


def test_calculated_values_follow_the_roster_order():
    out, _ = apply_form(FORM, {"income": {"method": "actual", "annual_income_vnd": 1},
                               "members": [{"name": "B", "line": 9}, {"name": "A", "line": 1}]})
    assert [m["line"] for m in out["members"]] == [1, 2]
