"""validate_record's fast path (fastcheck.py) against marshmallow alone: the same output or the same errors, always.

Differential tests: generated households, valid and then changed in one place, go through validate_record with
and without the fast path; the outcomes must be identical (output compared by repr, so key order, int/float/bool
and NFC all count), and whenever the fast path accepts, its output must be Record().load's.
"""
import copy
import math
import sys
import unicodedata
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import fields, post_load, validates

from poverty_records import INTERVIEW_DAY, RURAL_COMMUNE, URBAN_COMMUNE, base_record
from server.poverty import RecordInvalid, codes, fastcheck, load_rule_set
from server.poverty.fields import Choice, CodeList, DateStr, DateTimeStr, Int, Str, Strict, Uuid
from server.poverty.schema import MAX_MEMBERS, PHIEU_B_MEMBER, PHIEU_B_RECORD, Record, record_schema
from server.poverty.validate import _validate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from records import make_records  # noqa: E402

RECORD = Record()
QUICK_SCREEN_CODES = sorted(load_rule_set("2022-2026").quick_screen.codes)
NAMES = ["Nguyễn Thị Hường", "Hoàng Văn Thắng", "Lý A Páo", "Triệu Thị Mẩy", "Vi Văn Ðức", "Nông Thị Ánh",
         "Lương Văn Đạt", "A"]
OFFSETS = ["+07:00", "+00:00", "-05:30", "Z", "+07:00:30"]


def outcome(record, *, fast):
    """What validate_record does with a record: ("ok", repr of the output) or ("invalid", errors) or the exception."""
    try:
        return "ok", repr(_validate(record, None, fast=fast))
    except RecordInvalid as e:
        return "invalid", e.errors
    except Exception as e:  # noqa: BLE001 - any other exception must be the same too
        return "raised", type(e).__name__, str(e)


def assert_same(record):
    """Both paths agree; the fast path's own answer, when given, is Record().load's; nothing is mutated or shared."""
    before = repr(record)
    fast, slow = outcome(record, fast=True), outcome(record, fast=False)
    assert fast == slow
    cleaned = fastcheck.clean(record)
    if cleaned is not None:
        assert repr(cleaned) == repr(record_schema(record)().load(record))
        assert not _containers(cleaned) & _containers(record)  # a fresh copy, as marshmallow builds
    assert repr(record) == before
    return fast[0], cleaned


def _containers(value):
    """The ids of every dict and list inside value."""
    out = set()
    if isinstance(value, (dict, list)):
        out.add(id(value))
        for v in value.values() if isinstance(value, dict) else value:
            out |= _containers(v)
    return out


# Valid households, using every part of the contract. Strategies are built once, here: building them inside a
# composite strategy for every draw makes generation many times slower.

def text(*names):
    """One of the names, sometimes decomposed (NFD) or padded with blanks: Str cleans both."""
    return st.builds(lambda name, nfd, pad: pad + (unicodedata.normalize("NFD", name) if nfd else name) + pad,
                     st.sampled_from(names), st.booleans(), st.sampled_from(["", "", " ", "\t "]))


def nullable(strategy):
    """A value or null (an optional key of st.fixed_dictionaries may also be absent)."""
    return st.one_of(strategy, st.none())


def uuids():
    return st.builds(lambda n: str(uuid.UUID(int=n)), st.integers(0, 2**128 - 1))


MEMBER_ANSWERS = st.fixed_dictionaries({
    "name": text(*NAMES), "sex": st.sampled_from(codes.SEXES),
    "ethnicity": st.sampled_from(sorted(codes.ethnic_groups())), "health_insurance": st.booleans(),
    "schooling": st.sampled_from(codes.SCHOOLING), "highest_diploma": st.sampled_from(codes.DIPLOMAS),
    "employment": st.sampled_from(codes.EMPLOYMENT), "disability": st.sampled_from(codes.DISABILITY),
}, optional={
    "id_number": nullable(st.builds(lambda n: f"020{n:09d}", st.integers(0, 10**9 - 1))),
    "school_level": nullable(st.sampled_from(codes.SCHOOL_LEVELS)),
    "malnutrition": nullable(st.sampled_from(codes.MALNUTRITION)),
    "pension": nullable(st.booleans()), "social_allowance": nullable(st.booleans()),
})
BIRTHS = st.tuples(st.integers(0, 100 * 365), st.sampled_from(["date", "date", "year", "both"]))
GPS = st.fixed_dictionaries(
    {"lat": st.floats(-90, 90), "lon": st.one_of(st.floats(-180, 180), st.integers(-180, 180))},
    optional={"accuracy_m": st.one_of(st.none(), st.floats(0, 100_000), st.integers(0, 100_000))})
B1_ITEMS = st.dictionaries(st.sampled_from(["b1_land", "b1_cattle", "b1_roof"]),
                           st.sampled_from(["none", "small", "yes_2"]), min_size=1)
ATTACHMENT = st.fixed_dictionaries({"name": text("ảnh nhà.jpg"), "content_type": st.just("image/jpeg"),
                                    "sha256": st.builds(lambda n: f"{n:064x}", st.integers(0, 2**256 - 1))})
HEADER = st.fixed_dictionaries({
    "id": uuids(), "form_version": st.just("2025.1"), "review_type": st.sampled_from(codes.REVIEW_TYPES),
    "commune_code": st.sampled_from([RURAL_COMMUNE, URBAN_COMMUNE]), "village_code": text("T-01"),
    "quick_screen": st.fixed_dictionaries({
        "items": st.lists(st.sampled_from(QUICK_SCREEN_CODES), unique=True, max_size=3), "stopped": st.booleans()}),
    "housing": st.fixed_dictionaries({
        "floor_area_m2": st.one_of(st.floats(0, 10_000), st.integers(0, 10_000)),
        "durable": st.fixed_dictionaries({p: st.booleans() for p in codes.HOUSE_PARTS})}),
    "water_source": st.sampled_from(codes.WATER_SOURCES), "toilet": st.sampled_from(codes.TOILETS),
    "internet_use": st.booleans(), "info_devices": st.lists(st.sampled_from(codes.INFO_DEVICES), unique=True),
}, optional={
    "supersedes": nullable(uuids()), "area": nullable(st.sampled_from(codes.AREAS)),
    "household_code": nullable(text("HH0001234")),
    "waste_handling": nullable(st.sampled_from(codes.WASTE_HANDLING)),
    "flags": nullable(st.dictionaries(st.sampled_from(codes.FLAGS), nullable(st.booleans()))),
    "poverty_causes": nullable(st.lists(st.sampled_from(codes.POVERTY_CAUSES), unique=True)),
    "support_needs": nullable(st.lists(st.sampled_from(codes.SUPPORT_NEEDS), unique=True)),
    "attachments": nullable(st.lists(ATTACHMENT, max_size=3)),
})
INTERVIEW = st.fixed_dictionaries({
    "hour": st.integers(0, 23), "minute": st.integers(0, 59), "offset": st.sampled_from(OFFSETS),
    "minutes": st.integers(0, 300), "microseconds": st.booleans()}, optional={
    "enumerator": nullable(st.one_of(st.integers(1, 10**6), text("u-17"))), "ended_at": st.none(),
    "gps": nullable(GPS), "ended": st.just(True)})
INCOME = st.one_of(
    st.builds(lambda a: {"method": "actual", "annual_income_vnd": a}, st.integers(0, 10**10)),
    st.builds(lambda b: {"method": "points", "b1_points": b}, st.integers(0, 400)),
    st.fixed_dictionaries({"method": st.just("points"), "b1_items": B1_ITEMS},
                          optional={"b1_points": nullable(st.integers(0, 400))}))


@st.composite
def households(draw):
    """A valid record (each optional part sometimes present, null or absent), of review year 2025, 2026 or 2028."""
    year = draw(st.sampled_from([2025, 2025, 2026, 2028]))
    day = INTERVIEW_DAY.replace(year=year)
    shuffle = draw(st.randoms(use_true_random=False)).shuffle
    when = draw(INTERVIEW)
    start = datetime(day.year, day.month, day.day, when.pop("hour"), when.pop("minute"))
    ended = start + timedelta(minutes=when.pop("minutes"))
    offset, micro = when.pop("offset"), when.pop("microseconds")
    interview = {"started_at": start.isoformat() + offset, **when}
    if interview.pop("ended", False):
        interview["ended_at"] = ended.isoformat(timespec="microseconds" if micro else "auto") + offset
    size = draw(st.integers(1, 12))
    lines = list(range(1, size + 1))
    shuffle(lines)
    members = []
    for i, line in enumerate(lines):
        m = {"line": line, "relation": "head" if i == 0 else draw(st.sampled_from(codes.RELATIONS[1:])),
             **draw(MEMBER_ANSWERS)}
        age_days, birth = draw(BIRTHS)
        born = day - timedelta(days=age_days)
        if birth in ("date", "both"):
            m["birth_date"] = born.isoformat()
        if birth in ("year", "both"):
            m["birth_year"] = born.year
        keys = list(m)
        shuffle(keys)  # the input's key order must not matter
        members.append({k: m[k] for k in keys})
    shuffle(members)  # the head need not come first for the contract's checks
    ids = [m["id_number"] for m in members if m.get("id_number")]
    if len(ids) != len(set(ids)):
        for m in members:
            m.pop("id_number", None)
    record = {"review_year": year, "interview": interview, "members": members, **draw(HEADER),
              "income": draw(INCOME)}
    if year >= 2027:  # what the 2027-2030 rule set needs
        record.update(waste_handling=draw(st.sampled_from(codes.WASTE_HANDLING)),
                      income={"method": "actual", "annual_income_vnd": draw(st.integers(0, 10**10))})
    return record


# One change: a path in the record and what to do there.

def paths(value, prefix=()):
    """Every path (a tuple of keys and indexes) inside value, the root excluded."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield prefix + (key,)
        yield from paths(child, prefix + (key,))


def at(record, path):
    for key in path:
        record = record[key]
    return record


NFD_E = unicodedata.normalize("NFD", "ế")
PALETTE = [
    None, True, False, 0, 1, -1, 2.5, -0.0, math.nan, math.inf, -math.inf, 10**40, -(10**40), "", " ", "x", "A",
    "head", "tay", "piped", "tv", "actual", "a1_car", NFD_E, "Ｋ", "\u212a", "2025-02-30", "2025-10-05", "2025-10-06",
    "1904-10-05", "0001-01-01", "２０２５-01-01", "2025-10-05T08:30:00+07:00", "2025-10-05T08:30:00",
    "1899-12-31T23:00:00+07:00", "2025-10-05 08:30+07:00", "2025-10-05T08:00:00+07:00", "2025-10-05T02:00:00Z",
    str(uuid.UUID(int=7)).upper(), uuid.UUID(int=7).hex, "020187000123", "02018700012", "06529", "0652a", "a" * 300,
    [], {}, ["tv"], ["tv", "tv"], [None], [{}], {"x": 1}, 1999, 2100, 2101, 1850, 120, 121, 999, 1000, 50, 51,
]


def variants(value):
    """Values near the current one: the usual slips of a phone or a hand-written client."""
    if isinstance(value, bool):
        return [not value, int(value), str(value).lower()]
    if isinstance(value, int):
        return [value + 1, value - 1, -value, float(value), str(value), value * 10**6, value == 1, 0]
    if isinstance(value, float):
        return [int(value), -value, value * 1e6, str(value), math.nextafter(value, math.inf)]
    if isinstance(value, str):
        return [value.upper(), value.title(), f" {value} ", value + "\n", unicodedata.normalize("NFD", value),
                value + NFD_E, value[:-1], value + "x", value * 40, value.replace("-", ""), value[:10]]
    if isinstance(value, list):
        return [value + value, value[:1] * 2, tuple(value), value[::-1], value + [None], {str(i): v for i, v in
                                                                                        enumerate(value)}]
    if isinstance(value, dict):
        return [list(value.values()), {k.upper(): v for k, v in value.items()}, dict(value, extra=1)]
    return []


def field_at(path):
    """The schema's field reading the value at path (None inside a free-form object such as b1_items)."""
    field = fields.Nested(Record)
    for key in path:
        if isinstance(field, fields.Nested) and isinstance(key, str):
            field = field.schema.fields.get(key)
        elif isinstance(field, fields.List) and isinstance(key, int):
            field = field.inner
        elif isinstance(field, CodeList) and isinstance(key, int):
            field = field.item
        else:
            return None
    return field


def edges(field, value):
    """Values at and just past the field's own limits (read from the schema, not retyped), and near misses."""
    out = []
    lo, hi = getattr(field, "lo", None), getattr(field, "hi", None)
    for bound, step in ((lo, -1), (hi, 1)):
        if bound is not None:
            out += [bound, bound + step, float(bound), bound + step / 1000, bound == 1]
    if isinstance(field, Choice):
        out += [c for c in field.choices if c != value] + [c.upper() for c in field.choices][:3] + [" head", "Ｋ"]
    if isinstance(field, CodeList):
        some = sorted(field.item.choices) if isinstance(field.item, Choice) else QUICK_SCREEN_CODES
        out += [some[:2], some[:1] * 2, some * (field.max_items // len(some) + 1), [c.upper() for c in some[:1]]]
        if not isinstance(field.item, Choice):  # any code goes: as many distinct ones as allowed, and one more
            out += [[f"c{i}" for i in range(n)] for n in (field.max_items, field.max_items + 1)]
    if isinstance(field, Str):
        out += ["x" * field.max_len, "x" * (field.max_len + 1), " " * (field.max_len + 1)]
        if isinstance(value, str):
            out += [value + "0", value[:-1] + "a", value[:-1] + "٣", " " + value * 2]
    if isinstance(field, (DateStr, DateTimeStr)):
        out += ["2024-02-29", "2025-02-29", "2025-13-01", "2025-1-05", "2025-10-05T24:00:00+07:00",
                "2025-10-05T08:30:00.5+07:00", "2025-10-05T08:30:00+24:00", "1900-01-01T00:00:00+07:00"]
    if isinstance(field, Uuid) and isinstance(value, str):
        out += [value.upper(), "{" + value + "}", "urn:uuid:" + value, value.replace("-", "")]
    return out


def _members_change(change):
    def apply(record, data):
        members = record["members"]
        i = data.draw(st.integers(0, len(members) - 1))
        change(record, members, members[i], i, data)
    return apply


def _ref_day(record):
    return date.fromisoformat(record["interview"]["started_at"][:10])


SEMANTIC = {
    "two heads": _members_change(lambda r, ms, m, i, d: [x.update(relation="head") for x in ms]),
    "no head": _members_change(lambda r, ms, m, i, d: [x.update(relation="child") for x in ms]),
    "head elsewhere": _members_change(lambda r, ms, m, i, d: m.update(relation="head")),
    "duplicate line": _members_change(lambda r, ms, m, i, d: m.update(line=ms[0]["line"])),
    "duplicate id": _members_change(lambda r, ms, m, i, d: [x.update(id_number="020187000123") for x in ms[:i + 1]]),
    "birth year off": _members_change(lambda r, ms, m, i, d: m.update(birth_year=int(m.get("birth_date", "1990")[:4])
                                                                      + d.draw(st.sampled_from([-1, 0, 1])))),
    "no birth": _members_change(lambda r, ms, m, i, d: [m.pop(k, None) for k in ("birth_date", "birth_year")]),
    "born around the interview": _members_change(lambda r, ms, m, i, d: m.update(birth_date=(
        _ref_day(r) + timedelta(days=d.draw(st.integers(-400, 400)))).isoformat())),
    "born in the interview year": _members_change(lambda r, ms, m, i, d: [m.pop("birth_date", None), m.update(
        birth_year=_ref_day(r).year + d.draw(st.integers(-1, 1)))]),
    "about 120": _members_change(lambda r, ms, m, i, d: m.update(birth_date=_ref_day(r).replace(
        year=_ref_day(r).year - d.draw(st.integers(119, 122))).isoformat())),
    "about 120 by year": _members_change(lambda r, ms, m, i, d: [m.pop("birth_date", None), m.update(
        birth_year=_ref_day(r).year - d.draw(st.integers(119, 122)))]),
    "ended before started": lambda r, d: r["interview"].update(ended_at=(datetime.fromisoformat(
        r["interview"]["started_at"]) - timedelta(seconds=d.draw(st.integers(-60, 60)))).isoformat()),
    "method without amount": lambda r, d: r.update(income={"method": d.draw(st.sampled_from(codes.INCOME_METHODS))}),
    "too many members": lambda r, d: r.update(members=r["members"] * (MAX_MEMBERS // len(r["members"]) + 1)),
    "a big household": lambda r, d: r.update(members=[
        {**r["members"][0], "line": i + 1, "relation": "head" if i == 0 else "child", "id_number": None}
        for i in range(d.draw(st.sampled_from([MAX_MEMBERS, MAX_MEMBERS + 1])))]),
    "no members": lambda r, d: r.update(members=[]),
    "unknown quick-screen item": lambda r, d: r["quick_screen"].update(items=["a9_spaceship"]),
    "rule set answer missing": lambda r, d: r.pop(d.draw(st.sampled_from(["waste_handling", "housing"])), None),
    "no rule set": lambda r, d: r.update(review_year=d.draw(st.sampled_from([2000, 2024, 2031, 2100]))),
}


@st.composite
def changed(draw, data_strategy=households()):
    """A valid household changed in one place: a value replaced, a key removed or added, or a household rule broken."""
    record = draw(data_strategy)
    kind = draw(st.sampled_from(["palette", "near", "edge", "edge", "delete", "unknown", "semantic"]))
    if kind == "semantic":
        SEMANTIC[draw(st.sampled_from(sorted(SEMANTIC)))](record, _Drawer(draw))
        return record
    path = draw(st.sampled_from(list(paths(record))))
    parent, key = at(record, path[:-1]), path[-1]
    choices = {"palette": PALETTE, "near": variants(parent[key]), "edge": edges(field_at(path), parent[key])}
    if kind in choices:
        parent[key] = copy.deepcopy(draw(st.sampled_from(choices[kind] or PALETTE)))
    elif kind == "delete":
        del parent[key]
    else:
        target = parent[key] if isinstance(parent[key], dict) else parent
        if isinstance(target, dict):
            target[draw(st.sampled_from(["colour", "Name", "name ", "birth-date", 1]))] = "x"
        else:
            record["colour"] = "blue"
    return record


class _Drawer:
    """Lets the semantic changes draw values: data.draw(strategy)."""

    def __init__(self, draw):
        self.draw = draw


@settings(max_examples=400)
@given(households())
def test_valid_households_give_the_same_output_and_the_fast_path_takes_them(record):
    _, cleaned = assert_same(record)
    if not RECORD.validate(record):
        assert cleaned is not None  # the fast path must not quietly leave typical records to marshmallow


@settings(max_examples=1500)
@given(changed())
def test_households_changed_in_one_place_give_the_same_output_or_errors(record):
    assert_same(record)


@settings(max_examples=300)
@given(st.sampled_from(make_records(200, seed=11)), st.data())
def test_bench_records_changed_in_one_place_agree(record, data):
    record = copy.deepcopy(record)
    for path in data.draw(st.lists(st.sampled_from(list(paths(record))), max_size=1)):
        parent, key = at(record, path[:-1]), path[-1]
        parent[key] = data.draw(st.sampled_from(PALETTE + variants(parent[key]) + edges(field_at(path), parent[key])))
    assert_same(record)


def test_the_fast_path_accepts_typical_records():
    assert fastcheck._record_checker() is not None, "the Record schema uses something fastcheck.py does not model"
    for record in [base_record()] + make_records(300, seed=7) + make_records(100, seed=8, size=8):
        cleaned = fastcheck.clean(record)
        assert cleaned is not None
        assert repr(cleaned) == repr(RECORD.load(record))
        assert outcome(record, fast=True) == outcome(record, fast=False)


def test_a_stopped_screen_without_phieu_b_agrees_and_is_taken_fast():
    """A household Phiếu A stopped, sent without Phiếu B (absent or null), or with some answers wrong: both paths agree,
    and the fast path accepts the valid ones; the same record with `stopped: false` is refused by both."""
    assert fastcheck._record_checker(True) is not None
    for i, record in enumerate(make_records(60, seed=12)):
        record["quick_screen"]["stopped"] = True
        for key in PHIEU_B_RECORD:
            record.pop(key) if i % 3 else record.update({key: None})
        for m in record["members"]:
            for key in PHIEU_B_MEMBER:
                m.pop(key) if i % 2 else m.update({key: None})
        assert assert_same(record)[0] == "ok"
        assert fastcheck.clean(record) is not None
        wrong = copy.deepcopy(record)
        wrong["members"][0]["disability"], wrong["toilet"] = "somewhat", 3
        assert assert_same(wrong)[0] == "invalid"
        record["quick_screen"]["stopped"] = False
        assert assert_same(record)[0] == "invalid"


def full_record():
    """A valid record using every key of the contract."""
    record = base_record(
        supersedes=str(uuid.uuid4()), area="rural", household_code="HH0001234", waste_handling="collected",
        interview={"enumerator": 17, "started_at": "2025-10-05T08:30:00+07:00", "ended_at": "2025-10-05T09:10:00+07:00",
                   "gps": {"lat": 21.85, "lon": 106.76, "accuracy_m": 12.5}},
        quick_screen={"items": QUICK_SCREEN_CODES[:2], "stopped": False},
        income={"method": "points", "b1_points": 150, "b1_items": {"b1_land": "small"}},
        flags={f: False for f in codes.FLAGS}, poverty_causes=["lack_land", "lack_capital"], support_needs=["credit"],
        attachments=[{"name": "nhà.jpg", "content_type": "image/jpeg", "sha256": "ab" * 32}])
    record["members"][0].update(id_number="020187000123", birth_year=int(record["members"][0]["birth_date"][:4]),
                                pension=False, social_allowance=None)
    record["members"].append({**record["members"][1], "line": 3, "relation": "child", "birth_date": "2015-03-01",
                              "schooling": "attending", "school_level": "primary", "malnutrition": "none"})
    return record


def test_every_single_change_of_a_full_record_agrees():
    """Not by chance: each value of a record replaced by each candidate, each key dropped, a key added."""
    record = full_record()
    result, cleaned = assert_same(record)
    assert result == "ok" and cleaned is not None
    for path in paths(record):
        parent, key = at(record, path[:-1]), path[-1]
        for value in PALETTE + variants(parent[key]) + edges(field_at(path), parent[key]):
            changed_record = copy.deepcopy(record)
            at(changed_record, path[:-1])[key] = copy.deepcopy(value)
            assert_same(changed_record)
        dropped = copy.deepcopy(record)
        del at(dropped, path[:-1])[key]
        assert_same(dropped)
        if isinstance(parent[key], dict):
            added = copy.deepcopy(record)
            at(added, path)["colour"] = "blue"
            assert_same(added)
    for n in (0, 1, MAX_MEMBERS - 1, MAX_MEMBERS, MAX_MEMBERS + 1, 99, 100, 101, 1000):  # list lengths around bounds
        members = [{**record["members"][1], "line": i + 1, "relation": "child" if i else "head"} for i in range(n)]
        assert_same(dict(record, members=members))
        assert_same(dict(record, attachments=record["attachments"] * n))


def test_pinned_cases_agree():
    record = base_record()
    upper = dict(record, id=record["id"].upper(), supersedes=str(uuid.uuid4()).upper())
    assert _validate(upper, None, fast=True)["id"] == record["id"]
    for case in [upper, dict(record, extra=1), {**record, "members": [*record["members"], record["members"][1]]},
                 dict(record, interview={"started_at": "2025-10-05T08:30:00+07:00", "ended_at": "2025-10-05T01:30Z"}),
                 dict(record, interview={"started_at": "2025-10-05T08:30:00+07:00", "ended_at": "2025-10-05T01:29Z"}),
                 dict(record, housing={"floor_area_m2": math.nan}), dict(record, housing={"floor_area_m2": 10**400}),
                 dict(record, water_source=unicodedata.normalize("NFD", "piped")), dict(record, village_code=" T 1 "),
                 dict(record, info_devices=("tv",)), dict(record, members=tuple(record["members"]))]:
        assert_same(case)


# The safety net: a schema feature fastcheck.py does not mirror turns the fast path off rather than being ignored.

class _WithPostLoad(Strict):
    x = Int()

    @post_load
    def _twice(self, data, **kw):
        return {"x": data["x"] * 2}


class _WithFieldValidator(Strict):
    x = Int()

    @validates("x")
    def _even(self, value, **kw):
        pass


class _WithDataKey(Strict):
    x = Int(data_key="X")


class _WithLoadDefault(Strict):
    x = Int(load_default=3)


@pytest.mark.parametrize("schema", [_WithPostLoad, _WithFieldValidator, _WithDataKey, _WithLoadDefault])
def test_unmodelled_features_turn_the_fast_path_off(schema):
    with pytest.raises(fastcheck._Unsupported):
        fastcheck._object_checker(schema())


class _Shouted(Str):
    def _deserialize(self, value, attr, data, **kw):
        return super()._deserialize(value, attr, data, **kw).upper()


def test_a_field_class_overriding_deserialize_runs_its_own_code():
    class WithShouted(Strict):
        x = _Shouted()

    assert fastcheck._object_checker(WithShouted())({"x": " a "}) == WithShouted().load({"x": " a "}) == {"x": "A"}
