"""The §5.2 flows, pure: the identity holds exactly on random households, for both layouts, households and
persons; grouping households changes nothing; each household lands in the row a person would put it in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.indicators.flows import DECREASES, INCREASES, NEAR_POOR_KEYS, POOR_KEYS, flows, identity_holds

CLASS = st.sampled_from(["poor", "near_poor", "middle", "not_poor"])


@st.composite
def household(draw):
    """A household counted last year, this year or both; without a code it is seen in one year only."""
    linked = draw(st.booleans())
    prev = draw(st.none() | CLASS)
    cur = draw(st.none() | CLASS)
    if prev is None and cur is None:
        cur = draw(CLASS)
    if not linked and prev is not None and cur is not None:
        cur = None  # a form without a code is one year's form
    return {"linked": linked, "prev_class": prev, "cur_class": cur,
            "earlier_poor": linked and draw(st.booleans()), "earlier_near_poor": linked and draw(st.booleans()),
            "prev_persons": draw(st.integers(1, 12)) if prev else 0,
            "cur_persons": draw(st.integers(1, 12)) if cur else 0}


@given(st.lists(household(), max_size=60))
def test_identity_holds_for_both_layouts_households_and_persons(households):
    for layout in ("poor", "near_poor"):
        out = flows(households, layout)
        assert identity_holds(out["households"], layout) and identity_holds(out["persons"], layout)
        assert out["households"]["begin"] == sum(h["prev_class"] == layout for h in households)
        assert out["households"]["end"] == sum(h["cur_class"] == layout for h in households)
        assert out["persons"]["end"] == sum(h["cur_persons"] for h in households if h["cur_class"] == layout)
        assert out["persons"]["begin"] == sum(h["prev_persons"] for h in households if h["prev_class"] == layout)
        assert all(v >= 0 for side in ("households", "persons") for v in out[side].values())


@given(st.lists(household(), max_size=60))
def test_grouped_links_give_the_same_flows_as_household_rows(households):
    """The database hands over groups (households with the same classes and flags, members summed)."""
    groups: dict[tuple, dict] = {}
    for h in households:
        key = (h["linked"], h["prev_class"], h["cur_class"], h["earlier_poor"], h["earlier_near_poor"])
        g = groups.setdefault(key, {"linked": key[0], "prev_class": key[1], "cur_class": key[2],
                                    "earlier_poor": key[3], "earlier_near_poor": key[4], "households": 0,
                                    "prev_persons": 0, "cur_persons": 0, "gain": 0, "loss": 0})
        g["households"] += 1
        g["prev_persons"] += h["prev_persons"]
        g["cur_persons"] += h["cur_persons"]
        g["gain"] += max(h["cur_persons"] - h["prev_persons"], 0)
        g["loss"] += max(h["prev_persons"] - h["cur_persons"], 0)
    for layout in ("poor", "near_poor"):
        assert flows(groups.values(), layout) == flows(households, layout)


def one(layout, **household):
    """The rows a single household lands in (households side), begin and end left out."""
    out = flows([{"linked": True, "prev_persons": 3, "cur_persons": 3, **household}], layout)["households"]
    return {k for k, v in out.items() if v and k not in ("begin", "end")}


def test_each_case_lands_in_its_row():
    assert one("poor", prev_class="poor", cur_class="near_poor") == {"escaped_to_near_poor"}
    assert one("poor", prev_class="poor", cur_class="middle") == {"escaped_above_near_poor"}
    assert one("poor", prev_class="poor", cur_class=None) == {"other_decrease"}
    assert one("poor", prev_class="near_poor", cur_class="poor") == {"near_poor_to_poor"}
    assert one("poor", prev_class="middle", cur_class="poor", earlier_poor=True) == {"fell_back"}
    assert one("poor", prev_class=None, cur_class="poor", earlier_poor=True) == {"fell_back"}
    assert one("poor", prev_class="not_poor", cur_class="poor") == {"newly_poor"}
    assert one("poor", prev_class=None, cur_class="poor") == {"other_increase"}
    assert one("poor", prev_class=None, cur_class="poor", linked=False) == {"newly_poor"}
    assert one("poor", prev_class="poor", cur_class="poor") == set()
    assert one("near_poor", prev_class="near_poor", cur_class="middle") == {"escaped"}
    assert one("near_poor", prev_class="near_poor", cur_class="poor") == {"near_poor_to_poor"}
    assert one("near_poor", prev_class="poor", cur_class="near_poor", earlier_near_poor=True) == {"poor_to_near_poor"}
    assert one("near_poor", prev_class="middle", cur_class="near_poor", earlier_near_poor=True) == {"fell_back"}
    assert one("near_poor", prev_class="middle", cur_class="near_poor") == {"newly_near_poor"}


def test_member_changes_of_a_household_that_stays_are_other_persons_rows():
    out = flows([{"linked": True, "prev_class": "poor", "cur_class": "poor", "prev_persons": 5, "cur_persons": 3},
                 {"linked": True, "prev_class": "poor", "cur_class": "poor", "prev_persons": 2, "cur_persons": 4}])
    assert out["households"]["begin"] == out["households"]["end"] == 2
    assert (out["persons"]["other_decrease"], out["persons"]["other_increase"]) == (2, 2)
    assert out["unlinked"] == {"begin": 0, "end": 0}


def test_layout_keys_are_those_of_the_contract():
    assert POOR_KEYS == ("begin", "escaped_to_near_poor", "escaped_above_near_poor", "other_decrease",
                         "near_poor_to_poor", "fell_back", "newly_poor", "other_increase", "end")
    assert set(DECREASES["near_poor"]) | set(INCREASES["near_poor"]) | {"begin", "end"} == set(NEAR_POOR_KEYS)
