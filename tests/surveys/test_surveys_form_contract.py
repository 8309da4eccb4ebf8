"""The form definitions and the record contract agree (issue 11, item 1).

Every code a choice can produce is accepted by the server; every key of the contract is written by some question
(or by the app); and a random filling of the form that its relevance and constraints accept — read through the
served definition as the phone reads it (server/surveys/answers.py) — is a record the server validates and
classifies.
"""
import copy
import hashlib
import uuid
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings, strategies as st

from poverty_records import RURAL_COMMUNE, URBAN_COMMUNE, base_record
from server.poverty import classify, load_rule_set, rule_set_names, validate_record, validate_village_record
from server.poverty.errors import RecordInvalid
from server.surveys import definitions
from server.surveys.answers import apply_form

FACTS = definitions.Facts(2025)
HOUSEHOLD, _ = definitions.served("household", FACTS)
VILLAGE, _ = definitions.served("village", FACTS)
VILLAGE_OF = {RURAL_COMMUNE: ("T-06529-01", "rural"), URBAN_COMMUNE: ("T-05977-01", "urban")}
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"


def questions(defn):
    """(question, repeat path or None) of every question of a served definition."""
    for s in defn["sections"]:
        for q in s["questions"]:
            yield q, None
            for child in q.get("questions", ()):
                yield child, q["path"]


def full_path(q, repeat):
    return f"{repeat}[].{q['path']}" if repeat else q.get("path")


def put(record, path, value):
    parts = path.split(".")
    for p in parts[:-1]:
        record = record.setdefault(p, {})
    record[parts[-1]] = value


# --- codes ---------------------------------------------------------------------------------------------------------

def choice_cases():
    for q, repeat in questions(HOUSEHOLD):
        if q["type"] in ("select_one", "select_multiple"):
            for c in q["choices"]:
                yield pytest.param(q, repeat, c["value"], id=f"{q['key']}={c['value']}")


@pytest.mark.parametrize("q, repeat, code", list(choice_cases()))
def test_every_choice_code_is_accepted_by_the_server(q, repeat, code):
    value = [code] if q["type"] == "select_multiple" else code
    if repeat:
        record = base_record()
        # line 1 is the head; any other relation goes on line 2
        member = record["members"][0 if code == "head" and q["path"] == "relation" else 1]
        put(member, q["path"], value)
        if code == "head" and q["path"] == "relation":
            pass
    else:
        # a year whose rule set needs the answer (waste_handling is asked from 2027)
        year = 2027 if q["path"] == "waste_handling" else 2025
        record = base_record(review_year=year, interview={"started_at": f"{year}-10-05T08:30:00+07:00"})
        if year >= 2027:
            record["waste_handling"] = "collected"
        put(record, q["path"], value)
        if q["path"] == "income.method" and code == "points":
            record["income"] = {"method": "points", "b1_points": 100}
    validate_record(record)


def test_the_served_lists_hold_the_codes_the_server_knows():
    from server.poverty.codes import ethnic_groups
    by_key = {q["key"]: q for q, _ in questions(HOUSEHOLD)}
    assert {c["value"] for c in by_key["ethnicity"]["choices"]} == ethnic_groups()
    for name in rule_set_names():
        rule_set = load_rule_set(name)
        if rule_set.covers(2025):
            assert {c["value"] for c in by_key["quick_screen_items"]["choices"]} == rule_set.quick_screen.codes


def test_village_choices_and_fixed_values_are_accepted():
    record = {"id": str(uuid.uuid4()), "form_version": VILLAGE["version"], "review_year": 2025,
              "commune_code": RURAL_COMMUNE, "village_code": "T-06529-01",
              "interview": {"started_at": "2025-10-05T08:30:00+07:00"}, "facts": {}, **VILLAGE["record"]}
    validate_village_record(record)


# --- keys ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, defn", [("household", HOUSEHOLD), ("village", VILLAGE)])
def test_every_key_of_the_contract_is_written_by_a_question_or_the_app(kind, defn):
    written = {full_path(q, r) for q, r in questions(defn) if q.get("path")}
    written |= {e["path"] for e in defn.get("set_by_app", ())} | set(defn.get("record", {}))
    missing = []
    for path in definitions.schema_paths(kind):
        parts = path.split(".")
        # written itself or as part of an object or list a question writes whole (interview.gps, attachments)
        if not any(".".join(parts[:n]).removesuffix("[]") in written for n in range(1, len(parts) + 1)):
            # an object or a list is written when keys inside it are (each of those is checked on its own)
            if not any(w.startswith(path + ".") or w.startswith(path + "[].") for w in written):
                missing.append(path)
    assert missing == []


def test_every_answer_a_rule_set_needs_is_asked_in_its_years():
    paths = [q["path"] for q, r in questions(HOUSEHOLD) if q.get("path") and r is None]
    for name in rule_set_names():
        rule_set = load_rule_set(name)
        for year in (rule_set.first_year, rule_set.last_year):
            _, problems = apply_form(HOUSEHOLD, {"review_year": year, "quick_screen": {"stopped": False}})
            required = {p["path"] for p in problems if p["problem"] == "required"}
            for need in rule_set.needs:  # an answer, or an object ("housing.durable") all of whose keys are asked
                asked = [p for p in paths if p == need or p.startswith(need + ".")]
                # required, or a list the form starts empty (info_devices: none ticked means none owned)
                defaults = {p for p in asked if isinstance(HOUSEHOLD["defaults"].get(p), list)}
                assert asked and set(asked) <= required | defaults, (name, year, need)


# --- a random filling ----------------------------------------------------------------------------------------------

NAMES = ["Hoàng Văn Thắng", "Nông Thị Hoa", "Lường Văn Ước", "Triệu Thị Mỹ", "Đàm Quang Khải", "Vi Thị Ánh"]


def text(max_len):
    odd = st.text(alphabet=LETTERS, min_size=1, max_size=12)
    return (st.sampled_from(NAMES) | odd).map(lambda s: s[:max_len])


@st.composite
def a_date(draw, lo, hi):
    return (lo + timedelta(days=draw(st.integers(0, (hi - lo).days)))).isoformat()


@st.composite
def answer(draw, q, ctx, position=None):
    """A value for one question, within its type and bounds; None for "left empty" when it is optional."""
    key, qtype = q["key"], q["type"]
    if q.get("required") is False and qtype not in ("select_multiple",) and draw(st.integers(0, 4)) == 0:
        return None
    if key == "relation":
        codes = [c["value"] for c in q["choices"]]
        return "head" if position == 1 else draw(st.sampled_from([c for c in codes if c != "head"]))
    if key == "birth_date":
        if draw(st.booleans()):
            return None  # the year alone
        return draw(a_date(ctx["ref"] - timedelta(days=365 * 110), ctx["ref"]))
    if key == "birth_year":
        return draw(st.integers(ctx["ref"].year - 110, ctx["review_year"]))
    if key == "id_number":
        return draw(st.none() | st.text("0123456789", min_size=12, max_size=12))
    if key == "review_year":
        return ctx["review_year"]
    if key == "quick_screen_items":
        codes = [c["value"] for c in q["choices"]]
        if draw(st.integers(0, 4)):
            return []  # most households have none of Phiếu A's signs
        return draw(st.lists(st.sampled_from(codes), unique=True, max_size=3))
    if qtype == "text":
        return draw(text(min(q.get("max_length", 40), 40)))
    if qtype in ("integer", "year"):
        return draw(st.integers(q.get("min", 0), q.get("max", 10**6)))
    if qtype == "decimal":
        lo, hi = q.get("min", 0), q.get("max", 10**6)
        return draw(st.integers(lo, hi) | st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 1)))
    if qtype == "select_one":
        return draw(st.sampled_from([c["value"] for c in q["choices"]]))
    if qtype == "select_multiple":
        return draw(st.lists(st.sampled_from([c["value"] for c in q["choices"]]), unique=True, max_size=4))
    if qtype == "boolean":
        return draw(st.booleans())
    if qtype == "gps":
        return {"lat": draw(st.floats(21.3, 22.5)), "lon": draw(st.floats(106.0, 107.3)),
                "accuracy_m": draw(st.none() | st.floats(1, 200))}
    if qtype == "photo":
        n = draw(st.integers(0, q.get("max_count", 2)))
        return [{"name": f"p{i}.jpg", "content_type": "image/jpeg",
                 "sha256": hashlib.sha256(f"{i}{draw(st.integers())}".encode()).hexdigest()} for i in range(n)] or None
    if qtype == "point_table":
        return None  # no B1 point table is shipped: never relevant (asserted below)
    raise AssertionError(f"no strategy for question type {qtype}")


@st.composite
def household_filling(draw, defn=HOUSEHOLD, members=(1, 5)):
    years = next(q for q, _ in questions(defn) if q["key"] == "review_year")["constraint"]["args"][1]
    review_year = draw(st.sampled_from(years))
    commune = draw(st.sampled_from(sorted(VILLAGE_OF)))
    village, area = VILLAGE_OF[commune]
    ref = draw(st.dates(date(review_year, 1, 1), date(review_year, 12, 31)))
    record = {"id": str(uuid.uuid4()), "form_version": defn["version"], "commune_code": commune,
              "village_code": village, "area": area,
              "interview": {"enumerator": "u7", "started_at": f"{ref.isoformat()}T08:30:00+07:00",
                            "ended_at": f"{ref.isoformat()}T09:45:00+07:00"}}
    for key, value in defn.get("defaults", {}).items():
        record.setdefault(key, copy.deepcopy(value))
    ctx = {"ref": ref, "review_year": review_year}
    for q, repeat in questions(defn):
        if repeat or q["type"] == "note" or not q.get("path") or "calculate" in q:
            continue
        if q["type"] == "repeat":
            n = draw(st.integers(*members))
            items = []
            for i in range(n):
                m = {}
                for child in q["questions"]:
                    if child.get("path") and "calculate" not in child:
                        v = draw(answer(child, ctx, position=i + 1))
                        if v is not None:
                            m[child["path"]] = v
                m["name"] = m.get("name") or f"Người {i + 1}"
                items.append(m)
            record[q["path"]] = items
            continue
        v = draw(answer(q, ctx))
        if v is not None:
            put(record, q["path"], v)
    return record


def accepted_by_the_form(record):
    cleaned, problems = apply_form(HOUSEHOLD, record)
    assume(problems == [])
    return cleaned


@settings(max_examples=60)
@given(household_filling())
def test_a_filling_the_form_accepts_is_a_record_the_server_accepts(filling):
    record = accepted_by_the_form(filling)
    assert "b1_items" not in record.get("income", {})  # no point table is shipped
    try:
        clean = validate_record(record)
        result = classify(clean)
    except RecordInvalid as e:
        raise AssertionError(f"the server refused a record the form accepts: {e.errors}") from None
    assert result["class"] in ("poor", "near_poor", "middle", "not_poor")
    # the form's own calculation of Phiếu A agrees with the rule engine's
    assert result["stopped_by_quick_screen"] is record["quick_screen"]["stopped"]


PHIEU_B_OF_MEMBERS = ("health_insurance", "schooling", "school_level", "highest_diploma", "employment", "disability",
                      "malnutrition", "pension", "social_allowance")


def stopped_filling():
    group_1 = next(c["value"] for q, _ in questions(HOUSEHOLD) if q["key"] == "quick_screen_items"
                   for c in q["choices"] if c["group"] == "group_1")
    return group_1, apply_form(HOUSEHOLD, base_record(quick_screen={"items": [group_1]}))


def test_a_stopped_screen_is_accepted_by_the_server():
    _, (record, problems) = stopped_filling()
    assert problems == [] and record["quick_screen"]["stopped"] is True and "housing" not in record
    result = classify(validate_record(record))
    assert result["stopped_by_quick_screen"] is True and result["class"] == "not_poor"
    assert result["deficits"] == [] and result["b1_points"] is None and result["b2_points"] is None


def test_a_screen_that_stops_ends_the_interview_after_the_roster():
    group_1, (record, problems) = stopped_filling()
    assert problems == []
    assert record["quick_screen"] == {"items": [group_1], "stopped": True}
    for key in ("income", "housing", "water_source", "toilet", "internet_use", "info_devices"):
        assert key not in record
    # the roster's identity is still taken (the commune's lists and persons counts), Phiếu B of members is not
    base = base_record()["members"]
    assert len(record["members"]) == len(base)
    for m, given in zip(record["members"], base):
        for key in ("line", "name", "relation", "sex", "ethnicity"):
            assert m[key] == given[key]
        assert m.get("birth_date") or m.get("birth_year")
        assert not set(PHIEU_B_OF_MEMBERS) & set(m)
    # and the form's rule is the rule engine's: the same items stop the household there
    stopped = classify(validate_record(base_record(quick_screen={"items": [group_1], "stopped": False})))
    assert stopped["stopped_by_quick_screen"] is True


def test_a_stopped_roster_still_needs_its_identity():
    _, (record, _) = stopped_filling()
    for key in ("name", "relation", "sex", "ethnicity"):
        broken = copy.deepcopy(record)
        del broken["members"][0][key]
        with pytest.raises(RecordInvalid) as e:
            validate_record(broken)
        assert f"members[0].{key}" in [x["path"] for x in e.value.errors]
        _, problems = apply_form(HOUSEHOLD, broken)
        assert f"members[0].{key}" in [p["path"] for p in problems]


@settings(max_examples=30)
@given(st.data())
def test_the_forms_phieu_a_rule_is_the_rule_engines(data):
    codes = [c["value"] for q, _ in questions(HOUSEHOLD) if q["key"] == "quick_screen_items" for c in q["choices"]]
    items = data.draw(st.lists(st.sampled_from(codes), unique=True, max_size=len(codes)))
    record, _ = apply_form(HOUSEHOLD, base_record(quick_screen={"items": items}))
    expected = load_rule_set("2022-2026").quick_screen.stops(items)
    assert record["quick_screen"]["stopped"] is expected


def test_the_form_refuses_what_the_server_refuses():
    rec = base_record()
    rec["members"][1]["relation"] = "head"  # two heads
    _, problems = apply_form(HOUSEHOLD, rec)
    assert {"path": "members[1].relation", "problem": "constraint"} in problems
    rec = base_record()
    rec["members"][0]["id_number"] = "12345"
    _, problems = apply_form(HOUSEHOLD, rec)
    assert {"path": "members[0].id_number", "problem": "constraint"} in problems
    # points in a review year whose rule set has no B1 threshold (2027-2030 today)
    rec = base_record(review_year=2027, waste_handling="collected", income={"method": "points", "b1_points": 90},
                      interview={"started_at": "2027-10-05T08:30:00+07:00"})
    _, problems = apply_form(HOUSEHOLD, rec)
    assert {"path": "income.method", "problem": "constraint"} in problems
    with pytest.raises(RecordInvalid):
        classify(validate_record(rec))


def test_fifty_members_is_the_most_and_is_accepted():
    rec = base_record()
    rec["members"] = [dict(rec["members"][1], line=i + 1, relation="head" if i == 0 else "child") for i in range(50)]
    record, problems = apply_form(HOUSEHOLD, rec)
    assert problems == []
    classify(validate_record(record))
    rec["members"].append(dict(rec["members"][1], line=51))
    _, problems = apply_form(HOUSEHOLD, rec)
    assert {"path": "members", "problem": "count", "min": 1, "max": 50} in problems
