"""The demo households: a pure function of the rule sets (no database), the same records on every call.

`demo_forms()` makes fictitious families of Lạng Sơn's ethnic groups in the three demo villages, over review years
2025 and 2026, whose answers are built from the rule set of their year (its income lines, its point threshold, its
indicators' parameters) and checked with the rule engine, so a demo household's class is the engine's, never a
number typed here. A fixed seed and ids made with uuid5 make every call produce the same records.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from server.poverty import classify, rule_set_for_year, validate_record
from server.poverty.codes import TOILETS, WATER_SOURCES
from server.poverty.places import commune
from server.submissions.operations import name_key

DEMO_COMMUNE = "06529"  # Xã Lộc Bình, Lạng Sơn
# Resident households (and persons) of each demo village in both demo years: the denominators of every rate.
DEMO_VILLAGES = f"""commune_code,village_code,name,households_2025,persons_2025,households_2026,persons_2026,\
in_dtts_mn_area,is_especially_difficult
{DEMO_COMMUNE},DEMO-{DEMO_COMMUNE}-01,DEMO Thôn Nà Pàn,120,498,122,503,1,0
{DEMO_COMMUNE},DEMO-{DEMO_COMMUNE}-02,DEMO Bản Khuổi Luông,85,371,86,369,1,1
{DEMO_COMMUNE},DEMO-{DEMO_COMMUNE}-03,DEMO Khu phố Chợ,210,742,213,751,0,0
"""
VILLAGE_NAMES = {row["village_code"]: row["name"] for row in csv.DictReader(io.StringIO(DEMO_VILLAGES))}


def village_code(number: int) -> str:
    """The code of demo village 1, 2 or 3."""
    return f"DEMO-{DEMO_COMMUNE}-{number:02d}"


# (username, role, unit, full name); the enumerators each survey their own village.
DEMO_USERS = (
    ("demo-enumerator", "enumerator", village_code(1), "DEMO Cán bộ thôn"),
    ("demo-enumerator-2", "enumerator", village_code(2), "DEMO Cán bộ bản Khuổi Luông"),
    ("demo-enumerator-3", "enumerator", village_code(3), "DEMO Cán bộ khu phố Chợ"),
    ("demo-supervisor", "supervisor", DEMO_COMMUNE, "DEMO Cán bộ xã"),
    ("demo-officer", "officer", None, "DEMO Cán bộ Sở"),  # None: the configured province
    ("demo-admin", "admin", None, "DEMO Quản trị"),
)
ENUMERATOR_OF = {village_code(1): "demo-enumerator", village_code(2): "demo-enumerator-2",
                 village_code(3): "demo-enumerator-3"}
SUPERVISOR = "demo-supervisor"

# Never change these: they make the records' ids and answers, so a re-run finds what an earlier run stored.
DEMO_NAMESPACE = uuid.UUID("5b1f3f0e-6a3c-4d0e-9c61-d3e0a5d2c7a1")
SEED = "rasoat-demo-1"
YEARS = (2025, 2026)
FORM_VERSION = "demo-1"
VN = timezone(timedelta(hours=7))
SHORT_INTERVIEW_MINUTES = 5  # under the queue's minimum (MIN_INTERVIEW_MINUTES, 15 by default)

# A form's path through the procedure (server/submissions/lifecycle.py), by a short key.
PATHS = {
    "S": ("submitted",),
    "T": ("submitted", "returned"),
    "RS": ("submitted", "returned", "resubmitted"),
    "A": ("submitted", "approved"),
    "AG": ("submitted", "approved", "agreed"),
    "RV": ("submitted", "approved", "resurvey"),
    "R": ("submitted", "approved", "agreed", "recognised"),
    "R*": ("submitted", "returned", "resubmitted", "approved", "agreed", "recognised"),
}

# The households: (village, number, ethnic group of the head, {review year: (class, path)}). The same household
# code links the two years: some escape poverty, some become poor, one is new in 2026 (a son's own household),
# one moved away after 2025.
HOUSEHOLDS = (
    (1, 1, "tay", {2025: ("poor", "R"), 2026: ("near_poor", "S")}),
    (1, 2, "nung", {2025: ("poor", "R"), 2026: ("poor", "S")}),  # posted twice in 2026 (DUPLICATE)
    (1, 3, "tay", {2025: ("near_poor", "R*"), 2026: ("middle", "T")}),
    (1, 4, "kinh", {2025: ("middle", "A"), 2026: ("poor", "RS")}),
    (1, 5, "nung", {2025: ("not_poor", "A"), 2026: ("not_poor", "S")}),  # a 5-minute interview in 2026
    (1, 6, "tay", {2025: ("near_poor", "R"), 2026: ("near_poor", "A")}),
    (1, 7, "tay", {2026: ("near_poor", "S")}),
    (2, 1, "dao", {2025: ("poor", "R"), 2026: ("poor", "AG")}),
    (2, 2, "mong", {2025: ("poor", "R"), 2026: ("near_poor", "AG")}),
    (2, 3, "dao", {2025: ("poor", "R*"), 2026: ("poor", "A")}),
    (2, 4, "nung", {2025: ("near_poor", "R"), 2026: ("poor", "RV")}),
    (2, 5, "mong", {2025: ("middle", "A"), 2026: ("middle", "RS")}),
    (2, 6, "tay", {2025: ("not_poor", "A"), 2026: ("near_poor", "T")}),
    (2, 7, "dao", {2026: ("poor", "S")}),
    (3, 1, "kinh", {2025: ("not_poor", "A"), 2026: ("not_poor", "A")}),
    (3, 2, "kinh", {2025: ("middle", "A"), 2026: ("not_poor", "A")}),
    (3, 3, "san_chay", {2025: ("near_poor", "R"), 2026: ("middle", "R")}),
    (3, 4, "tay", {2025: ("not_poor", "A"), 2026: ("poor", "R")}),
    (3, 5, "san_chay", {2025: ("middle", "A"), 2026: ("near_poor", "AG")}),
    (3, 6, "nung", {2025: ("poor", "R"), 2026: ("near_poor", "R*")}),
    (3, 7, "kinh", {2025: ("near_poor", "R")}),
)
DUPLICATE = (2026, "DEMO-01-002")
SHORT_INTERVIEW = (2026, "DEMO-01-005")
# Forms sent back with a comment at a field: the kind of slip the first version has.
SLIPS = {(2025, "DEMO-01-003"): "floor_area", (2025, "DEMO-02-003"): "schooling",
         (2026, "DEMO-01-003"): "insurance", (2026, "DEMO-01-004"): "schooling",
         (2026, "DEMO-02-005"): "insurance", (2026, "DEMO-02-006"): "floor_area",
         (2026, "DEMO-03-006"): "floor_area"}
# Village centres (lat, lon), near Lộc Bình; households lie within a few hundred metres.
CENTRES = {1: (21.7752, 106.9043), 2: (21.7189, 106.9812), 3: (21.7573, 106.9215)}

SURNAMES = {"tay": ("Hoàng", "Nông", "Hà", "Lương", "Vi", "Lộc"), "nung": ("Hoàng", "Lăng", "Chu", "Mã", "Lục"),
            "kinh": ("Nguyễn", "Trần", "Phạm", "Đỗ", "Lê"), "dao": ("Triệu", "Bàn", "Lý", "Đặng"),
            "mong": ("Giàng", "Vàng", "Thào", "Lầu"), "san_chay": ("Lâm", "Trương", "Sầm", "Lưu")}
MIDDLE = {"male": {"mong": "A"}, "female": {}}
GIVEN = {"male": ("An", "Bình", "Cường", "Dũng", "Hải", "Khoa", "Long", "Minh", "Nam", "Phúc", "Quang", "Sơn",
                  "Tâm", "Thành", "Vinh", "Đức"),
         "female": ("Hoa", "Lan", "Mai", "Nga", "Thảo", "Hương", "Liên", "Nhung", "Quyên", "Trang", "Yến",
                    "Xuân")}
# Spouses sometimes come from a neighbouring group.
NEIGHBOURS = {"tay": ("nung", "kinh"), "nung": ("tay",), "kinh": ("tay",), "dao": ("nung",), "mong": ("dao",),
              "san_chay": ("tay", "kinh")}


@dataclass
class DemoForm:
    """One demo form: its versions (the record as the phone posts it), its path and what the supervisor says."""

    year: int
    village: str
    household_code: str
    poverty_class: str
    path: tuple[str, ...]
    versions: list[dict]
    enumerator: str
    slip: dict | None = None       # {"field_path", "comment"} for a form returned with a comment at a field
    duplicate: bool = False        # the second copy of a household posted twice
    short_interview: bool = False

    @property
    def id(self) -> str:
        """The form's identity: its first version's id."""
        return self.versions[0]["id"]


def demo_id(*parts) -> str:
    """A stable record id for a demo version."""
    return str(uuid.uuid5(DEMO_NAMESPACE, "/".join(map(str, parts))))


def _params(rule_set, kind: str) -> dict | None:
    """The parameter values of the rule set's indicator of this kind, or None when it has none."""
    for ind in rule_set.data["indicators"]:
        if ind["kind"] == kind:
            return {name: p["value"] for name, p in ind.get("params", {}).items()}
    return None


def _band(bands, age: int, key: str):
    """The accepted codes of the age band holding `age`, or None."""
    for band in bands:
        if band["min_age"] <= age <= band["max_age"]:
            return band[key]
    return None


@dataclass
class _Person:
    """A family member as a fixed fact (name, sex, birth year); answers are made per review year."""

    name: str
    relation: str
    sex: str
    birth_year: int
    ethnicity: str
    farmer: bool = True
    student: bool = False


@dataclass
class _Family:
    household_code: str
    village: int
    people: list[_Person]
    centre: tuple[float, float]
    rng_seed: str


def _name(rng, surname: str, sex: str, ethnicity: str) -> str:
    middle = MIDDLE[sex].get(ethnicity, "Văn" if sex == "male" else "Thị")
    return f"DEMO {surname} {middle} {rng.choice(GIVEN[sex])}"


def _family(village: int, number: int, ethnicity: str, heads: set) -> _Family:
    """A fictitious family, the same for both review years."""
    code = f"DEMO-{village:02d}-{number:03d}"
    rng = random.Random(f"{SEED}/{code}")
    surname = rng.choice(SURNAMES[ethnicity])
    head_sex = "male" if rng.random() < 0.8 else "female"
    while True:  # no two heads share a name and birth year: only the planted duplicate is one
        head = _Person(_name(rng, surname, head_sex, ethnicity), "head", head_sex, rng.randint(1967, 1992), ethnicity)
        key = (name_key(head.name), head.birth_year)  # as the queue's duplicate flag compares them
        if key not in heads:
            heads.add(key)
            break
    people = [head]
    if rng.random() < 0.85:
        sex = "female" if head_sex == "male" else "male"
        group = ethnicity if rng.random() < 0.75 else rng.choice(NEIGHBOURS[ethnicity])
        spouse_surname = rng.choice(SURNAMES[group])
        people.append(_Person(_name(rng, spouse_surname, sex, group), "spouse", sex,
                              head.birth_year + rng.randint(-2, 5), group))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        sex = rng.choice(("male", "female"))
        born = rng.randint(max(head.birth_year + 20, 2003), 2023)
        people.append(_Person(_name(rng, surname, sex, ethnicity), "child", sex, born, ethnicity, farmer=False,
                              student=rng.random() < 0.5))
    if rng.random() < 0.3:
        sex = rng.choice(("male", "female"))
        people.append(_Person(_name(rng, surname if sex == "male" else rng.choice(SURNAMES[ethnicity]), sex,
                                    ethnicity), "parent", sex, rng.randint(1938, 1955), ethnicity, farmer=False))
    centre = CENTRES[village]
    return _Family(code, village, people, centre, f"{SEED}/{code}")


def _dependants_over(rule_set, people: list[_Person], year: int) -> bool:
    p = _params(rule_set, "dependants")
    if p is None:
        return False
    count = sum(1 for m in people if year - m.birth_year < p["child_under_age"]
                or year - m.birth_year >= p["elderly_min_age"])
    return count * 100 > p["share_above_pct"] * len(people)


def _fit(family: _Family) -> None:
    """Drop the youngest dependants until they are no more than the rule set's share in every year."""
    while any(_dependants_over(rule_set_for_year(y), family.people, y) for y in YEARS) and len(family.people) > 1:
        children = [m for m in family.people if m.relation in ("child", "parent")]
        family.people.remove(max(children, key=lambda m: m.birth_year) if children else family.people[-1])


def _member(rule_set, person: _Person, line: int, age: int, rng) -> dict:
    """A member's answers in a review year, with no deficit (the rule set's own codes)."""
    schooling_p = _params(rule_set, "child_schooling") or {}
    education_p = _params(rule_set, "adult_education") or {}
    nutrition_p = _params(rule_set, "nutrition") or {}
    employment_p = _params(rule_set, "employment") or {}
    deprived_jobs = set(employment_p.get("deprived_employment", ()))
    out = {"line": line, "name": person.name, "relation": person.relation, "sex": person.sex,
           "birth_year": person.birth_year, "ethnicity": person.ethnicity, "health_insurance": True,
           "schooling": "not_attending", "school_level": None, "highest_diploma": "none",
           "employment": "not_in_labour_force", "disability": "none"}
    levels = _band(schooling_p.get("levels_by_age", ()), age, "levels")
    diplomas = _band(education_p.get("bands", ()), age, "diplomas")
    if levels is not None:  # a child of school age: at school, at a level right for the age
        out.update(schooling="attending", school_level=levels[0],
                   highest_diploma="primary" if levels[0] == "lower_secondary" else "none")
    elif diplomas is not None:  # a young adult: has the diploma the age needs, or is in training
        out["highest_diploma"] = diplomas[0]
        if person.student:
            out.update(schooling="attending", school_level="college" if age >= 18 else "upper_secondary")
            if age < 18:
                out["highest_diploma"] = "lower_secondary" if "lower_secondary" in diplomas else diplomas[0]
        else:
            job = "self_employed" if person.farmer or age < 18 else "wage_with_contract"
            out["employment"] = job if job not in deprived_jobs else "self_employed"
    elif age >= 18:
        out["highest_diploma"] = rng.choice(("primary", "lower_secondary", "lower_secondary", "upper_secondary"))
        if person.farmer:
            out["employment"] = "self_employed" if "self_employed" not in deprived_jobs else "wage_with_contract"
        if person.relation == "parent":
            out["social_allowance"] = age >= 80
    if age < nutrition_p.get("child_under_age", 0):
        out["malnutrition"] = "none"
    return out


# The answers that make a household deprived on one indicator kind, from the kind's parameters.
def _lever_water(rec, p, rng):
    rec["water_source"] = rng.choice([c for c in WATER_SOURCES if c not in p["safe_sources"] and c != "other"])


def _lever_toilet(rec, p, rng):
    rec["toilet"] = rng.choice([c for c in TOILETS if c not in p["hygienic_toilets"] and c != "other"])


def _lever_internet(rec, p, rng):
    rec["internet_use"] = False


def _lever_info_devices(rec, p, rng):
    rec["info_devices"] = []


def _lever_housing_quality(rec, p, rng):
    for part in ("foundation", "walls", "roof")[:p["min_non_durable_parts"]]:
        rec["housing"]["durable"][part] = False


def _lever_floor_area(rec, p, rng):
    size = len(rec["members"])
    rec["housing"]["floor_area_m2"] = max(4, math.ceil(p["min_m2_per_person"] * size) - rng.randint(2, 2 + size))


def _lever_health_insurance(rec, p, rng):
    rec["members"][0]["health_insurance"] = False  # the head, an adult


LEVERS = {"water": _lever_water, "toilet": _lever_toilet, "internet": _lever_internet,
          "info_devices": _lever_info_devices, "housing_quality": _lever_housing_quality,
          "floor_area": _lever_floor_area, "health_insurance": _lever_health_insurance}


def _record(family: _Family, year: int, poverty_class: str, *, record_id: str, started: datetime,
            minutes: int, enumerator: str, rng, max_near_poor_deficits: int) -> dict:
    """The household's record for a review year, built so that the rule set of the year gives `poverty_class`."""
    rule_set = rule_set_for_year(year)
    place = commune(DEMO_COMMUNE)
    area = rule_set.area_by_division_type[place[0]]
    ages = [year - m.birth_year for m in family.people]
    members = [_member(rule_set, m, i + 1, age, rng) for i, (m, age) in enumerate(zip(family.people, ages))]
    size = len(members)
    water, toilet = _params(rule_set, "water") or {}, _params(rule_set, "toilet") or {}
    devices = (_params(rule_set, "info_devices") or {}).get("devices", ["tv", "smartphone"])
    floor = _params(rule_set, "floor_area") or {"min_m2_per_person": 0}
    lat, lon = family.centre
    rec = {
        "id": record_id, "form_version": FORM_VERSION, "review_year": year, "review_type": "periodic",
        "commune_code": DEMO_COMMUNE, "village_code": village_code(family.village),
        "household_code": family.household_code,
        "interview": {"enumerator": enumerator, "started_at": started.isoformat(),
                      "ended_at": (started + timedelta(minutes=minutes)).isoformat(),
                      "gps": {"lat": round(lat + rng.uniform(-0.003, 0.003), 6),
                              "lon": round(lon + rng.uniform(-0.003, 0.003), 6), "accuracy_m": rng.randint(5, 20)}},
        "quick_screen": {"items": [], "stopped": False},
        "members": members,
        "housing": {"floor_area_m2": math.ceil(floor["min_m2_per_person"] * size) + rng.randint(12, 50),
                    "durable": {"foundation": True, "walls": True, "roof": True}},
        "water_source": rng.choice(water.get("safe_sources", ["piped"])),
        "toilet": rng.choice(toilet.get("hygienic_toilets", ["septic"])),
        "internet_use": True, "info_devices": rng.sample(devices, min(len(devices), rng.randint(1, 2))),
    }
    # The deficits: at least the rule set's minimum for a poor household, fewer for a near-poor one.
    available = [ind["kind"] for ind in rule_set.data["indicators"] if ind["kind"] in LEVERS]
    least = rule_set.poor_min_deficits
    if poverty_class == "poor":
        count = rng.randint(least, min(least + 2, len(available)))
    elif poverty_class == "near_poor":
        count = rng.randint(0, min(least - 1, max_near_poor_deficits))
    else:
        count = rng.randint(0, min(2, least - 1))
    for kind in rng.sample(available, count):
        LEVERS[kind](rec, _params(rule_set, kind), rng)
    # The income, from the rule set's line and middle band for the area.
    line, upper = rule_set.lines[area], rule_set.middle_upper[area]
    if poverty_class in ("poor", "near_poor"):
        rec["poverty_causes"] = rng.sample(["lack_land", "lack_capital", "lack_labour", "lack_knowledge",
                                            "lack_skills", "illness_accident"], rng.randint(1, 2))
        rec["support_needs"] = rng.sample(["health", "education", "production", "credit", "housing"],
                                          rng.randint(1, 2))
        if rng.random() < 0.5 and rule_set.b1_thresholds.get(area) is not None:  # Phiếu B: points
            rec["income"] = {"method": "points", "b1_points": rule_set.b1_thresholds[area] - rng.randint(5, 40)}
        else:
            per_person = math.floor(line * rng.uniform(0.5, 0.95) / 1000) * 1000
            rec["income"] = {"method": "actual", "annual_income_vnd": per_person * 12 * size}
    elif poverty_class == "middle":  # Phiếu C: actual income of the last 12 months
        per_person = line + math.ceil((upper - line) * rng.uniform(0.15, 0.85) / 1000) * 1000
        rec["income"] = {"method": "actual", "annual_income_vnd": min(per_person, upper) * 12 * size}
        rec["flags"] = {"middle_income_agricultural": rng.random() < 0.6}
    else:
        per_person = math.ceil(upper * rng.uniform(1.25, 2.5) / 1000) * 1000
        rec["income"] = {"method": "actual", "annual_income_vnd": per_person * 12 * size}
        if rng.random() < 0.5:  # stopped by Phiếu A: the fewest items of its definition that stop it
            form = rule_set.quick_screen
            group = min(form.data["groups"], key=lambda g: g["stop_if_at_least"]["value"])
            items = [item["code"] for item in group["items"][:group["stop_if_at_least"]["value"]]]
            if form.stops(items):
                rec["quick_screen"] = {"items": items, "stopped": True}
    return rec


def _slip(kind: str, rec: dict) -> tuple[dict, dict]:
    """The first version with a slip of this kind, and the supervisor's comment at the field."""
    v1 = copy_record(rec)
    size = len(rec["members"])
    if kind == "schooling":
        i = next((i for i, m in enumerate(rec["members"])
                  if m["schooling"] == "attending" and rec["review_year"] - m["birth_year"] < 16), None)
        if i is None:
            kind = "floor_area"
        else:
            m = v1["members"][i]
            m.update(schooling="not_attending", school_level=None)
            age = rec["review_year"] - m["birth_year"]
            return v1, {"field_path": f"members[{i}].schooling",
                        "comment": f"DEMO: Trường báo cháu {m['name']} ({age} tuổi) vẫn đi học; kiểm tra lại. / "
                                   f"The school says this child ({age}) attends; please check."}
    if kind == "insurance":
        i = 1 if size > 1 else 0
        v1["members"][i]["health_insurance"] = False
        return v1, {"field_path": f"members[{i}].health_insurance",
                    "comment": f"DEMO: Danh sách BHYT của xã có thẻ còn hạn của {rec['members'][i]['name']}; kiểm "
                               "tra lại. / The commune's list shows a valid health-insurance card; please check."}
    area = rec["housing"]["floor_area_m2"]
    v1["housing"]["floor_area_m2"] = max(1, round(area / 10))
    return v1, {"field_path": "housing.floor_area_m2",
                "comment": f"DEMO: Diện tích {v1['housing']['floor_area_m2']} m² cho {size} người có đúng không? "
                           f"Đo lại giúp. / Is {v1['housing']['floor_area_m2']} m² for {size} people right? "
                           "Please measure again."}


def copy_record(rec: dict) -> dict:
    """A deep copy of a record, so a post or a step never changes the generated one."""
    return copy.deepcopy(rec)


def _class_of(rec: dict) -> str:
    return classify(validate_record(rec))["class"]


def demo_forms() -> list[DemoForm]:
    """Every demo form, the same on every call (a fixed seed; ids by uuid5). Pure: no database."""
    forms, heads = [], set()
    families = {}
    for village, number, ethnicity, years in HOUSEHOLDS:
        family = _family(village, number, ethnicity, heads)
        _fit(family)
        families[family.household_code] = family
    for village, number, ethnicity, years in HOUSEHOLDS:
        family = families[f"DEMO-{village:02d}-{number:03d}"]
        for year, (poverty_class, path_key) in sorted(years.items()):
            key = (year, family.household_code)
            rng = random.Random(f"{family.rng_seed}/{year}")
            # Interviews in the periodic review (from September), in daytime, never after late November.
            day = date(year, 9, 8) + timedelta(days=rng.randint(0, 70))
            started = datetime(day.year, day.month, day.day, rng.randint(7, 15), rng.choice((0, 15, 30, 45)),
                               tzinfo=VN)
            minutes = SHORT_INTERVIEW_MINUTES if key == SHORT_INTERVIEW else rng.randint(35, 80)
            path = PATHS[path_key]
            enumerator = ENUMERATOR_OF[village_code(village)]
            slip_kind = SLIPS.get(key)
            first_id = demo_id(year, family.household_code, 1)
            final = _record(family, year, poverty_class, record_id=first_id, started=started, minutes=minutes,
                            enumerator=enumerator, rng=rng, max_near_poor_deficits=1 if slip_kind else 2)
            slip = None
            versions = [final]
            if slip_kind:
                v1, slip = _slip(slip_kind, final)
                if "resubmitted" in path:  # the enumerator's correction: the record as it should be
                    v2 = copy_record(final)
                    v2["id"], v2["supersedes"] = demo_id(year, family.household_code, 2), first_id
                    versions = [v1, v2]
                else:
                    versions = [v1]
            got = _class_of(versions[-1])
            if got != poverty_class:
                raise RuntimeError(f"demo household {key} is {got}, not {poverty_class}: fix server/demo/households.py")
            forms.append(DemoForm(year, village_code(village), family.household_code, poverty_class, path, versions,
                                  enumerator, slip=slip, short_interview=key == SHORT_INTERVIEW))
            if key == DUPLICATE:  # the same household posted again under another id, the next day
                again = copy_record(final)
                again["id"] = demo_id(year, family.household_code, "copy")
                for k in ("started_at", "ended_at"):
                    again["interview"][k] = (datetime.fromisoformat(final["interview"][k])
                                             + timedelta(days=1)).isoformat()
                forms.append(DemoForm(year, village_code(village), family.household_code, poverty_class,
                                      PATHS["S"], [again], enumerator, duplicate=True))
    return forms
