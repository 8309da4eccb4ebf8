"""The household record contract (shared/domain/household-record.md) as strict marshmallow schemas."""
import copy
import re
from datetime import datetime

from marshmallow import ValidationError, validates_schema

from . import codes
from .fields import (Bool, Choice, Code, CodeList, DateStr, DateTimeStr, Ident, Int, Num, Str, Strict, Uuid, fail,
                     listed, nested)
from .messages import encode

# Sanity bounds: not law, only what a real household can plausibly be, to catch typing slips.
MAX_MEMBERS = 50
MAX_AGE = 120
MAX_FLOOR_AREA_M2 = 10_000
MAX_B1_POINTS = 10_000
MAX_ANNUAL_INCOME_VND = 100_000_000_000
OLDEST_REVIEW_YEAR, NEWEST_REVIEW_YEAR = 2000, 2100

COMMUNE_RE = re.compile(r"\d{5}")
ID_NUMBER_RE = re.compile(r"\d{12}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")


class Gps(Strict):
    """Where the interview took place."""

    lat = Num(required=True, lo=-90, hi=90)
    lon = Num(required=True, lo=-180, hi=180)
    accuracy_m = Num(lo=0, hi=100_000, allow_none=True)


class Interview(Strict):
    """Who interviewed, when and where."""

    enumerator = Ident(max_len=100, allow_none=True)
    started_at = DateTimeStr(required=True)
    ended_at = DateTimeStr(allow_none=True)
    gps = nested(Gps, allow_none=True)

    @validates_schema
    def _ends_after_start(self, data, **kw):
        ended = data.get("ended_at")
        if ended and datetime.fromisoformat(ended) < datetime.fromisoformat(data["started_at"]):
            raise ValidationError(encode("ended_before_started"), "ended_at")


class QuickScreen(Strict):
    """Phiếu A: the items met and the phone's verdict."""

    items = CodeList(required=True)
    stopped = Bool(required=True)


class B1Items(Str):
    """Item code -> answer code, both snake_case codes."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, dict):
            fail("not_object")
        out, errors = {}, {}
        for key, answer in value.items():
            try:
                out[Code().deserialize(key)] = Code().deserialize(answer)
            except Exception as e:
                errors[key] = getattr(e, "messages", [encode("invalid_code")])
        if errors:
            raise ValidationError(errors)
        return out


class IncomeAnswers(Strict):
    """The income answers, each checked as given; which of them a record needs is Income's rule."""

    method = Choice(codes.INCOME_METHODS, required=True)
    b1_items = B1Items(allow_none=True)
    b1_points = Int(lo=0, hi=MAX_B1_POINTS, allow_none=True)
    annual_income_vnd = Int(lo=0, hi=MAX_ANNUAL_INCOME_VND, allow_none=True)


class Income(IncomeAnswers):
    """B1 points or actual income of the last 12 months."""

    @validates_schema
    def _amount_for_method(self, data, **kw):
        # The method decides which amount the rule needs (household-record.md, Income).
        if data["method"] == "points" and data.get("b1_points") is None and not data.get("b1_items"):
            raise ValidationError(encode("b1_points_missing"), "b1_points")
        if data["method"] == "actual" and data.get("annual_income_vnd") is None:
            raise ValidationError(encode("annual_income_missing"), "annual_income_vnd")


def _members(member):
    """The members list: at least one, at most MAX_MEMBERS, each loaded by `member`."""
    return listed(nested(member), lo=1, hi=MAX_MEMBERS, code="members_count", required=True)


class Member(Strict):
    """One household member."""

    line = Int(required=True, lo=1, hi=999)
    name = Str(required=True, max_len=100)
    relation = Choice(codes.RELATIONS, required=True)
    sex = Choice(codes.SEXES, required=True)
    birth_date = DateStr(allow_none=True)
    birth_year = Int(lo=1850, hi=NEWEST_REVIEW_YEAR, allow_none=True)
    ethnicity = Choice(codes.ethnic_groups, code="invalid_ethnicity", required=True)
    id_number = Str(max_len=12, pattern=ID_NUMBER_RE, pattern_code="invalid_id_number", allow_none=True)
    health_insurance = Bool(required=True)
    schooling = Choice(codes.SCHOOLING, required=True)
    school_level = Choice(codes.SCHOOL_LEVELS, allow_none=True)
    highest_diploma = Choice(codes.DIPLOMAS, required=True)
    employment = Choice(codes.EMPLOYMENT, required=True)
    disability = Choice(codes.DISABILITY, required=True)
    malnutrition = Choice(codes.MALNUTRITION, allow_none=True)
    pension = Bool(allow_none=True)
    social_allowance = Bool(allow_none=True)


class Durable(Strict):
    """Whether each main part of the dwelling is of durable material."""

    foundation = Bool(required=True)
    walls = Bool(required=True)
    roof = Bool(required=True)


class Housing(Strict):
    """The dwelling."""

    floor_area_m2 = Num(lo=0, hi=MAX_FLOOR_AREA_M2, allow_none=True)
    durable = nested(Durable, allow_none=True)


class Flags(Strict):
    """Household flags kept for reports."""

    merit_person = Bool(allow_none=True)
    social_protection = Bool(allow_none=True)
    no_labour_capacity = Bool(allow_none=True)
    middle_income_agricultural = Bool(allow_none=True)


class Attachment(Strict):
    """A photo sent beside the record."""

    name = Str(required=True, max_len=255)
    content_type = Str(required=True, max_len=100)
    sha256 = Str(required=True, max_len=64, pattern=SHA256_RE, pattern_code="invalid_sha256")


class Record(Strict):
    """The household record (shared/domain/household-record.md)."""

    id = Uuid(required=True)
    supersedes = Uuid(allow_none=True)
    form_version = Str(required=True, max_len=64)
    review_year = Int(required=True, lo=OLDEST_REVIEW_YEAR, hi=NEWEST_REVIEW_YEAR)
    review_type = Choice(codes.REVIEW_TYPES, required=True)
    commune_code = Str(required=True, max_len=5, pattern=COMMUNE_RE, pattern_code="invalid_commune_code")
    village_code = Str(required=True, max_len=64)
    area = Choice(codes.AREAS, allow_none=True)
    household_code = Str(max_len=64, allow_none=True)
    interview = nested(Interview, required=True)
    quick_screen = nested(QuickScreen, required=True)
    income = nested(Income, required=True)
    members = _members(Member)
    housing = nested(Housing, required=True)
    water_source = Choice(codes.WATER_SOURCES, required=True)
    toilet = Choice(codes.TOILETS, required=True)
    internet_use = Bool(required=True)
    info_devices = CodeList(codes.INFO_DEVICES, required=True)
    waste_handling = Choice(codes.WASTE_HANDLING, allow_none=True)
    flags = nested(Flags, allow_none=True)
    poverty_causes = CodeList(codes.POVERTY_CAUSES, allow_none=True)
    support_needs = CodeList(codes.SUPPORT_NEEDS, allow_none=True)
    attachments = listed(nested(Attachment), hi=100, allow_none=True)

    @validates_schema
    def _household(self, data, **kw):
        errors = {}
        members = data["members"]
        heads = [m for m in members if m["relation"] == "head"]
        if len(heads) != 1:
            errors["members"] = {"_schema": [encode("head_count", count=len(heads))]}
        ref = data["interview"]["started_at"][:10]
        lines, ids = set(), set()
        for i, m in enumerate(members):
            problems = _member_problems(m, ref, lines, ids)
            if problems:
                errors.setdefault("members", {}).setdefault(i, {}).update(problems)
        if errors:
            raise ValidationError(errors)


def _member_problems(m, ref, lines, ids):
    """Return {field: [code]} for one member's cross-field problems (birth, duplicates)."""
    problems = {}
    if m["line"] in lines:
        problems["line"] = [encode("duplicate_line", line=m["line"])]
    lines.add(m["line"])
    if m.get("id_number"):
        if m["id_number"] in ids:
            problems["id_number"] = [encode("duplicate_id_number")]
        ids.add(m["id_number"])
    born, year = m.get("birth_date"), m.get("birth_year")
    if born is None and year is None:
        problems["birth_date"] = [encode("birth_missing")]
        return problems
    if born is not None and year is not None and int(born[:4]) != year:
        problems["birth_year"] = [encode("birth_year_mismatch")]
    key = "birth_date" if born is not None else "birth_year"
    born = born or f"{year:04d}-07-01"
    if born[:4] > ref[:4] or (born[:4] == ref[:4] and born > ref and key == "birth_date"):
        problems[key] = [encode("born_after_interview")]
    elif int(ref[:4]) - int(born[:4]) - (born[5:] > ref[5:]) > MAX_AGE:
        problems[key] = [encode("too_old", max=MAX_AGE)]
    return problems



# A household Phiếu A stops skips Phiếu B (poverty-review.md §3.4; QĐ 24/2021, TT 07/2021): the interview ends at the
# screen. So a record whose `quick_screen.stopped` is true may lack Phiếu B's answers (absent or null); given, they are
# checked as strictly as on any record. Its identity (header, interview, Phiếu A, the roster's line, name, relation,
# sex, birth, ethnicity, one head) stays required: the commune's lists and the persons counts need it. Only the
# recorded verdict relaxes the contract: a phone that said `stopped: false` surveyed the whole household.
PHIEU_B_RECORD = ("income", "housing", "water_source", "toilet", "internet_use", "info_devices")
PHIEU_B_MEMBER = ("health_insurance", "schooling", "highest_diploma", "employment", "disability")


def _answers_optional(base, names, doc, **fields):
    """A subclass of `base` whose fields `names` may be absent or null; given, each is checked as in `base`."""
    for name in names:
        if name not in fields:
            field = fields[name] = copy.copy(base._declared_fields[name])
            field.required, field.allow_none = False, True
    return type(f"Stopped{base.__name__}", (base,), {"__doc__": doc, "__module__": __name__, **fields})


StoppedIncome = _answers_optional(IncomeAnswers, ("method",), "Income on a record Phiếu A stopped: optional, and no "
                                  "amount is needed (nothing scores it).")
StoppedMember = _answers_optional(Member, PHIEU_B_MEMBER, "A member of a household Phiếu A stopped: identity only.")
StoppedRecord = _answers_optional(Record, PHIEU_B_RECORD, "A household Phiếu A stopped: Phiếu B's answers optional.",
                                  income=nested(StoppedIncome, allow_none=True), members=_members(StoppedMember))


def recorded_stopped(data):
    """Whether the record as sent says Phiếu A stopped the interview (`quick_screen.stopped` is exactly true)."""
    screen = data.get("quick_screen") if isinstance(data, dict) else None
    return isinstance(screen, dict) and screen.get("stopped") is True


def record_schema(data):
    """The schema class that loads `data`: StoppedRecord when its screen stopped, else Record."""
    return StoppedRecord if recorded_stopped(data) else Record
