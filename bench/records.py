"""Generate realistic fabricated household records for Lạng Sơn (benchmark data, not survey data).

    python bench/records.py 200000 [--seed 1] > records.jsonl
    python bench/records.py 10000 --edge > edge.jsonl     # every rule set, method, area and boundary (see edge_records)

The mixes below are rough impressions of a mountain province, chosen so records look like field data; they
are not statistics and nothing official is derived from them.
"""
import argparse
import json
import random
import sys
import uuid
from datetime import date, timedelta

from vietnam_provinces import ProvinceCode, Ward

# Rough ethnic mix of Lạng Sơn households (Nùng and Tày the largest groups), for realism only.
ETHNIC_MIX = {"nung": 42, "tay": 35, "kinh": 16, "dao": 3.5, "san_chay": 1, "hoa": 1, "mong": 1, "san_diu": 0.5}
SIZE_MIX = {1: 6, 2: 12, 3: 16, 4: 22, 5: 18, 6: 11, 7: 6, 8: 4, 9: 2, 10: 1.5, 11: 1, 12: 0.5}
WATER_MIX = {"piped": 35, "protected_spring": 20, "protected_well": 12, "borehole": 8, "rainwater": 3,
             "bottled": 2, "unprotected_spring": 10, "unprotected_well": 5, "surface": 4, "other": 1}
TOILET_MIX = {"septic": 35, "semi_septic": 15, "pour_flush": 10, "ventilated_pit": 5, "double_vault": 5,
              "unimproved_pit": 20, "hanging": 3, "none": 5, "other": 2}
QUICK_SCREEN_ITEMS = ["a1_regular_salary", "a1_car", "a1_large_solid_house", "a2_air_conditioner",
                      "a2_washing_machine", "a2_water_heater"]
INTERVIEW_DAYS = [date(2025, 9, 1) + timedelta(days=d) for d in range(105)]  # the periodic review, Sept-Dec


def pick(rng, mix):
    """A weighted choice from {value: weight}."""
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def communes():
    """Lạng Sơn's commune codes (5 digits) from the national unit list."""
    return sorted(f"{int(w.code):05d}" for w in Ward.iter_by_province(ProvinceCode.P_20))


def member(rng, line, relation, age, sex, ethnicity, day):
    """One member whose answers fit their age."""
    born = day - timedelta(days=age * 365 + rng.randrange(365))
    out = {"line": line, "name": f"Thành viên {line} Hộ {rng.randrange(10**6):06d}", "relation": relation,
           "sex": sex, "ethnicity": ethnicity, "health_insurance": rng.random() < 0.92,
           "disability": "none" if rng.random() < 0.95 else rng.choice(["mild", "severe", "very_severe"])}
    if rng.random() < 0.1:
        out["birth_year"] = born.year
    else:
        out["birth_date"] = born.isoformat()
    if age >= 14:
        out["id_number"] = f"020{rng.randrange(10**9):09d}"
    if 3 <= age < 16:
        level = "preschool" if age < 6 else "primary" if age < 11 else "lower_secondary"
        attending = rng.random() < 0.93
        out.update(schooling="attending" if attending else "not_attending", school_level=level if attending else None,
                   highest_diploma="none" if age < 11 else "primary", employment="not_in_labour_force",
                   malnutrition="none" if rng.random() < 0.9 else rng.choice(["stunted", "underweight"]))
    elif age < 3:
        out.update(schooling="not_attending", highest_diploma="none", employment="not_in_labour_force",
                   malnutrition="none" if rng.random() < 0.9 else "stunted")
    else:
        out.update(schooling="attending" if age < 23 and rng.random() < 0.3 else "not_attending",
                   highest_diploma=rng.choice(["primary", "lower_secondary", "upper_secondary", "upper_secondary",
                                               "vocational", "college"]),
                   employment="not_in_labour_force" if age > 65 else rng.choice(
                       ["self_employed", "self_employed", "self_employed", "wage_with_contract",
                        "wage_without_contract", "unemployed"]),
                   pension=age > 60 and rng.random() < 0.15)
    return out


def household(rng, codes, index, size=None, year=2025):
    """One fabricated household record, valid under the 2022-2026 rule set; `size` members, else a drawn size."""
    day = rng.choice(INTERVIEW_DAYS)
    if year != 2025:  # the same draws, in another review year (Sept-Dec has no 29 February)
        day = day.replace(year=year)
    size = pick(rng, SIZE_MIX) if size is None else size
    ethnicity = pick(rng, ETHNIC_MIX)
    head_age = rng.randint(22, 80)
    members = [member(rng, 1, "head", head_age, rng.choice(["male", "male", "female"]), ethnicity, day)]
    for line in range(2, size + 1):
        relation = "spouse" if line == 2 and rng.random() < 0.85 else rng.choice(
            ["child", "child", "child", "grandchild", "parent", "child_in_law", "sibling", "other"])
        age = {"spouse": head_age + rng.randint(-5, 5), "parent": head_age + rng.randint(20, 30)}.get(
            relation, max(0, head_age - rng.randint(18, 45)) if relation != "grandchild" else rng.randint(0, 12))
        mixed = ethnicity if rng.random() < 0.85 else pick(rng, ETHNIC_MIX)
        members.append(member(rng, line, relation, min(max(age, 0), 99), rng.choice(["male", "female"]), mixed, day))
    items = rng.sample(QUICK_SCREEN_ITEMS, rng.choice([0] * 17 + [1, 2, 3]))
    if rng.random() < 0.7:
        income = {"method": "points", "b1_points": max(0, int(rng.gauss(185, 45)))}
    else:
        income = {"method": "actual", "annual_income_vnd": int(size * 12 * rng.lognormvariate(14.9, 0.5))}
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "form_version": "2025.1",
        "review_year": year, "review_type": "periodic", "commune_code": rng.choice(codes),
        "village_code": f"T-{index % 1700:04d}", "household_code": f"HH{index:07d}",
        "interview": {"enumerator": f"u{rng.randrange(2000)}",
                      "started_at": f"{day.isoformat()}T{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}:00+07:00",
                      "gps": {"lat": round(21.5 + rng.random(), 6), "lon": round(106.2 + rng.random(), 6),
                              "accuracy_m": round(rng.uniform(3, 40), 1)}},
        "quick_screen": {"items": items, "stopped": _stops(items)},
        "income": income, "members": members,
        "housing": {"floor_area_m2": round(rng.uniform(12, 160), 1),
                    "durable": {p: rng.random() < 0.85 for p in ("foundation", "walls", "roof")}},
        "water_source": pick(rng, WATER_MIX), "toilet": pick(rng, TOILET_MIX),
        "internet_use": rng.random() < 0.8,
        "info_devices": rng.sample(["tv", "radio", "smartphone", "computer"], rng.choice([0, 1, 1, 2, 2, 3])),
        "flags": {"merit_person": rng.random() < 0.03, "social_protection": rng.random() < 0.08},
        "poverty_causes": rng.sample(["lack_land", "lack_capital", "lack_labour", "illness_accident"],
                                     rng.choice([0, 0, 1, 2])),
    }


def _stops(items):
    """The phone's verdict under the shipped Phiếu A placeholder: any a1 item, or three a2 items."""
    return any(i.startswith("a1_") for i in items) or sum(i.startswith("a2_") for i in items) >= 3


def make_records(n, seed=1, size=None):
    """Return n fabricated records, the same for the same seed; `size` fixes the number of members."""
    rng = random.Random(seed)
    codes = communes()
    return [household(rng, codes, i, size) for i in range(n)]


# Boundaries the rule files put figures on (read from the rule files in edge_records, never typed here).
EDGE_AGES = (0, 2, 3, 4, 5, 6, 9, 10, 11, 13, 14, 15, 16, 17, 18, 30, 31, 55, 56, 57, 59, 60, 61, 62)
ALL_QUICK_SCREEN_ITEMS = QUICK_SCREEN_ITEMS + ["a2_high_value_equipment", "a2_high_value_vehicle"]


def edge_records(n, seed=1):
    """n records that reach every branch of the rule engine, for the differential test of the two engines.

    Review years 2022-2030 (both rule sets); both income methods (points under 2027-2030 is refused by the engine);
    rural and urban communes, with `area` given, absent or contradicting the commune; Phiếu A stops and phones that
    disagree with the definition; birth years alone; ages on each birthday (the day before, on, after), at the
    interview date or around 1 July; incomes, B1 totals and floor areas exactly on the rule files' lines and one
    unit either side; unanswered optional answers; interview times in several offsets; households the screen stopped
    sent without Phiếu B (most of them, as the form sends them). Valid under the contract
    (validate_record accepts every one but the few lacking an answer a rule set needs, e.g. waste_handling).
    """
    from server.poverty import load_rule_set
    rules = {name: load_rule_set(name) for name in ("2022-2026", "2027-2030")}
    rng = random.Random(seed)
    skip_rng = random.Random(f"skip-phieu-b-{seed}")  # its own draws: the other records stay as they were
    codes = communes()
    urban = [c for c in codes if c in URBAN_LANG_SON]
    out = []
    for i in range(n):
        year = rng.randint(2022, 2030)
        rule_set = rules["2022-2026" if year <= 2026 else "2027-2030"]
        r = household(rng, codes, i, rng.choice([None, None, 1, 2, 3, 4, 8]), year)
        if rng.random() < 0.3:
            r["commune_code"] = rng.choice(urban)
        if rng.random() < 0.25:
            r["area"] = rng.choice(["rural", "urban"])
        _edge_interview(rng, r)
        _edge_members(rng, r, rule_set)
        _edge_income(rng, r, rule_set)
        _edge_living(rng, r, rule_set)
        items = rng.sample(ALL_QUICK_SCREEN_ITEMS, rng.choice([0] * 16 + [1, 2, 3, 4]))
        stopped = _stops(items)
        r["quick_screen"] = {"items": items, "stopped": (not stopped) if rng.random() < 0.05 else stopped}
        if r["quick_screen"]["stopped"] and skip_rng.random() < 0.6:
            _skip_phieu_b(skip_rng, r)
        out.append(r)
    return out


def _skip_phieu_b(rng, r):
    """A household the screen stopped, as the form sends it: Phiếu B not asked, its answers absent (or null)."""
    from server.poverty.schema import PHIEU_B_MEMBER, PHIEU_B_RECORD
    optional = ("school_level", "malnutrition", "pension", "social_allowance")
    for keys, target in [(PHIEU_B_RECORD + ("waste_handling",), [r])] + [(PHIEU_B_MEMBER + optional, r["members"])]:
        for obj in target:
            for key in keys:
                if rng.random() < 0.9:
                    obj.pop(key, None)
                elif key in obj or rng.random() < 0.5:
                    obj[key] = None


# Lạng Sơn's four phường (urban); the other communes are xã.
URBAN_LANG_SON = ("05977", "05983", "05986", "06187")


def _edge_interview(rng, r):
    """An interview time on a boundary day (1 July) or in another offset, sometimes."""
    started = r["interview"]["started_at"]
    x = rng.random()
    if x < 0.15:
        day = date(r["review_year"], 7, 1) + timedelta(days=rng.choice([-1, 0, 1]))
        started = f"{day.isoformat()}T{started[11:]}"
    elif x < 0.25:
        started = started[:19] + rng.choice(["Z", "+00:00", "-05:00", "+09:30", ".250+07:00"])
    r["interview"]["started_at"] = started


def _edge_members(rng, r, rule_set):
    """Ages on birthdays and retirement boundaries, birth years alone, optional answers left out."""
    ref = date.fromisoformat(r["interview"]["started_at"][:10])
    retirement = next((ind["params"]["retirement_age"]["value"] for ind in rule_set.data["indicators"]
                       if ind["kind"] == "employment"), None)
    for m in r["members"]:
        x = rng.random()
        if x < 0.35:
            age = rng.choice(EDGE_AGES)
            born = _years_before(ref, age, rng.choice([-1, 0, 0, 1]))
            if m["relation"] != "head" or age >= 16:
                _set_birth(m, born, rng)
        elif x < 0.45 and retirement and m["relation"] != "head":
            table = retirement[m["sex"]]
            years, months = table.get(str(r["review_year"]), table[max(table)])
            born = _months_before(ref, years * 12 + months) + timedelta(days=rng.choice([-1, 0, 1]))
            _set_birth(m, born, rng)
            m.update(schooling="not_attending", school_level=None,
                     employment=rng.choice(["unemployed", "wage_without_contract", "self_employed"]))
        elif x < 0.55:
            m.pop("birth_date", None)
            m["birth_year"] = ref.year - rng.choice(EDGE_AGES) - rng.choice([0, 1])
        if m.get("birth_date") and m["birth_date"] > ref.isoformat():  # an interview moved before a birth
            m["birth_date"] = ref.isoformat()
        age = _age(m, ref)
        if age < 16 and rng.random() < 0.2:
            m["malnutrition"] = None
        if age < 16 and rng.random() < 0.1:
            m["malnutrition"] = rng.choice(["none", "stunted", "underweight"])
        if 3 <= age < 16 and rng.random() < 0.3:
            attending = rng.random() < 0.8
            m["schooling"] = "attending" if attending else "not_attending"
            m["school_level"] = rng.choice(["preschool", "primary", "lower_secondary", "upper_secondary", "vocational",
                                            None]) if attending else None
        if 16 <= age <= 31 and rng.random() < 0.3:
            m["highest_diploma"] = rng.choice(["none", "primary", "lower_secondary", "upper_secondary", "vocational"])
            m["schooling"] = rng.choice(["attending", "not_attending"])
            m["school_level"] = None
        if age < 14:
            m.pop("id_number", None)
        if rng.random() < 0.05:
            m["disability"] = rng.choice(["severe", "very_severe"])
    # the head is an adult: keep a head made a child by a boundary age out of the record's way
    head = r["members"][0]
    if _age(head, ref) < 16:
        _set_birth(head, _years_before(ref, 40, 0), rng)


def _age(m, ref):
    """Whole years at `ref` (a birth year alone: from 1 July), as household-record.md reckons them."""
    born = date.fromisoformat(m["birth_date"]) if m.get("birth_date") else date(m["birth_year"], 7, 1)
    return ref.year - born.year - ((born.month, born.day) > (ref.month, ref.day))


def _years_before(ref, years, shift):
    """The day `years` years before `ref` (28 Feb for a 29 Feb), moved by `shift` days."""
    try:
        day = ref.replace(year=ref.year - years)
    except ValueError:
        day = ref.replace(year=ref.year - years, day=28)
    return day + timedelta(days=shift)


def _months_before(ref, months):
    """The day `months` months before `ref` (the month's last day when it is shorter)."""
    total = ref.year * 12 + ref.month - 1 - months
    year, month = divmod(total, 12)
    for day in (ref.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue


def _set_birth(m, born, rng):
    """A birth date, or (sometimes) the birth year alone."""
    if rng.random() < 0.2:
        m.pop("birth_date", None)
        m["birth_year"] = born.year
    else:
        m.pop("birth_year", None)
        m["birth_date"] = born.isoformat()


def _edge_income(rng, r, rule_set):
    """Both methods; amounts exactly on the rule set's lines and thresholds, and one unit either side."""
    size, area = len(r["members"]), r.get("area") or ("urban" if r["commune_code"] in URBAN_LANG_SON else "rural")
    data = rule_set.data
    if rng.random() < 0.5:
        threshold = data["b1_thresholds"][area]["value"]
        points = (threshold if threshold is not None else 140) + rng.choice([-1, 0, 0, 1, rng.randint(-60, 60)])
        r["income"] = {"method": "points", "b1_points": max(0, points)}
        if rule_set.name != "2022-2026" and rng.random() < 0.9:
            r["income"] = {"method": "actual", "annual_income_vnd": r["income"]["b1_points"] * 12 * size * 10_000}
    else:
        line = data["income_lines_vnd"][area]["value"]
        upper = data["middle_band_upper_vnd"][area]["value"]
        base = rng.choice([line, line, upper or line * 3 // 2, rng.randint(line // 2, line * 2)])
        annual = base * 12 * size + rng.choice([-1, 0, 0, 1, rng.randint(-5000, 5000), rng.randint(0, 12 * size)])
        r["income"] = {"method": "actual", "annual_income_vnd": max(0, annual)}
        if rng.random() < 0.2:
            r["income"]["b1_points"] = rng.randint(50, 250)


def _edge_living(rng, r, rule_set):
    """Floor area on the per-person line, non-durable parts, and the answers a later rule set needs."""
    size = len(r["members"])
    least = next((ind["params"]["min_m2_per_person"]["value"] for ind in rule_set.data["indicators"]
                  if ind["kind"] == "floor_area"), 8)
    if rng.random() < 0.3:
        r["housing"]["floor_area_m2"] = least * size + rng.choice([-0.1, 0, 0, 0.1, -1, 1])
    if rng.random() < 0.3:
        r["housing"]["durable"] = {p: rng.random() < 0.5 for p in ("foundation", "walls", "roof")}
    if rng.random() < 0.2:
        r["info_devices"] = []
    if rule_set.name != "2022-2026" and rng.random() < 0.97 or rng.random() < 0.1:
        r["waste_handling"] = rng.choice(["collected", "composted", "buried", "burned", "dumped"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edge", action="store_true", help="records on every boundary of the rule sets (edge_records)")
    args = parser.parse_args()
    out = sys.stdout
    for record in (edge_records if args.edge else make_records)(args.n, args.seed):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
