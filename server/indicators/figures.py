"""The figures of one unit from its counted households, already grouped: pure (no Flask, no database).

The queries (server.indicators.queries) hand over *cells*: one mapping per group of counted household forms
that share a class and the attributes the cuts read, with the group's totals. A cell holds:

    poverty_class      "poor" | "near_poor" | "middle" | "not_poor"
    head_ethnicity     ethnic-group code of the head (None if not known)
    head_is_dtts       the head belongs to an ethnic minority (None if not known)
    area               "rural" | "urban" | None (the household's area as the rule engine read it)
    agricultural       flags.middle_income_agricultural (True / False / None)
    dtts_mn_area       the household's village (else commune) lies in a DTTS&MN area (True / False / None)
    especially_difficult  the village (else commune) has ĐBKK status (True / False / None)
    households         number of forms in the group
    persons            sum of their members_count
    deficits           sum of their deficit_count
    deficit_<k>        number of them deprived on indicator k (k = the rule set's indicator numbers)

A one-household cell (households=1, persons=members, deficits=count, deficit_<k>=0/1) is a household row, so
the same function computes the figures from household rows in tests.

Denominators (poverty-review.md §5.1) are the unit's resident households and persons for the year:
`Denominator(households, persons, reason)`; a missing one gives rates None with the reason, never a rate over
the surveyed households. Rates are percentages (2.32 means 2.32 %), not rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CLASSES = ("poor", "near_poor", "middle", "not_poor")


@dataclass(frozen=True)
class Denominator:
    """Resident households and persons of a unit in a year; None where not known, with the reason (vi, en)."""

    households: int | None
    persons: int | None
    reason: dict | None = None          # why households is None: {"vi", "en"}
    persons_reason: dict | None = None  # why persons is None


def rate(count: int | None, total: int | None) -> float | None:
    """count / total × 100, or None when either is unknown or the total is zero."""
    if count is None or not total:
        return None
    return count * 100 / total


def _totals(cells: Iterable[Mapping], indicators: Iterable[int]) -> dict:
    """Households and persons per class, deficits per class and indicator, over the cells."""
    indicators = list(indicators)
    names = [f"deficit_{k}" for k in indicators]
    out = {"counted": 0, "counted_persons": 0, "middle_agricultural": 0, "middle_agricultural_persons": 0}
    by = {c: [0] * len(indicators) for c in CLASSES}
    for c in CLASSES:
        out[c] = out[f"{c}_persons"] = out[f"{c}_deficits"] = 0
    for cell in cells:
        cls, n, p = cell["poverty_class"], cell["households"], cell["persons"] or 0
        out["counted"] += n
        out["counted_persons"] += p
        out[cls] += n
        out[cls + "_persons"] += p
        if cls in ("poor", "near_poor"):
            out[cls + "_deficits"] += cell.get("deficits") or 0
            counts = by[cls]
            for i, name in enumerate(names):
                counts[i] += cell.get(name) or 0
        if cls == "middle" and cell.get("agricultural"):
            out["middle_agricultural"] += n
            out["middle_agricultural_persons"] += p
    for c in CLASSES:
        out[f"{c}_by_indicator"] = dict(zip(indicators, by[c]))
    return out


CUTS = ("head", "ethnicity", "area", "dtts_mn_area", "especially_difficult")


def _key(value) -> str:
    return "unknown" if value is None else ("yes" if value is True else "no" if value is False else str(value))


def _cut_values(cell: Mapping) -> tuple:
    """The value of each cut (CUTS order) a cell falls in."""
    dtts = cell.get("head_is_dtts")
    return ("unknown" if dtts is None else ("dtts" if dtts else "kinh"), cell.get("head_ethnicity") or "unknown",
            cell.get("area") or "unknown", _key(cell.get("dtts_mn_area")), _key(cell.get("especially_difficult")))


_CUT_SLOTS = {"poor": (2, 5), "near_poor": (3, 6), "middle": (4, None), "not_poor": (None, None)}


def cuts(cells: Iterable[Mapping]) -> dict:
    """Counts by DTTS vs Kinh head, ethnic group, rural/urban, DTTS&MN area and ĐBKK status (one pass)."""
    acc: dict[str, dict[str, list]] = {name: {} for name in CUTS}
    for cell in cells:
        n, p = cell["households"], cell["persons"] or 0
        hh_slot, pp_slot = _CUT_SLOTS[cell["poverty_class"]]
        for name, value in zip(CUTS, _cut_values(cell)):
            a = acc[name].get(value)
            if a is None:
                a = acc[name][value] = [0] * 7
            a[0] += n
            a[1] += p
            if hh_slot is not None:
                a[hh_slot] += n
            if pp_slot is not None:
                a[pp_slot] += p
    return {name: {value: {"counted": a[0], "counted_persons": a[1], "poor": a[2], "near_poor": a[3],
                           "middle": a[4], "poor_persons": a[5], "near_poor_persons": a[6],
                           # Over the counted households of the cut: the places data have no resident count by cut.
                           "poor_share_of_counted": rate(a[2], a[0]), "near_poor_share_of_counted": rate(a[3], a[0])}
                   for value, a in sorted(by.items())} for name, by in acc.items()}


def unit_figures(cells: Iterable[Mapping], denominator: Denominator, indicators: Iterable[int],
                 deficit_cells: Iterable[Mapping] | None = None) -> dict:
    """The figures of one unit: counts, rates, deficits of poor and near-poor households, and cuts.

    Keys: `households`, `persons` (the denominators), `counted`, `poor`, `near_poor`, `middle`, `not_poor`,
    `middle_agricultural`, the same `_persons`, the rates `poor_rate`, `near_poor_rate`, `middle_rate`,
    `middle_agricultural_rate`, `multidimensional_rate` ((poor + near-poor) / households), `poor_persons_rate`,
    `near_poor_persons_rate`, `middle_persons_rate`, `multidimensional_persons_rate`, `rate_missing` (why a
    rate is None), `deficits_poor` / `deficits_near_poor` (indicator number as a string → count),
    `deficits_poor_pct` / `deficits_near_poor_pct` (% of the class's households), `mean_deficits_poor` /
    `mean_deficits_near_poor`, `total_deficits_poor` / `total_deficits_near_poor`, and `cuts`.

    `deficit_cells`, when given, are the cells the deficits are read from (grouped by class only: the queries
    count them in a separate, smaller GROUP BY over the poor and near-poor); else `cells` carry them.
    """
    cells = list(cells)
    indicators = sorted(indicators)
    t = _totals(cells, indicators if deficit_cells is None else ())
    d = t if deficit_cells is None else _totals(deficit_cells, indicators)
    hh, pp = denominator.households, denominator.persons
    out = {"households": hh, "persons": pp, "counted": t["counted"], "counted_persons": t["counted_persons"]}
    for c in CLASSES:
        out[c] = t[c]
        out[f"{c}_persons"] = t[f"{c}_persons"]
    out["middle_agricultural"] = t["middle_agricultural"]
    out["middle_agricultural_persons"] = t["middle_agricultural_persons"]
    out.update(
        poor_rate=rate(t["poor"], hh), near_poor_rate=rate(t["near_poor"], hh), middle_rate=rate(t["middle"], hh),
        middle_agricultural_rate=rate(t["middle_agricultural"], hh),
        multidimensional_rate=rate(t["poor"] + t["near_poor"], hh),
        poor_persons_rate=rate(t["poor_persons"], pp), near_poor_persons_rate=rate(t["near_poor_persons"], pp),
        middle_persons_rate=rate(t["middle_persons"], pp),
        multidimensional_persons_rate=rate(t["poor_persons"] + t["near_poor_persons"], pp))
    missing = {}
    if hh is None:
        missing["households"] = denominator.reason
    elif hh == 0:
        missing["households"] = {"vi": "Đơn vị không có hộ cư trú.", "en": "The unit has no resident households."}
    if pp is None:
        missing["persons"] = denominator.persons_reason or denominator.reason
    elif pp == 0:
        missing["persons"] = {"vi": "Đơn vị không có nhân khẩu cư trú.", "en": "The unit has no resident persons."}
    out["rate_missing"] = missing
    for c in ("poor", "near_poor"):
        by = d[f"{c}_by_indicator"]
        out[f"deficits_{c}"] = {str(k): by[k] for k in indicators}
        out[f"deficits_{c}_pct"] = {str(k): rate(by[k], t[c]) for k in indicators}
        out[f"total_deficits_{c}"] = d[f"{c}_deficits"]
        out[f"mean_deficits_{c}"] = d[f"{c}_deficits"] / t[c] if t[c] else None
    out["cuts"] = cuts(cells)
    return out


def dtts_mn_readings(cells: Iterable[Mapping], area_households: int | None, area_reason: dict | None) -> dict:
    """Both readings of the DTTS&MN poverty rate (poverty-review.md §5.1), labelled.

    `by_area`: poor households living in DTTS&MN villages or communes over all resident households of those
    units (`area_households`, from the places data). `by_head`: poor households with a DTTS head over the counted
    households with a DTTS head (the places data hold no resident count by ethnicity).
    """
    cells = list(cells)
    in_area = [c for c in cells if c.get("dtts_mn_area")]
    dtts = [c for c in cells if c.get("head_is_dtts")]
    poor_area = sum(c["households"] for c in in_area if c["poverty_class"] == "poor")
    poor_dtts = sum(c["households"] for c in dtts if c["poverty_class"] == "poor")
    counted_dtts = sum(c["households"] for c in dtts)
    return {
        "by_area": {
            "label": {"vi": "Hộ nghèo sống ở xã, thôn vùng đồng bào DTTS&MN / tổng số hộ cư trú của các đơn vị đó",
                      "en": "Poor households living in DTTS&MN communes and villages / all resident households "
                            "of those units"},
            "poor": poor_area, "households": area_households, "rate": rate(poor_area, area_households),
            "missing": area_reason if area_households is None else None},
        "by_head": {
            "label": {"vi": "Hộ nghèo có chủ hộ là người DTTS / số hộ có chủ hộ DTTS đã rà soát",
                      "en": "Poor households with an ethnic-minority head / counted households with an "
                            "ethnic-minority head"},
            "poor": poor_dtts, "households": counted_dtts, "rate": rate(poor_dtts, counted_dtts),
            "missing": None},
    }


def status_figures(cells: Iterable[Mapping], denominator: Denominator) -> dict:
    """The counts server.poverty.unit_status reads that the review data give (poverty-review.md §4).

    `households` is the resident count (None when unknown); `dtts_households` counts counted households with a
    DTTS head, `dtts_people` their members; `poor_dtts_households` the poor ones among them.
    """
    cells = list(cells)
    dtts = [c for c in cells if c.get("head_is_dtts")]
    return {
        "households": denominator.households,
        "poor_households": sum(c["households"] for c in cells if c["poverty_class"] == "poor"),
        "near_poor_households": sum(c["households"] for c in cells if c["poverty_class"] == "near_poor"),
        "dtts_households": sum(c["households"] for c in dtts),
        "poor_dtts_households": sum(c["households"] for c in dtts if c["poverty_class"] == "poor"),
        "dtts_people": sum(c["persons"] or 0 for c in dtts),
    }


def change_pp(current: float | None, previous: float | None) -> float | None:
    """The change of a rate in percentage points, None if either is unknown."""
    return None if current is None or previous is None else current - previous
