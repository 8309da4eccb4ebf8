"""Classify a validated household record under a rule set (poverty-review.md §3.2, §3.4)."""
from .codes import AREAS
from .errors import PointTableInvalid, RecordInvalid
from .household import Household
from .messages import message, note
from .places import commune
from .validate import answer_errors, resolve_rule_set

AREA_VI = {"rural": "nông thôn", "urban": "thành thị"}


def classify(record, rule_set=None, *, area=None, point_table=None):
    """Return the result for a cleaned record; `rule_set` and `area` override the year's and the record's."""
    rule_set = resolve_rule_set(record, rule_set)
    errors = answer_errors(record, rule_set)
    if errors:
        raise RecordInvalid(errors)
    notes = []
    year = record["review_year"]
    if rule_set.provisional:
        notes.append(note("rule_set_provisional", rule_set=rule_set.name))
    if not rule_set.covers(year):
        notes.append(note("rule_set_not_of_year", rule_set=rule_set.name, year=year))
    area = _area(record, rule_set, area, notes)
    income = record.get("income") or {}  # a household Phiếu A stopped may have skipped Phiếu B, income included
    basis = income.get("method")
    result = {"rule_set": rule_set.name, "area": area, "income_basis": basis, "b1_points": None,
              "income_per_person_month": None, "deficits": [], "b2_points": None, "class": "not_poor",
              "stopped_by_quick_screen": False, "notes": notes}
    if _stopped(record["quick_screen"], rule_set, notes):
        result["stopped_by_quick_screen"] = True
        notes.append(note("quick_screen_stopped"))
        return result

    if basis == "points":
        threshold = rule_set.b1_thresholds[area]
        if threshold is None:
            raise RecordInvalid.one("income.method", "b1_no_threshold", rule_set=rule_set.name)
        b1 = result["b1_points"] = _b1_points(record, rule_set, area, point_table)

    household = Household(record, year)
    deficits = [ind.number for ind in rule_set.indicators if ind.check(household)]
    notes.extend(note(code, **params) for code, params in household.notes)
    result["deficits"] = deficits
    result["b2_points"] = rule_set.points_per_deficit * len(deficits)
    poor_or_near = "poor" if len(deficits) >= rule_set.poor_min_deficits else "near_poor"

    if basis == "points":
        if b1 <= threshold:  # TT 07/2021: B1 ≤ 140 (175) points ≡ income at or below the line
            result["class"] = poor_or_near
        else:  # QĐ 24/2021 Art. 2.2: middle income is decided by actual income (Phiếu C), not by points
            notes.append(note("points_cannot_decide_middle"))
        return result

    result["b1_points"] = income.get("b1_points")
    annual, size = income["annual_income_vnd"], household.size
    result["income_per_person_month"] = _per_person_month(annual, size)
    # Compared in whole VND a year (inc ≤ L ⇔ annual ≤ L × 12 × members), so on the line means at or below it.
    if annual <= rule_set.lines[area] * 12 * size:
        result["class"] = poor_or_near
    elif rule_set.middle_upper[area] is None:
        notes.append(note("middle_band_not_loaded", rule_set=rule_set.name))
    elif annual <= rule_set.middle_upper[area] * 12 * size:
        result["class"] = "middle"
    return result


def _area(record, rule_set, override, notes):
    """Return rural or urban: the override, else the record's area, else the commune's division type."""
    if override is not None:
        if override not in AREAS:
            raise RecordInvalid.one("area", "invalid_choice", choices=", ".join(AREAS))
        return override
    place = commune(record["commune_code"])
    derived = rule_set.area_by_division_type.get(place[0]) if place else None
    given = record.get("area")
    if given is not None:
        if derived is not None and derived != given:
            notes.append(note("area_differs_from_commune", given=given, derived=derived,
                              given_vi=AREA_VI[given], derived_vi=AREA_VI[derived]))
        return given
    if derived is None:
        raise RecordInvalid.one("area", "area_unknown", commune=record["commune_code"])
    return derived


def _stopped(screen, rule_set, notes):
    """Apply Phiếu A from its definition. A screen recorded as stopped stays stopped (Phiếu B was then not asked,
    so there is nothing sound to score), and a note asks the supervisor to check when the items ticked do not
    meet the definition's rule; items that meet it stop the household even if the phone said otherwise."""
    form = rule_set.quick_screen
    stops = form.stops(screen["items"])
    if stops != screen["stopped"]:
        notes.append(note("quick_screen_should_stop" if stops else "quick_screen_should_continue", form=form.version))
    return stops or screen["stopped"]


def _b1_points(record, rule_set, area, table):
    """Return the B1 total: computed from the items when a point table is given, else the total entered."""
    income = record["income"]
    given, items = income.get("b1_points"), income.get("b1_items")
    if table is None or not items:
        if given is None:
            raise RecordInvalid.one("income.b1_points", "b1_points_missing")
        return given
    if table.rule_set != rule_set.name:
        raise PointTableInvalid([{"row": 0, "column": "rule_set", "message": message(
            "b1_table_rule_set", table=table.rule_set, rule_set=rule_set.name)}])
    computed = table.score(items, _b1_region(record, rule_set, area))
    if given is not None and given != computed:
        raise RecordInvalid.one("income.b1_points", "b1_points_disagree", given=given, computed=computed)
    return computed


def _b1_region(record, rule_set, area):
    """Return the point table's region column: urban, or the rural region of the commune's province."""
    if area == "urban":
        return rule_set.b1_urban_region
    place = commune(record["commune_code"])
    region = rule_set.b1_rural_regions.get(place[1]) if place else None
    if region is None:
        raise RecordInvalid.one("commune_code", "b1_no_region", province=place[1] if place else "?")
    return region


def _per_person_month(annual, size):
    """Income per person per month; 3 decimals never round a value across a line (12 × 50 members < 1000)."""
    value = annual / (12 * size)
    return int(value) if value.is_integer() else round(value, 3)
