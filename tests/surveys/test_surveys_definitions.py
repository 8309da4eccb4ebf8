"""Form definitions: checked when loaded (errors name the file and the key), served filled in, public, cached."""
import copy
import json

import pytest

from server.surveys import definitions
from server.surveys.definitions import FormInvalid, check_definition


def raw(name="household"):
    with open(definitions.form_path(name), encoding="utf-8") as f:
        return json.load(f)


def find(data, key):
    for s in data["sections"]:
        for q in s["questions"]:
            if q["key"] == key:
                return q
            for c in q.get("questions", ()):
                if c["key"] == key:
                    return c
    raise KeyError(key)


def place(key, name="household"):
    """Where a question sits in the shipped definition, as errors name it."""
    for i, s in enumerate(raw(name)["sections"]):
        for j, q in enumerate(s["questions"]):
            if q["key"] == key:
                return f"sections[{i}].questions[{j}]"
            for k, c in enumerate(q.get("questions", ())):
                if c["key"] == key:
                    return f"sections[{i}].questions[{j}].questions[{k}]"
    raise KeyError(key)


def test_the_shipped_definitions_load():
    loaded = definitions.check_all()
    assert [d.name for d in loaded] == ["household", "village"]
    assert definitions.definition("household").written["members[].birth_date"] == "birth_date"


def broken(change, name="household"):
    data = raw(name)
    change(data)
    with pytest.raises(FormInvalid) as e:
        check_definition(data, file=f"forms/{name}/form.json", kind=name)
    assert e.value.file == f"forms/{name}/form.json"
    assert f"forms/{name}/form.json: {e.value.key}" in str(e.value)
    return e.value


def test_an_unknown_question_type_is_named():
    e = broken(lambda d: find(d, "toilet").update(type="dropdown"))
    assert e.key == place("toilet") + ".type" and "dropdown" in e.problem


def test_a_duplicate_key_is_named():
    e = broken(lambda d: find(d, "toilet").update(key="water_source"))
    assert e.key == place("toilet") + ".key" and "duplicate" in e.problem


def test_a_choice_code_the_record_does_not_know_is_refused():
    bucket = {"value": "bucket", "label": {"vi": "Xô", "en": "Bucket"}}
    e = broken(lambda d: find(d, "toilet")["choices"].append(bucket))
    n = len(find(raw(), "toilet")["choices"])
    assert e.key == place("toilet") + f".choices[{n}].value" and "bucket" in e.problem


def test_a_duplicate_choice_is_refused():
    e = broken(lambda d: find(d, "sex")["choices"].append(copy.deepcopy(find(d, "sex")["choices"][0])))
    assert e.key == place("sex") + ".choices[2].value" and "duplicate" in e.problem


def test_an_unknown_operator_is_named_at_its_place():
    e = broken(lambda d: find(d, "school_level").update(
        relevant={"op": "and", "args": [True, {"op": "startswith", "args": [{"ref": "@.schooling"}, "a"]}]}))
    assert e.key == place("school_level") + ".relevant.args[1]" and "startswith" in e.problem


def test_a_wrong_arity_is_named():
    e = broken(lambda d: find(d, "school_level").update(relevant={"op": "==", "args": [{"ref": "@.schooling"}]}))
    assert e.key == place("school_level") + ".relevant" and "takes 2" in e.problem


def test_a_path_outside_the_contract_is_refused():
    e = broken(lambda d: find(d, "toilet").update(path="latrine"))
    assert e.key == place("toilet") + ".path" and "latrine" in e.problem


def test_a_path_written_twice_is_refused():
    e = broken(lambda d: find(d, "toilet").update(path="water_source"))
    assert "written twice" in e.problem


def test_a_ref_to_something_no_question_writes_is_refused():
    e = broken(lambda d: find(d, "toilet").update(relevant={"op": "answered", "args": [{"ref": "housing.roof"}]}))
    assert e.key == place("toilet") + ".relevant" and "housing.roof" in e.problem


def test_a_member_ref_outside_the_roster_is_refused():
    e = broken(lambda d: find(d, "toilet").update(relevant={"op": "answered", "args": [{"ref": "@.name"}]}))
    assert "outside a repeat" in e.problem


def test_the_roster_holds_at_most_fifty():
    e = broken(lambda d: find(d, "members").update(max_count=51))
    assert e.key == place("members") + ".max_count"


def test_bounds_may_not_widen_the_contracts():
    e = broken(lambda d: find(d, "floor_area_m2").update(max=1_000_000))
    assert e.key == place("floor_area_m2") + ".max" and "10000" in e.problem


def test_a_constraint_needs_its_message_in_both_languages():
    e = broken(lambda d: find(d, "id_number").pop("constraint_message"))
    assert e.key == place("id_number") + ".constraint_message"
    e = broken(lambda d: find(d, "id_number")["constraint_message"].pop("en"))
    assert e.key == place("id_number") + ".constraint_message"


def test_an_unknown_fill_or_list_is_refused():
    e = broken(lambda d: find(d, "waste_handling")["relevant"]["args"].__setitem__(1, {"fill": "years_i_like"}))
    assert e.key == place("waste_handling") + ".relevant.args[1].fill"
    e = broken(lambda d: find(d, "ethnicity").update(choices_from="religions"))
    assert e.key == place("ethnicity") + ".choices_from"


def test_an_unknown_key_is_refused():
    e = broken(lambda d: find(d, "toilet").update(colour="red"))
    assert e.key == place("toilet") + ".colour"
    e = broken(lambda d: d.update(author="me"))
    assert e.key == "author"


def test_the_village_form_is_checked_against_the_village_record():
    e = broken(lambda d: d["sections"][2]["questions"][1].update(path="facts.households_with_solar"), "village")
    assert "facts.households_with_solar" in e.problem


def test_an_edited_file_is_read_again(tmp_path, monkeypatch):
    (tmp_path / "household").mkdir()
    target = tmp_path / "household" / "form.json"
    data = raw()
    target.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(definitions, "FORMS_DIR", tmp_path)
    monkeypatch.setattr(definitions, "_loaded", {})
    assert definitions.definition("household").data["version"] == data["version"]
    data["version"] = "2099.9"
    target.write_text(json.dumps(data) + " ", encoding="utf-8")
    assert definitions.definition("household").data["version"] == "2099.9"
    target.write_text("{", encoding="utf-8")
    with pytest.raises(FormInvalid) as e:
        definitions.definition("household")
    assert "not JSON" in e.value.problem


def test_the_current_review_year():
    assert definitions.current_review_year(2024) == 2024
    assert definitions.current_review_year(0, today="2026-12-01") == 2026


# --- the API -------------------------------------------------------------------------------------------------------

def no_fill_left(node):
    if isinstance(node, dict):
        assert "fill" not in node
        for v in node.values():
            no_fill_left(v)
    elif isinstance(node, list):
        for v in node:
            no_fill_left(v)


def test_get_forms_lists_them_publicly(client):
    r = client.get("/api/v1/forms")
    assert r.status_code == 200
    forms = r.get_json()["forms"]
    assert [(f["name"], f["version"]) for f in forms] == [("household", raw()["version"]),
                                                          ("village", raw("village")["version"])]
    assert forms[0]["title"]["vi"] and forms[0]["url"] == "/api/v1/forms/household"


@pytest.fixture
def review_year(app):
    """Set the installation's current review year for one test."""
    def set_year(year):
        app.config["REVIEW_YEAR"] = year
    yield set_year
    app.config["REVIEW_YEAR"] = 0


def test_get_a_form_fills_its_lists_and_rule_set_facts(client, review_year):
    review_year(2025)
    r = client.get("/api/v1/forms/household")
    assert r.status_code == 200 and r.headers["ETag"]
    body = r.get_json()
    no_fill_left(body)
    assert body["defaults"]["review_year"] == 2025
    from server.poverty import rule_set_for_year
    from server.poverty.codes import ethnic_groups
    assert {c["value"] for c in find(body, "ethnicity")["choices"]} == ethnic_groups()
    items = {c["value"] for c in find(body, "quick_screen_items")["choices"]}
    assert items == rule_set_for_year(2025).quick_screen.codes
    waste_years = find(body, "waste_handling")["relevant"]["args"][1]
    assert 2027 in waste_years and 2026 not in waste_years


def test_the_etag_answers_304_and_follows_the_content(client, review_year):
    review_year(2025)
    first = client.get("/api/v1/forms/household")
    again = client.get("/api/v1/forms/household", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"] and not again.data
    review_year(2026)  # a new review year: new defaults, so a new ETag and the full body
    changed = client.get("/api/v1/forms/household", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["defaults"]["review_year"] == 2026
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_an_unknown_form_is_404(client):
    r = client.get("/api/v1/forms/tax")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
