"""The village record: the facts a cadre reports once per village and review, which the DTTS&MN status reads.

Household counts (households, poor, DTTS, people) come from the household records themselves, so a village
record carries only what they cannot tell: roads, the grid, literacy and training (unit_status.py, README.md).

    {"kind": "village", "id": UUID, "supersedes": UUID | null, "form_version": str, "review_year": int,
     "commune_code": "06529", "village_code": "...", "interview": {"enumerator", "started_at", "ended_at"},
     "facts": {"has_road_to_centre": true, "households_off_grid": 3, ...}, "note": str | null}
"""
from marshmallow import ValidationError, validates_schema

from .errors import RecordInvalid, flatten
from .fields import Bool, Choice, DateTimeStr, Ident, Int, Num, Str, Strict, Uuid, nested
from .messages import encode
from .schema import COMMUNE_RE, NEWEST_REVIEW_YEAR, OLDEST_REVIEW_YEAR

MAX_COUNT = 1_000_000
MAX_KM = 1_000


class Interview(Strict):
    """Who reported the facts and when."""

    enumerator = Ident(max_len=100, allow_none=True)
    started_at = DateTimeStr(required=True)
    ended_at = DateTimeStr(allow_none=True)


class Facts(Strict):
    """The village figures that household records cannot give (area_criteria.py names them)."""

    households_off_grid = Int(lo=0, hi=MAX_COUNT, allow_none=True)
    dtts_people_15_60 = Int(lo=0, hi=MAX_COUNT, allow_none=True)
    dtts_people_15_60_illiterate = Int(lo=0, hi=MAX_COUNT, allow_none=True)
    workers = Int(lo=0, hi=MAX_COUNT, allow_none=True)
    workers_untrained = Int(lo=0, hi=MAX_COUNT, allow_none=True)
    road_unpaved_pct = Num(lo=0, hi=100, allow_none=True)
    area_high_or_steep_pct = Num(lo=0, hi=100, allow_none=True)
    village_roads_hardened_pct = Num(lo=0, hi=100, allow_none=True)
    road_km_from_district_centre = Num(lo=0, hi=MAX_KM, allow_none=True)
    has_road_to_centre = Bool(allow_none=True)
    road_impassable_in_rainy_season = Bool(allow_none=True)
    has_national_grid = Bool(allow_none=True)

    @validates_schema
    def _parts(self, data, **kw):
        for part, whole in (("dtts_people_15_60_illiterate", "dtts_people_15_60"), ("workers_untrained", "workers")):
            if data.get(part) is not None and data.get(whole) is not None and data[part] > data[whole]:
                raise ValidationError(encode("out_of_range", min=0, max=f"{whole} ({data[whole]})"), part)


class VillageRecord(Strict):
    """A village's report for one review."""

    kind = Choice(("village",), required=True)
    id = Uuid(required=True)
    supersedes = Uuid(allow_none=True)
    form_version = Str(required=True, max_len=64)
    review_year = Int(required=True, lo=OLDEST_REVIEW_YEAR, hi=NEWEST_REVIEW_YEAR)
    commune_code = Str(required=True, max_len=5, pattern=COMMUNE_RE, pattern_code="invalid_commune_code")
    village_code = Str(required=True, max_len=64)
    interview = nested(Interview, required=True)
    facts = nested(Facts, required=True)
    note = Str(max_len=2000, allow_none=True)


_schema = VillageRecord()


def validate_village_record(data):
    """Return the village record cleaned or raise RecordInvalid naming each bad field."""
    if not isinstance(data, dict):
        raise RecordInvalid.one("", "not_object")
    try:
        return _schema.load(data)
    except ValidationError as e:
        raise RecordInvalid(flatten(e.messages)) from None
