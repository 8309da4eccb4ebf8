"""The flows (diễn biến, poverty-review.md §5.2) of poor and near-poor households and persons: pure.

Input: *links*, one mapping per household (or per group of households with the same values, `households` > 1)
that was counted in the previous review year, this year, or both:

    prev_class      class counted in year − 1, None if no counted form that year
    cur_class       class counted this year, None if none
    earlier_poor    poor in a counted form of a year before year − 1 (tái nghèo)
    earlier_near_poor   near-poor in a year before year − 1 (tái cận nghèo)
    linked          the household has a code, so its other years could be looked up
    households      number of households (1 for a household row)
    prev_persons, cur_persons   members in year − 1 and this year (sums over the group)
    gain, loss      for a group of households in the layout's class both years: the sum of the members gained,
                    and of the members lost (each household's change counted on one side only)

A household is placed in exactly one row on each side, so the identity holds exactly by construction:

    end = begin − escaped_to_near_poor − escaped_above_near_poor − other_decrease
              + near_poor_to_poor + fell_back + newly_poor + other_increase

Poor layout, a household poor last year: near-poor now → escaped_to_near_poor; middle or not poor →
escaped_above_near_poor; no counted form now → other_decrease (died, moved, merged, or not yet counted under
the basis). A household poor now but not last year: near-poor last year → near_poor_to_poor; else poor in an
earlier year → fell_back; else middle/not poor last year → newly_poor; else (no form last year) → other_increase
when linked (a household new in the commune: split, moved in), newly_poor when unlinked (no code, its history
cannot be looked up: reported in `unlinked`). A household poor both years whose members changed counts the
change in persons as other_increase / other_decrease (§5.2: "member changes"); its household count cancels.

The near-poor layout is the same with near-poor in place of poor: escaped (to middle or not poor),
near_poor_to_poor (a decrease), other_decrease; poor_to_near_poor, fell_back (tái cận nghèo), newly_near_poor,
other_increase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

POOR_KEYS = ("begin", "escaped_to_near_poor", "escaped_above_near_poor", "other_decrease", "near_poor_to_poor",
             "fell_back", "newly_poor", "other_increase", "end")
NEAR_POOR_KEYS = ("begin", "escaped", "near_poor_to_poor", "other_decrease", "poor_to_near_poor", "fell_back",
                  "newly_near_poor", "other_increase", "end")
DECREASES = {"poor": ("escaped_to_near_poor", "escaped_above_near_poor", "other_decrease"),
             "near_poor": ("escaped", "near_poor_to_poor", "other_decrease")}
INCREASES = {"poor": ("near_poor_to_poor", "fell_back", "newly_poor", "other_increase"),
             "near_poor": ("poor_to_near_poor", "fell_back", "newly_near_poor", "other_increase")}


def out_row(layout: str, cur: str | None) -> str:
    """Where a household of the layout's class last year goes when it is not of that class now."""
    if cur is None:
        return "other_decrease"
    if layout == "poor":
        return "escaped_to_near_poor" if cur == "near_poor" else "escaped_above_near_poor"
    return "near_poor_to_poor" if cur == "poor" else "escaped"


def in_row(layout: str, link: Mapping) -> str:
    """Where a household of the layout's class now comes from when it was not of that class last year."""
    prev = link.get("prev_class")
    other = "near_poor" if layout == "poor" else "poor"
    if prev == other:
        return "near_poor_to_poor" if layout == "poor" else "poor_to_near_poor"
    newly = "newly_poor" if layout == "poor" else "newly_near_poor"
    if not link.get("linked"):
        return newly
    if link.get("earlier_poor" if layout == "poor" else "earlier_near_poor"):
        return "fell_back"
    return newly if prev is not None else "other_increase"


def flows(links: Iterable[Mapping], layout: str = "poor") -> dict:
    """The §5.2 rows for `layout` ("poor" or "near_poor"): {"households": {...}, "persons": {...},
    "unlinked": {"begin", "end"}} (unlinked = households without a code among begin and end)."""
    keys = POOR_KEYS if layout == "poor" else NEAR_POOR_KEYS
    hh, pp = dict.fromkeys(keys, 0), dict.fromkeys(keys, 0)
    unlinked = {"begin": 0, "end": 0}
    for link in links:
        n = link.get("households", 1)
        prev, cur = link.get("prev_class"), link.get("cur_class")
        before, now = link.get("prev_persons") or 0, link.get("cur_persons") or 0
        if prev == layout:
            hh["begin"] += n
            pp["begin"] += before
            if not link.get("linked"):
                unlinked["begin"] += n
        if cur == layout:
            hh["end"] += n
            pp["end"] += now
            if not link.get("linked"):
                unlinked["end"] += n
        if prev == layout and cur == layout:
            gain, loss = link.get("gain"), link.get("loss")
            if gain is None and loss is None:  # a household row: its own change
                gain, loss = max(now - before, 0), max(before - now, 0)
            pp["other_increase"] += gain or 0
            pp["other_decrease"] += loss or 0
        elif prev == layout:
            row = out_row(layout, cur)
            hh[row] += n
            pp[row] += before
        elif cur == layout:
            row = in_row(layout, link)
            hh[row] += n
            pp[row] += now
    return {"households": hh, "persons": pp, "unlinked": unlinked}


def identity_holds(rows: Mapping, layout: str = "poor") -> bool:
    """Whether end = begin − decreases + increases for one side (households or persons) of `flows`."""
    return rows["end"] == (rows["begin"] - sum(rows[k] for k in DECREASES[layout])
                           + sum(rows[k] for k in INCREASES[layout]))
