"""The display layer: labels for every key and code of the record, answers as text, differences between versions."""
import copy

import pytest
from marshmallow import fields

from server.poverty import codes, load_rule_set
from server.poverty.fields import Choice, CodeList
from server.poverty.schema import Record
from server.poverty.village import VillageRecord
from server.surveys.display import answers, code_label, diff, label, text
from server.surveys.labels import labels
from poverty_records import base_record, person

LANGS = ("vi", "en")
# Each code tuple of codes.py -> the code list of labels.json that labels it (or, for key sets, the key prefix).
CODE_LISTS = {
    "AREAS": "area", "REVIEW_TYPES": "review_type", "INCOME_METHODS": "income.method", "RELATIONS": "relation",
    "SEXES": "sex", "SCHOOLING": "schooling", "SCHOOL_LEVELS": "school_level", "DIPLOMAS": "highest_diploma",
    "EMPLOYMENT": "employment", "DISABILITY": "disability", "MALNUTRITION": "malnutrition",
    "WATER_SOURCES": "water_source", "TOILETS": "toilet", "INFO_DEVICES": "info_devices",
    "WASTE_HANDLING": "waste_handling", "POVERTY_CAUSES": "poverty_causes", "SUPPORT_NEEDS": "support_needs",
    "CLASSES": "class",
}
KEY_SETS = {"HOUSE_PARTS": "housing.durable", "FLAGS": "flags"}


def contract_fields(schema=Record(), prefix=""):
    """Yield (path, field) for every key of the record contract, read from its marshmallow schema."""
    for name, field in schema.fields.items():
        path = f"{prefix}{name}"
        yield path, field
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            yield from contract_fields(inner.schema, f"{path}.")


def all_rows(sections):
    """Return path -> row over every section and member block."""
    out = {}
    for section in sections:
        for row in section["rows"] + [r for block in section["blocks"] for r in block["rows"]]:
            out[row["path"]] = row
    return out


def values(sections):
    """Return path -> shown value."""
    return {path: row["value"] for path, row in all_rows(sections).items()}


# Labels cover the contract.

@pytest.mark.parametrize("name", [n for n, v in vars(codes).items() if n.isupper() and isinstance(v, tuple)])
def test_every_code_of_codes_py_has_a_label_in_both_languages(name):
    assert name in CODE_LISTS or name in KEY_SETS, f"codes.{name} is new: give it labels and map it here"
    for code in getattr(codes, name):
        if name in KEY_SETS:
            entry = labels()["keys"].get(f"{KEY_SETS[name]}.{code}")
        else:
            entry = labels()["codes"][CODE_LISTS[name]].get(code)
        assert entry and entry["vi"].strip() and entry["en"].strip(), f"{name}: {code}"


def test_every_key_of_the_contract_has_a_label_and_nothing_else_does():
    paths = [path for path, _ in contract_fields()]
    for path in paths:
        entry = labels()["keys"].get(path)
        assert entry and entry["vi"].strip() and entry["en"].strip(), path
    assert set(labels()["keys"]) == set(paths)


def test_every_coded_key_names_a_code_list_that_labels_all_its_choices():
    for path, field in contract_fields():
        choice = field.item if isinstance(field, CodeList) else field
        if not isinstance(choice, Choice):
            continue
        code_list = labels()["keys"][path].get("codes")
        assert code_list, path
        for code in choice.choices:
            for lang in LANGS:
                if code_list == "ethnicity":  # names from config/rules/ethnic-groups.json
                    assert code_label(code_list, code, lang) != code, code
                else:
                    assert code in labels()["codes"][code_list], f"{path}: {code}"


def test_sections_hold_every_top_level_key_once_in_the_contract_order():
    in_sections = [key for section in labels()["sections"] for key in section["keys"]]
    assert in_sections == list(Record().fields)
    assert [s["title"]["vi"] for s in labels()["sections"]] == [
        "Thông tin chung", "Phỏng vấn", "Phiếu A", "Thu nhập", "Thành viên", "Điều kiện sống", "Khác"]


def test_code_label_helpers():
    assert code_label("relation", "head") == "Chủ hộ"
    assert code_label("relation", "head", "en") == "Head of household"
    assert code_label("class", "middle") == "Hộ có mức sống trung bình"
    assert code_label("ethnicity", "san_chay", "vi") == code_label("ethnicity", "san_chay", "en") == "Sán Chay"
    form = load_rule_set("2022-2026").quick_screen
    assert code_label("quick_screen", "a1_car", "vi", form=form) == "Hộ có ô tô"
    assert code_label("quick_screen", "a1_car", "vi") == "a1_car"  # no form: the code itself
    assert code_label("relation", "cousin") == "cousin"
    assert label("members[3].relation") == label("members.relation") == "Quan hệ với chủ hộ"
    assert label("housing.durable.roof", "en") == "Durable roof"
    assert label("no.such.key") == "no.such.key"


# Answers.

def test_answers_of_a_record_in_vietnamese():
    record = base_record(quick_screen={"items": ["a1_car"], "stopped": False})
    sections = answers(record)
    assert [s["key"] for s in sections] == ["general", "interview", "quick_screen", "income", "members", "living",
                                            "other"]
    assert sections[4]["title"] == "Thành viên" and sections[4]["rows"] == []
    assert [b["title"] for b in sections[4]["blocks"]] == ["Thành viên 1: Thành viên 1", "Thành viên 2: Thành viên 2"]
    rows = all_rows(sections)
    assert rows["members[0].relation"] == {"path": "members[0].relation", "label": "Quan hệ với chủ hộ",
                                           "value": "Chủ hộ"}
    shown = values(sections)
    assert shown["members[1].relation"] == "Vợ/chồng"
    assert shown["members[0].ethnicity"] == "Tày"
    assert shown["members[0].health_insurance"] == "Có"
    assert shown["members[0].birth_date"] == "27/06/1990"
    assert shown["members[0].malnutrition"] == "—"
    assert shown["review_type"] == "Rà soát định kỳ"
    assert shown["interview.started_at"] == "05/10/2025 08:30"
    assert shown["interview.gps.lat"] == "—"
    assert shown["quick_screen.items"] == "Hộ có ô tô"
    assert shown["income.method"] == "Thu nhập thực tế 12 tháng qua (Phiếu C)"
    assert shown["income.annual_income_vnd"] == "240.000.000 đ"
    assert shown["housing.floor_area_m2"] == "60 m²"
    assert shown["housing.durable.roof"] == "Có"
    assert shown["water_source"] == "Nước máy"
    assert shown["toilet"] == "Hố xí tự hoại"
    assert shown["info_devices"] == "Ti vi"
    assert shown["flags.merit_person"] == "—"


def test_answers_in_english():
    record = base_record(poverty_causes=["lack_land", "illness_accident"], info_devices=[])
    record["members"][0]["disability"] = "severe"
    shown = values(answers(record, "en"))
    assert shown["members[0].relation"] == "Head of household"
    assert shown["members[0].disability"] == "Severe disability"
    assert shown["members[0].health_insurance"] == "Yes"
    assert shown["income.annual_income_vnd"] == "240,000,000 VND"
    assert shown["poverty_causes"] == "Lack of land for production, Illness or accident"
    assert shown["info_devices"] == "None"
    assert answers(record, "en")[4]["blocks"][1]["title"] == "Member 2: Thành viên 2"
    assert values(answers(record))["members[0].disability"] == "Khuyết tật nặng"


def test_unknown_keys_and_codes_are_shown_raw():
    record = base_record(note_from_phone="gọi lại", extra={"a": 1}, water_source="spring_water")
    record["members"][0]["nickname"] = "Ba"
    record["interview"]["gps"] = {"lat": 21.85, "lon": 106.76, "accuracy_m": 8, "altitude": 300}
    record["review_year"] = 1990  # no rule set: Phiếu A items shown as codes
    record["quick_screen"]["items"] = ["a1_car"]
    sections = answers(record)
    rows = all_rows(sections)
    assert rows["note_from_phone"]["value"] == "gọi lại" and rows["extra"]["value"] == "a: 1"
    assert [r["path"] for r in sections[-1]["rows"]][-2:] == ["note_from_phone", "extra"]
    assert rows["members[0].nickname"] == {"path": "members[0].nickname", "label": "members.nickname", "value": "Ba"}
    assert rows["interview.gps.altitude"]["value"] == "300"
    assert rows["interview.gps.accuracy_m"]["value"] == "8 m"
    assert rows["water_source"]["value"] == "spring_water"
    assert rows["quick_screen.items"]["value"] == "a1_car"


def test_answers_survive_a_malformed_record():
    record = base_record(members="not a list", housing=None, income={"method": "actual", "annual_income_vnd": "lots"},
                         interview={"started_at": "yesterday"})
    shown = values(answers(record))
    assert shown["members"] == "not a list"
    assert shown["housing.durable.walls"] == "—"
    assert shown["income.annual_income_vnd"] == "lots"
    assert shown["interview.started_at"] == "yesterday"


@pytest.mark.parametrize("key, value, lang, shown", [
    ("income.annual_income_vnd", 12_000_000, "vi", "12.000.000 đ"),
    ("income.annual_income_vnd", 12_000_000, "en", "12,000,000 VND"),
    ("income.annual_income_vnd", 0, "vi", "0 đ"),
    ("income.annual_income_vnd", 950, "vi", "950 đ"),
    ("housing.floor_area_m2", 1250.5, "vi", "1.250,5 m²"),
    ("housing.floor_area_m2", 1250.5, "en", "1,250.5 m²"),
    ("housing.floor_area_m2", 48.0, "vi", "48 m²"),
    ("members.birth_date", "1985-03-07", "vi", "07/03/1985"),
    ("members.birth_year", 1985, "vi", "1985"),
    ("review_year", 2025, "en", "2025"),
    ("interview.started_at", "2025-10-05T08:30:00+07:00", "vi", "05/10/2025 08:30"),
    # A time with an offset in Vietnam's time, as the page's other times; one without an offset as it was written.
    ("interview.started_at", "2025-10-05T01:30:00+00:00", "vi", "05/10/2025 08:30"),
    ("interview.started_at", "2025-10-05T01:30:00Z", "vi", "05/10/2025 08:30"),
    ("interview.ended_at", "2025-10-05T23:45:00-05:00", "en", "06/10/2025 11:45"),
    ("interview.ended_at", "2025-10-05T08:30:00", "vi", "05/10/2025 08:30"),
    ("internet_use", False, "vi", "Không"),
    ("internet_use", True, "en", "Yes"),
    ("support_needs", [], "vi", "Không có"),
    ("support_needs", None, "vi", "—"),
    ("support_needs", ["credit", "housing"], "vi", "Tín dụng, Nhà ở"),
    ("attachments", [{"name": "nha.jpg", "content_type": "image/jpeg", "sha256": "0" * 64}], "vi", "nha.jpg"),
    ("income.b1_items", {"household_size": "two", "toilet": "septic"}, "vi", "household_size: two; toilet: septic"),
])
def test_text_formats(key, value, lang, shown):
    assert text(key, value, lang) == shown


# Differences between versions.

def test_identical_records_and_new_ids_make_no_difference():
    old = base_record(supersedes=None)
    new = copy.deepcopy(old)
    assert diff(old, new) == []
    new["id"], new["supersedes"] = "3f1e0a55-8c55-4a4e-9f0e-2b4a1c0d9e11", old["id"]
    assert diff(old, new) == []


def test_diff_finds_a_changed_member_field():
    old = base_record()
    new = copy.deepcopy(old)
    new["members"][1]["employment"] = "unemployed"
    assert diff(old, new) == [{"path": "members[1].employment", "label": "Thành viên 2: Việc làm",
                               "old": "Tự làm, tự sản xuất kinh doanh",
                               "new": "Thất nghiệp (muốn làm việc nhưng không có việc)"}]
    assert diff(old, new, "en")[0]["label"] == "Member 2: Employment"


def test_diff_finds_a_changed_nested_bool():
    old = base_record()
    new = copy.deepcopy(old)
    new["housing"]["durable"]["roof"] = False
    assert diff(old, new) == [
        {"path": "housing.durable.roof", "label": "Mái nhà bền chắc", "old": "Có", "new": "Không"}]


def test_diff_finds_an_added_and_a_removed_member():
    old = base_record()
    new = copy.deepcopy(old)
    new["members"].append(person(3, relation="child", birth_year=2015, birth_date=None))
    added = diff(old, new)
    assert {r["path"] for r in added} == {f"members[2].{k}" for k, v in new["members"][2].items() if v is not None}
    assert all(r["label"].startswith("Thành viên 3: ") and r["old"] == "—" for r in added)
    assert {"path": "members[2].relation", "label": "Thành viên 3: Quan hệ với chủ hộ", "old": "—",
            "new": "Con"} in added
    removed = diff(new, old)
    assert [(r["path"], r["old"], r["new"]) for r in removed] == [(r["path"], r["new"], r["old"]) for r in added]


def test_diff_matches_members_by_line_not_place():
    old = base_record(members=[person(1), person(2), person(3, relation="child")])
    new = copy.deepcopy(old)
    del new["members"][1]
    rows = diff(old, new)
    assert {r["label"].split(":")[0] for r in rows} == {"Thành viên 2"}
    assert all(r["new"] == "—" for r in rows)


def test_diff_keeps_the_record_order_and_formats_values():
    old = base_record(review_type="periodic")
    new = copy.deepcopy(old)
    new["review_type"] = "regular"
    new["income"]["annual_income_vnd"] = 12_000_000
    new["members"][0]["health_insurance"] = False
    new["water_source"] = "surface"
    new["support_needs"] = ["health"]
    rows = diff(old, new)
    assert [r["path"] for r in rows] == ["review_type", "income.annual_income_vnd", "members[0].health_insurance",
                                         "water_source", "support_needs"]
    assert rows[1]["old"] == "240.000.000 đ" and rows[1]["new"] == "12.000.000 đ"
    assert rows[4] == {"path": "support_needs", "label": "Nhu cầu hỗ trợ", "old": "—", "new": "Y tế"}


def test_diff_shows_a_changed_interview_time_in_vietnams_time():
    old = base_record(interview={"enumerator": "u1", "started_at": "2025-10-05T08:30:00+07:00", "ended_at": None})
    new = copy.deepcopy(old)
    new["interview"]["started_at"] = "2025-10-05T02:00:00+00:00"  # a phone whose clock is set to UTC
    assert diff(old, new) == [{"path": "interview.started_at", "label": label("interview.started_at"),
                               "old": "05/10/2025 08:30", "new": "05/10/2025 09:00"}]


def test_diff_does_not_report_the_same_instant_written_in_another_offset():
    old = base_record(interview={"enumerator": "u1", "started_at": "2025-10-05T08:30:00+07:00", "ended_at": None})
    new = copy.deepcopy(old)
    new["interview"]["started_at"] = "2025-10-05T01:30:00+00:00"
    assert diff(old, new) == []
    new["interview"]["started_at"] = "2025-10-05T08:30:00"  # no offset: not known to be the same instant
    assert [row["path"] for row in diff(old, new)] == ["interview.started_at"]


def test_diff_treats_absent_and_null_alike_and_reports_unknown_keys():
    old = base_record(waste_handling=None)
    new = copy.deepcopy(old)
    del new["waste_handling"]
    new["gps_note"] = "near the school"
    assert diff(old, new) == [{"path": "gps_note", "label": "gps_note", "old": "—", "new": "near the school"}]


# Village records: labelled from forms/village/labels.json.

def village_record(**fields):
    """A village record as a phone sends it."""
    out = {"kind": "village", "id": "8d7c2f0e-4b1a-4c3e-9a57-0f1d2e3c4b5a", "supersedes": None,
           "form_version": "2025.1", "review_year": 2025, "commune_code": "06529", "village_code": "T-06529-01",
           "interview": {"enumerator": "u1", "started_at": "2025-10-05T08:30:00+07:00", "ended_at": None},
           "facts": {"has_road_to_centre": True, "road_impassable_in_rainy_season": False, "has_national_grid": True,
                     "households_off_grid": 1250, "village_roads_hardened_pct": 55.5,
                     "road_km_from_district_centre": 32.5, "workers": 400, "workers_untrained": 310},
           "note": "Đường lầy khi mưa."}
    out.update(fields)
    return out


def test_every_key_of_the_village_record_has_a_label_and_nothing_else_does():
    paths = [path for path, _ in contract_fields(VillageRecord())]
    assert {"kind", "note", "interview.started_at", "facts.households_off_grid"} <= set(paths)
    for path in paths:
        entry = labels("village")["keys"].get(path)
        assert entry and entry["vi"].strip() and entry["en"].strip(), path
    assert set(labels("village")["keys"]) == set(paths)
    assert [key for s in labels("village")["sections"] for key in s["keys"]] == list(VillageRecord().fields)
    for code in VillageRecord().fields["kind"].choices:
        assert code_label("kind", code, "vi", kind="village") != code


def test_answers_of_a_village_record_in_vietnamese():
    sections = answers(village_record())
    assert [s["title"] for s in sections] == ["Thông tin chung", "Phỏng vấn", "Số liệu của thôn", "Khác"]
    rows = all_rows(sections)
    assert rows["facts.has_road_to_centre"] == {"path": "facts.has_road_to_centre",
                                                "label": "Có đường ô tô đến trung tâm xã", "value": "Có"}
    assert rows["facts.road_impassable_in_rainy_season"]["label"] == "Mùa mưa đi lại rất khó khăn"
    assert rows["facts.households_off_grid"] == {"path": "facts.households_off_grid",
                                                 "label": "Số hộ chưa dùng điện lưới quốc gia", "value": "1.250"}
    assert rows["facts.village_roads_hardened_pct"]["label"] == "Tỷ lệ đường thôn được cứng hóa (%)"
    shown = values(sections)
    assert shown["kind"] == "Phiếu thôn"
    assert shown["facts.road_impassable_in_rainy_season"] == "Không"
    assert shown["facts.village_roads_hardened_pct"] == "55,5%"
    assert shown["facts.road_km_from_district_centre"] == "32,5 km"
    assert shown["facts.dtts_people_15_60_illiterate"] == "—"
    assert shown["interview.started_at"] == "05/10/2025 08:30"
    assert shown["note"] == "Đường lầy khi mưa."
    assert all(row["label"] != path for path, row in rows.items())  # nothing unlabelled
    english = values(answers(village_record(), "en"))
    assert english["facts.households_off_grid"] == "1,250" and english["facts.village_roads_hardened_pct"] == "55.5%"
    assert english["facts.has_national_grid"] == "Yes"


def test_unknown_keys_of_a_village_record_are_shown_raw():
    record = village_record(bridges=2)
    record["facts"]["ferries"] = 1
    rows = all_rows(answers(record))
    assert rows["bridges"] == {"path": "bridges", "label": "bridges", "value": "2"}
    assert rows["facts.ferries"]["label"] == "facts.ferries"


def test_label_without_a_kind_tries_each_kind():
    assert label("facts.has_national_grid") == "Có điện lưới quốc gia"
    assert label("members[0].relation") == "Quan hệ với chủ hộ"
    assert label("facts.has_national_grid", kind="household") == "facts.has_national_grid"


def test_diff_of_two_village_records_names_the_changed_fact():
    old = village_record()
    new = copy.deepcopy(old)
    new["id"], new["supersedes"] = "0b9e8f7a-6d5c-4b3a-8e2f-1a0b9c8d7e6f", old["id"]
    assert diff(old, new) == []
    new["facts"]["village_roads_hardened_pct"] = 70
    new["facts"]["has_national_grid"] = False
    assert diff(old, new) == [
        {"path": "facts.village_roads_hardened_pct", "label": "Tỷ lệ đường thôn được cứng hóa (%)",
         "old": "55,5%", "new": "70%"},
        {"path": "facts.has_national_grid", "label": "Có điện lưới quốc gia", "old": "Có", "new": "Không"}]
    assert diff(old, new, "en")[1]["label"] == "On the national grid"


def test_a_stopped_household_without_phieu_b_reads_not_asked_and_keeps_its_roster():
    record = base_record(quick_screen={"items": ["a1_car"], "stopped": True})
    for key in ("income", "housing", "water_source", "toilet", "internet_use", "info_devices"):
        del record[key]
    for member in record["members"]:
        for key in ("health_insurance", "schooling", "highest_diploma", "employment", "disability"):
            del member[key]
    rows = all_rows(answers(record))
    not_asked = {p for p, r in rows.items() if r.get("not_asked")}
    assert {"income.method", "housing.floor_area_m2", "toilet", "info_devices", "waste_handling", "flags.merit_person",
            "members[0].employment", "members[1].health_insurance", "members[1].pension"} <= not_asked
    assert all(rows[p]["value"] == "Không hỏi (hộ dừng ở Phiếu A)" for p in not_asked)
    assert all(not p.startswith(("interview", "quick_screen", "id", "commune_code")) for p in not_asked)
    assert rows["members[0].ethnicity"]["value"] == "Tày" and rows["members[1].relation"]["value"] == "Vợ/chồng"
    assert "not_asked" not in rows["members[0].id_number"] and rows["members[0].id_number"]["value"] == "—"
    english = all_rows(answers(record, "en"))
    assert english["toilet"]["value"] == "Not asked (the household stopped at Form A)"
    # a household not stopped shows an unanswered question as "—", never "not asked"
    full = base_record()
    del full["toilet"]
    assert all_rows(answers(full))["toilet"] == {"path": "toilet", "label": label("toilet"), "value": "—"}
