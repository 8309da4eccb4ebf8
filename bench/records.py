"""Generate realistic fabricated household records for Lạng Sơn (benchmark data, not survey data).

    python bench/records.py 200000 [--seed 1] > records.jsonl

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


def household(rng, codes, index, size=None):
    """One fabricated household record, valid under the 2022-2026 rule set; `size` members, else a drawn size."""
    day = rng.choice(INTERVIEW_DAYS)
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
        "review_year": 2025, "review_type": "periodic", "commune_code": rng.choice(codes),
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = sys.stdout
    for record in make_records(args.n, args.seed):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
