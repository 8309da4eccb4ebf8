"""Code lists fixed by the household-record contract (shared/domain/household-record.md)."""
import json
from functools import cache

from config.settings import ROOT

RULES_DIR = ROOT / "config" / "rules"
# Phiếu A of Thông tư 07/2021/TT-BLĐTBXH is the rule engine's own data: a rule set names its version.
QUICK_SCREEN_DIR = RULES_DIR / "quick-screen"

AREAS = ("rural", "urban")
REVIEW_TYPES = ("periodic", "regular")
INCOME_METHODS = ("points", "actual")
RELATIONS = ("head", "spouse", "child", "child_in_law", "grandchild", "parent", "parent_in_law",
             "sibling", "other")
SEXES = ("male", "female")
SCHOOLING = ("attending", "not_attending")
SCHOOL_LEVELS = ("preschool", "primary", "lower_secondary", "upper_secondary", "vocational", "college",
                 "university")
DIPLOMAS = ("none",) + SCHOOL_LEVELS[1:]
EMPLOYMENT = ("wage_with_contract", "wage_without_contract", "self_employed", "unemployed",
              "not_in_labour_force")
DISABILITY = ("none", "mild", "severe", "very_severe")
MALNUTRITION = ("none", "stunted", "underweight")
WATER_SOURCES = ("piped", "borehole", "protected_well", "protected_spring", "rainwater", "bottled",
                 "unprotected_well", "unprotected_spring", "surface", "other")
TOILETS = ("septic", "semi_septic", "pour_flush", "ventilated_pit", "double_vault", "unimproved_pit",
           "hanging", "none", "other")
INFO_DEVICES = ("tv", "radio", "computer", "smartphone", "tablet")
WASTE_HANDLING = ("collected", "composted", "buried", "burned", "dumped")
HOUSE_PARTS = ("foundation", "walls", "roof")
FLAGS = ("merit_person", "social_protection", "no_labour_capacity", "middle_income_agricultural")
POVERTY_CAUSES = ("lack_land", "lack_capital", "lack_labour", "lack_tools", "lack_knowledge", "lack_skills",
                  "illness_accident", "other")
SUPPORT_NEEDS = ("health", "education", "production", "credit", "housing", "other")
CLASSES = ("poor", "near_poor", "middle", "not_poor")


@cache
def ethnic_groups():
    """Return the 54 ethnic-group codes, read once from their data file (no I/O at import)."""
    with open(RULES_DIR / "ethnic-groups.json", encoding="utf-8") as f:
        return frozenset(g["code"] for g in json.load(f)["groups"])


@cache
def majority_group() -> str:
    """Return the code of the majority group (Kinh); every other group is an ethnic minority (DTTS)."""
    with open(RULES_DIR / "ethnic-groups.json", encoding="utf-8") as f:
        return json.load(f)["majority"]


def is_ethnic_minority(code: str) -> bool:
    """Whether an ethnic-group code names an ethnic minority (dân tộc thiểu số, DTTS)."""
    return code != majority_group()
