"""Plan targets and external figures as data (issue 12 item 3), and each target's evaluation.

A **target** (`PlanTarget`) is: unit, year, indicator (`TARGET_INDICATORS`), comparison (`COMPARISONS`), value,
source document, note. An **external figure** (`ExternalFigure`) is a figure the review data cannot give, entered
by an officer with its source: average income per capita from the statistics office, or a fact a status
criterion reads (road, grid, NTM certification: `EXTERNAL_INDICATORS`). Every add or edit is audited.

**Evaluation** of a target (`evaluate`, pure; `evaluate_targets`, from the database):

- `current`: the indicator's value for the unit and year: a rate from the review's figures (server.indicators,
  on the chosen basis), a count of units that would leave ĐBKK status (server.indicators.status: INDICATIVE,
  labelled so, with the official count beside it), or an external figure. For a change comparison, `baseline`
  is the same indicator the year before.
- `gap`: how far the current value is from the target, in the indicator's unit, positive while short of it
  (0 once met).
- `status`:
  - `met`: the comparison holds on the current value;
  - `on_track`: not met yet, but the target's year is not over on `as_of` and the progress is at least the share
    of the year elapsed (a linear pace from 1 January to 31 December). Progress is the share of the required
    change achieved (a change comparison); of the way from last year's value to the target (a level, e.g.
    income: (current − last) / (target − last)); of the target reached (a count of units leaving ĐBKK status, a
    flow of the year, or a level without last year's value); a figure that was already past the target last
    year and is not now has made none;
  - `not_met`: not met, and the year is over or the progress is behind that pace;
  - `unknown`: the current value (or the baseline a change needs) is not known; `reason` says why.
  Figures on the `approved` or `submitted` basis, or of a year not over, are `provisional: true`.

Public functions (H3's dashboards use them):

    evaluate_targets(year, unit_code, basis="approved", *, actor=None, as_of=None) -> list[dict]
    evaluate(target, current, baseline=None, *, as_of) -> dict          (pure)
    save_target(actor, data, target_id=None) -> PlanTarget              (add, or edit with an id)
    save_external_figure(actor, data, figure_id=None) -> ExternalFigure
    list_targets(year=None, unit_code=None, actor=None), list_external_figures(year=None, unit_code=None, actor=None)
    external_status_figures(year, units) -> {unit_code: {criteria figure: value}}
    seed_plan(path=None, actor=None) -> dict                            (config/plans/*.json)
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from config.settings import ROOT
from server.audit.operations import record_event
from server.core.db import local_today, utcnow
from server.core.errors import Problem, field_error
from server.core.scoping import can_access
from server.extensions import db
from server.indicators.models import ExternalFigure, PlanTarget
from server.places.models import Unit
from server.poverty.area_criteria import COUNTS, DISTANCES, FACTS, PERCENTAGES

PLANS_DIR = ROOT / "config" / "plans"
YEARS = (2000, 2100)
TEXT_MAX = 300

COMPARISONS = {
    "at_least": {"vi": "đạt ít nhất …", "en": "at least …"},
    "at_most": {"vi": "không quá …", "en": "at most …"},
    "decrease_by_at_least": {"vi": "giảm ít nhất … so với năm trước", "en": "fall by at least … against the "
                             "previous year"},
    "increase_by_at_least": {"vi": "tăng ít nhất … so với năm trước", "en": "rise by at least … against the "
                             "previous year"},
}
CHANGES = ("decrease_by_at_least", "increase_by_at_least")
# A change of a rate is in percentage points.
POINTS = "điểm phần trăm"
POINTS_EN = "percentage points"

# Where each target indicator's current value comes from: a key of the unit's row in the indicator table, the
# count of units that would leave ĐBKK status at a level, or an external figure of the same code.
TARGET_INDICATORS = {
    "poverty_rate": {"from": "table", "key": "poor_rate", "unit": "%",
                     "vi": "Tỷ lệ hộ nghèo", "en": "Poverty rate"},
    "near_poor_rate": {"from": "table", "key": "near_poor_rate", "unit": "%",
                       "vi": "Tỷ lệ hộ cận nghèo", "en": "Near-poor rate"},
    "multidimensional_rate": {"from": "table", "key": "multidimensional_rate", "unit": "%",
                              "vi": "Tỷ lệ nghèo đa chiều", "en": "Multidimensional poverty rate"},
    "poor_persons_rate": {"from": "table", "key": "poor_persons_rate", "unit": "%",
                          "vi": "Tỷ lệ nhân khẩu nghèo", "en": "Poor persons rate"},
    "dtts_mn_poverty_rate": {"from": "dtts_mn", "reading": "by_area", "unit": "%",
                             "vi": "Tỷ lệ hộ nghèo vùng đồng bào DTTS&MN (hộ sống ở xã, thôn vùng DTTS&MN)",
                             "en": "DTTS&MN poverty rate (households living in DTTS&MN communes and villages)"},
    "dtts_head_poverty_rate": {"from": "dtts_mn", "reading": "by_head", "unit": "%",
                               "vi": "Tỷ lệ hộ nghèo có chủ hộ là người DTTS",
                               "en": "Poverty rate of households with an ethnic-minority head"},
    "villages_leaving_dbkk": {"from": "status", "level": "village", "unit": "thôn",
                              "vi": "Số thôn thoát khỏi tình trạng đặc biệt khó khăn",
                              "en": "Villages leaving especially-disadvantaged status"},
    "communes_leaving_dbkk": {"from": "status", "level": "commune", "unit": "xã",
                              "vi": "Số xã thoát khỏi tình trạng đặc biệt khó khăn",
                              "en": "Communes leaving especially-disadvantaged status"},
    "income_per_capita": {"from": "external", "unit": "triệu đồng/người/năm",
                          "vi": "Thu nhập bình quân đầu người", "en": "Average income per capita"},
}

# Figures an officer may enter: income, and the facts the status criteria read that the review cannot give.
# kind: money / count (whole number) / pct (0-100) / km / fact (1 yes, 0 no). `inherit`: a value entered for a
# commune or the province applies to the units below that have none (the national rate is one figure).
EXTERNAL_INDICATORS = {
    "income_per_capita": {"kind": "money", "unit": "triệu đồng/người/năm",
                          "vi": "Thu nhập bình quân đầu người", "en": "Average income per capita"},
    "has_road_to_centre": {"kind": "fact", "vi": "Có đường giao thông đến trung tâm xã",
                           "en": "Has a road to the commune centre"},
    "road_impassable_in_rainy_season": {"kind": "fact", "vi": "Mùa mưa đi lại rất khó khăn",
                                        "en": "Very hard to travel in the rainy season"},
    "has_national_grid": {"kind": "fact", "vi": "Có điện lưới quốc gia", "en": "On the national grid"},
    "ntm_certified": {"kind": "fact", "vi": "Đã đạt chuẩn nông thôn mới", "en": "Certified new-rural (NTM)"},
    "dtts_households": {"kind": "count", "vi": "Số hộ DTTS (toàn bộ hộ cư trú, không chỉ hộ được rà soát)",
                        "en": "Ethnic-minority households (all resident households, not only those surveyed)"},
    "dtts_people": {"kind": "count", "vi": "Số người DTTS", "en": "Ethnic-minority people"},
    "households_off_grid": {"kind": "count", "vi": "Số hộ chưa dùng điện lưới quốc gia",
                            "en": "Households not on the national grid"},
    "dtts_people_15_60": {"kind": "count", "vi": "Số người DTTS từ 15 đến 60 tuổi",
                          "en": "Ethnic-minority people aged 15-60"},
    "dtts_people_15_60_illiterate": {"kind": "count", "vi": "Số người DTTS 15-60 tuổi chưa biết đọc, viết tiếng Việt",
                                     "en": "Ethnic-minority people aged 15-60 who cannot read and write Vietnamese"},
    "workers": {"kind": "count", "vi": "Số lao động", "en": "Workers"},
    "workers_untrained": {"kind": "count", "vi": "Số lao động chưa qua đào tạo từ 3 tháng trở lên",
                          "en": "Workers without training of 3 months or more"},
    "road_km_from_district_centre": {"kind": "km", "vi": "Khoảng cách đường từ trung tâm huyện (cũ), km",
                                     "en": "Road distance from the former district centre, km"},
    "road_unpaved_pct": {"kind": "pct", "vi": "% đường đó chưa được cứng hóa", "en": "% of that road unpaved"},
    "area_high_or_steep_pct": {"kind": "pct", "vi": "% diện tích ở độ cao từ 200 m hoặc độ dốc từ 15%",
                               "en": "% of the area at 200 m or more, or on a 15% slope or more"},
    "village_roads_hardened_pct": {"kind": "pct", "vi": "% đường thôn được cứng hóa",
                                   "en": "% of village roads hardened"},
    "national_multidim_poverty_rate_pct": {"kind": "pct", "inherit": True,
                                           "vi": "Tỷ lệ nghèo đa chiều cả nước, %",
                                           "en": "National multidimensional poverty rate, %"},
}
UNITS_OF_MEASURE = {"fact": "1 = có / 0 = không", "count": "hộ / người", "pct": "%", "km": "km"}
# Every criteria figure an officer may enter must be one the rule engine reads.
assert set(EXTERNAL_INDICATORS) - {"income_per_capita"} <= set(COUNTS + PERCENTAGES + DISTANCES + FACTS)

STATUS_LABELS = {
    "met": {"vi": "Đạt", "en": "Met"},
    "on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "not_met": {"vi": "Chưa đạt", "en": "Not met"},
    "unknown": {"vi": "Chưa có số liệu", "en": "No figure yet"},
}


# --- pure evaluation ------------------------------------------------------------------------------------------

def _dec(x) -> Decimal | None:
    """A figure as an exact decimal, rounded to 9 places (so 2.32 − 0.32 is 2, not 1.9999999999999998)."""
    if x is None:
        return None
    return Decimal(str(x)).quantize(Decimal("1e-9"))


def _out(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def year_elapsed(year: int, as_of: date) -> Decimal:
    """The share of `year` elapsed on `as_of` (0 before 1 January, 1 from 31 December)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if as_of <= start:
        return Decimal(0)
    if as_of >= end:
        return Decimal(1)
    return Decimal((as_of - start).days) / Decimal((end - start).days)


def evaluate(target: dict, current, baseline=None, *, as_of: date) -> dict:
    """Evaluate one target ({indicator, year, comparison, target_value}) on its current value (and baseline,
    the previous year's value, for a change comparison). See the module docstring for the statuses."""
    comparison, year = target["comparison"], target["year"]
    goal, cur, base = _dec(target["target_value"]), _dec(current), _dec(baseline)
    pace = year_elapsed(year, as_of)
    out = {"current": _out(cur), "baseline": _out(base), "target_value": _out(goal), "comparison": comparison,
           "change": None, "gap": None, "progress": None, "pace": float(pace), "status": "unknown",
           "reason": None}
    if cur is None:
        out["reason"] = {"vi": "Chưa có số liệu năm này.", "en": "No figure for this year yet."}
        return _labelled(out)
    if comparison in CHANGES:
        if base is None:
            out["reason"] = {"vi": "Chưa có số liệu năm trước để so sánh.",
                             "en": "No figure for the previous year to compare with."}
            return _labelled(out)
        achieved = base - cur if comparison == "decrease_by_at_least" else cur - base
        out["change"] = _out(cur - base)
        met, gap = achieved >= goal, goal - achieved
        progress = achieved / goal if goal else Decimal(1)
    elif comparison == "at_least":
        met, gap = cur >= goal, goal - cur
        if base is None:
            progress = cur / goal if goal else Decimal(1)
        else:  # from last year's figure; one that was already past the target and fell back has made none
            progress = (cur - base) / (goal - base) if base < goal else Decimal(int(met))
    else:  # at_most
        met, gap = cur <= goal, cur - goal
        progress = (base - cur) / (base - goal) if base is not None and base > goal else Decimal(int(met))
        # (without a baseline, or from one already within the target, there is no pace to measure: met or not)
    out["gap"] = _out(max(gap, Decimal(0)))
    out["progress"] = _out(progress)
    if met:
        out["status"] = "met"
    elif pace < 1 and progress >= pace:
        out["status"] = "on_track"
    else:
        out["status"] = "not_met"
    return _labelled(out)


def target_text(comparison: str, value, unit_of_measure: str) -> dict:
    """A target as people read it: {"vi": "giảm ít nhất 2 điểm phần trăm so với năm trước", "en": ...}."""
    number = format(Decimal(str(value)).normalize(), "f")
    out = {}
    for lang in ("vi", "en"):
        unit = POINTS_EN if lang == "en" and unit_of_measure == POINTS else unit_of_measure
        out[lang] = COMPARISONS[comparison][lang].replace("…", f"{number} {unit}".strip())
    return out


def unit_of(indicator: str, comparison: str) -> str:
    """The unit a target's value is in: percentage points for a change of a rate."""
    unit = TARGET_INDICATORS[indicator]["unit"]
    return POINTS if comparison in CHANGES and unit == "%" else unit


def _labelled(out: dict) -> dict:
    out["status_label"] = STATUS_LABELS[out["status"]]
    return out


# --- checking what people type --------------------------------------------------------------------------------

FIELD_NAMES = {"unit_code": ("Mã đơn vị", "Unit code"), "year": ("Năm", "Year"), "indicator": ("Chỉ số", "Indicator"),
               "comparison": ("Cách so sánh", "Comparison"), "target_value": ("Giá trị chỉ tiêu", "Target value"),
               "value": ("Giá trị", "Value"), "source": ("Nguồn", "Source"), "note": ("Ghi chú", "Note"),
               "unit_of_measure": ("Đơn vị tính", "Unit of measure")}


def _error(field: str, vi: str, en: str) -> dict:
    """A field's error whose message names the field as the form labels it."""
    name_vi, name_en = FIELD_NAMES[field]
    return field_error(field, f"{name_vi}: {vi}", f"{name_en}: {en}")


def _number(raw, field: str, errors: list) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 69,41 as Vietnamese write it
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(_error(field, "phải là một số (ví dụ 69,41).", "must be a number (e.g. 69.41)."))
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e13"):
        errors.append(_error(field, "số không hợp lệ.", "not a valid number."))
        return None
    return value


def _text(data: dict, field: str, errors: list, required: bool = True) -> str | None:
    value = " ".join(str(data.get(field) or "").split())
    if not value:
        if required:
            errors.append(_error(field, "bắt buộc.", "required."))
        return None
    if len(value) > TEXT_MAX:
        errors.append(_error(field, f"dài quá {TEXT_MAX} ký tự.", f"longer than {TEXT_MAX} characters."))
        return None
    return value


def _year(data: dict, errors: list) -> int | None:
    raw = str(data.get("year") or "").strip()
    if not raw.isdigit() or not YEARS[0] <= int(raw) <= YEARS[1]:
        errors.append(_error("year", f"phải từ {YEARS[0]} đến {YEARS[1]}.",
                                  f"must be from {YEARS[0]} to {YEARS[1]}."))
        return None
    return int(raw)


def _unit(data: dict, actor, errors: list) -> str | None:
    code = str(data.get("unit_code") or "").strip()
    if not code or db.session.get(Unit, code) is None:
        errors.append(_error("unit_code", f"không có đơn vị mã '{code}'.", f"there is no unit '{code}'."))
        return None
    if actor is not None and not can_access(actor, code):
        errors.append(_error("unit_code", f"đơn vị {code} nằm ngoài địa bàn được giao cho bạn.",
                                  f"unit {code} is outside your assigned area."))
        return None
    return code


def _choice(data: dict, field: str, choices, errors: list) -> str | None:
    value = str(data.get(field) or "").strip()
    if value not in choices:
        errors.append(_error(field, f"phải là một trong {', '.join(choices)}.",
                                  f"must be one of {', '.join(choices)}."))
        return None
    return value


def _external_value(indicator: str, value: Decimal, errors: list) -> Decimal | None:
    """Check a value against its indicator's kind."""
    kind = EXTERNAL_INDICATORS[indicator]["kind"]
    bad = {"fact": value not in (0, 1), "count": value < 0 or value != value.to_integral_value(),
           "pct": not 0 <= value <= 100, "km": value < 0, "money": value < 0}[kind]
    if bad:
        vi = {"fact": "phải là 1 (có) hoặc 0 (không).", "count": "phải là số nguyên không âm.",
              "pct": "phải từ 0 đến 100.", "km": "không được âm.", "money": "không được âm."}[kind]
        en = {"fact": "must be 1 (yes) or 0 (no).", "count": "must be a whole number, not negative.",
              "pct": "must be from 0 to 100.", "km": "must not be negative.", "money": "must not be negative."}[kind]
        errors.append(_error("value", vi, en))
        return None
    return value


# --- adding and editing ---------------------------------------------------------------------------------------

def _who(actor) -> str:
    return getattr(actor, "username", None) or "cli"


def _fact(row, fields) -> dict:
    """The audited content of a row: its fields as JSON can carry them."""
    out = {}
    for f in fields:
        v = getattr(row, f)
        out[f] = float(v) if isinstance(v, Decimal) else v
    return out


TARGET_FIELDS = ("unit_code", "year", "indicator", "comparison", "target_value", "source", "note")
FIGURE_FIELDS = ("unit_code", "year", "indicator", "value", "unit_of_measure", "source", "note")


def save_target(actor, data: dict, target_id: int | None = None) -> PlanTarget:
    """Add a target, or edit the one with `target_id`; every field checked (422 naming it); audited."""
    errors: list = []
    values = {"unit_code": _unit(data, actor, errors), "year": _year(data, errors),
              "indicator": _choice(data, "indicator", TARGET_INDICATORS, errors),
              "comparison": _choice(data, "comparison", COMPARISONS, errors),
              "target_value": _number(data.get("target_value"), "target_value", errors),
              "source": _text(data, "source", errors), "note": _text(data, "note", errors, required=False)}
    row = _existing(PlanTarget, target_id, actor, errors)
    _refuse_clash(PlanTarget, row, values, errors, ("đơn vị đã có chỉ tiêu này cho năm đó: hãy sửa chỉ tiêu đó.",
                                                    "the unit already has this target for that year: edit that one."))
    return _write(PlanTarget, row, values, TARGET_FIELDS, actor, "plan_target", updated_by=_who(actor),
                  updated_at=utcnow())


def save_external_figure(actor, data: dict, figure_id: int | None = None) -> ExternalFigure:
    """Add an external figure, or edit the one with `figure_id`; every field checked; audited."""
    errors: list = []
    indicator = _choice(data, "indicator", EXTERNAL_INDICATORS, errors)
    value = _number(data.get("value"), "value", errors)
    if indicator and value is not None:
        value = _external_value(indicator, value, errors)
    spec = EXTERNAL_INDICATORS.get(indicator or "", {})
    unit_of_measure = _text(data, "unit_of_measure", errors, required=False) or spec.get("unit") \
        or UNITS_OF_MEASURE.get(spec.get("kind"), "")
    values = {"unit_code": _unit(data, actor, errors), "year": _year(data, errors), "indicator": indicator,
              "value": value, "unit_of_measure": unit_of_measure, "source": _text(data, "source", errors),
              "note": _text(data, "note", errors, required=False)}
    row = _existing(ExternalFigure, figure_id, actor, errors)
    _refuse_clash(ExternalFigure, row, values, errors,
                  ("đơn vị đã có số liệu này cho năm đó: hãy sửa số liệu đó.",
                   "the unit already has this figure for that year: edit that one."))
    return _write(ExternalFigure, row, values, FIGURE_FIELDS, actor, "external_figure", entered_by=_who(actor),
                  entered_at=utcnow())


def _refuse_clash(model, row, values: dict, errors: list, message: tuple[str, str]) -> None:
    """422 with every error found, one more on `indicator` when another row has the same unit, year and
    indicator (each is unique: edit that one instead)."""
    if not errors:
        clash = db.session.execute(select(model).where(
            model.unit_code == values["unit_code"], model.year == values["year"],
            model.indicator == values["indicator"])).scalar_one_or_none()
        if clash is not None and clash is not row:
            errors.append(_error("indicator", *message))
    if errors:
        raise Problem("validation_failed", fields=errors)


def _existing(model, row_id, actor, errors):
    """The row being edited (None when adding); one outside the actor's area is not found."""
    if row_id is None:
        return None
    row = db.session.get(model, row_id)
    if row is None or (actor is not None and not can_access(actor, row.unit_code)):
        raise Problem("not_found")
    return row


def _write(model, row, values, fields, actor, kind, **stamp):
    """Insert or update, and audit the change with the values before and after."""
    before = None if row is None else _fact(row, fields)
    if row is None:
        row = model(**values, **stamp)
        db.session.add(row)
    else:
        for key, value in {**values, **stamp}.items():
            setattr(row, key, value)
    db.session.flush()
    after = _fact(row, fields)
    action = f"{kind}.created" if before is None else f"{kind}.updated"
    _audit(action, actor, kind, row, before=before, after=after)
    return row


def _audit(action, actor, kind, row, **detail):
    """One audit entry per change (literal codes: tests/audit checks every code written has a label)."""
    where = {"actor_name": None if actor else "cli", "target_type": kind, "target_id": row.id,
             "unit_code": row.unit_code}
    if action == "plan_target.created":
        record_event("plan_target.created", actor, **where, **detail)
    elif action == "plan_target.updated":
        record_event("plan_target.updated", actor, **where, **detail)
    elif action == "external_figure.created":
        record_event("external_figure.created", actor, **where, **detail)
    else:
        record_event("external_figure.updated", actor, **where, **detail)


# --- reading ---------------------------------------------------------------------------------------------------

def _in_area(stmt, model, actor):
    if actor is None:
        return stmt
    from server.core.scoping import units_below

    return stmt.where(model.unit_code.in_(select(Unit.code).where(units_below(actor))))


def list_targets(year: int | None = None, unit_code: str | None = None, actor=None) -> list[PlanTarget]:
    """Targets (of a year, of a unit), those in the actor's area, by year, unit and indicator."""
    return _listed(PlanTarget, year, unit_code, actor)


def list_external_figures(year: int | None = None, unit_code: str | None = None, actor=None) -> list[ExternalFigure]:
    """External figures (of a year, of a unit) in the actor's area, by year, unit and indicator."""
    return _listed(ExternalFigure, year, unit_code, actor)


def _listed(model, year, unit_code, actor) -> list:
    stmt = select(model)
    if year is not None:
        stmt = stmt.where(model.year == year)
    if unit_code is not None:
        stmt = stmt.where(model.unit_code == unit_code)
    stmt = _in_area(stmt, model, actor).order_by(model.year.desc(), model.unit_code, model.indicator)
    return list(db.session.execute(stmt).scalars())


def typed_value(indicator: str, value: Decimal):
    """An external figure as the rule engine reads it: a fact as True/False, a count as int, else a float."""
    kind = EXTERNAL_INDICATORS.get(indicator, {}).get("kind")
    if kind == "fact":
        return value == 1
    if kind == "count":
        return int(value)
    return float(value)


def external_status_figures(year: int, units) -> dict[str, dict]:
    """The external figures of `year` the status criteria read, per unit; an `inherit` figure entered for a
    commune or the province also applies to the units below it that have none."""
    codes = {u.code for u in units}
    ancestors = {a for u in units for a in (u.commune_code, u.province_code) if a}
    rows = db.session.execute(select(ExternalFigure).where(
        ExternalFigure.year == year, ExternalFigure.unit_code.in_(codes | ancestors),
        ExternalFigure.indicator != "income_per_capita")).scalars().all()
    by_unit: dict[str, dict] = {}
    for r in rows:
        by_unit.setdefault(r.unit_code, {})[r.indicator] = typed_value(r.indicator, r.value)
    out = {}
    for u in units:
        own = dict(by_unit.get(u.code, {}))
        for key, spec in EXTERNAL_INDICATORS.items():
            if spec.get("inherit") and key not in own:
                for a in (u.commune_code, u.province_code):
                    if a and a != u.code and key in by_unit.get(a, {}):
                        own[key] = by_unit[a][key]
                        break
        out[u.code] = own
    return out


def _external(unit_code: str, year: int, indicator: str):
    row = db.session.execute(select(ExternalFigure).where(
        ExternalFigure.unit_code == unit_code, ExternalFigure.year == year,
        ExternalFigure.indicator == indicator)).scalar_one_or_none()
    return None if row is None else (row.value, row)


class _Values:
    """The current values of a unit's indicators for one year, computed once per source."""

    def __init__(self, unit_code, basis, actor):
        self.unit_code, self.basis, self.actor = unit_code, basis, actor
        self._tables, self._changes = {}, {}

    def row(self, year):
        if year not in self._tables:
            from server.indicators.operations import indicator_table

            try:
                table = indicator_table(year, self.unit_code, basis=self.basis, actor=self.actor)
            except Problem as problem:  # a year no rule set covers has no figures
                if problem.code != "validation_failed":
                    raise
                table = {"rows": []}
            self._tables[year] = next((r for r in table["rows"] if r["code"] == self.unit_code), None)
        return self._tables[year]

    def changes(self, year):
        if year not in self._changes:
            from server.indicators.status import status_changes

            self._changes[year] = status_changes(year, self.unit_code, self.basis, actor=self.actor)
        return self._changes[year]

    def value(self, indicator: str, year: int) -> tuple[object, dict]:
        """(value or None, where it came from)."""
        spec = TARGET_INDICATORS[indicator]
        if spec["from"] == "external":
            found = _external(self.unit_code, year, indicator)
            if found is None:
                return None, {"from": "external"}
            value, row = found
            return value, {"from": "external", "source": row.source, "entered_by": row.entered_by,
                           "unit_of_measure": row.unit_of_measure}
        if spec["from"] == "status":
            ch = self.changes(year)
            level = spec["level"]
            official = _official_leavers(self.unit_code, year, level)
            counts = ch["counts"][level]
            return counts["leave"], {"from": "status", "indicative": True, "criteria": ch["criteria"],
                                     "official_leavers": official, "undetermined": counts["undetermined"],
                                     "no_official": counts["no_official"]}
        row = self.row(year)
        if row is None:
            return None, {"from": "table"}
        if not row.get("counted"):
            return None, {"from": "table", "missing": {"vi": "Chưa có phiếu nào được tính cho năm này.",
                                                       "en": "No form of this year is counted yet."}}
        if spec["from"] == "dtts_mn":
            reading = (row.get("dtts_mn_poverty_rate") or {}).get(spec["reading"]) or {}
            return reading.get("rate"), {"from": "table", "reading": spec["reading"], "label": reading.get("label"),
                                         "missing": reading.get("missing")}
        missing = (row.get("rate_missing") or {}).get("persons" if "persons" in spec["key"] else "households")
        return row.get(spec["key"]), {"from": "table", "missing": missing}


def _official_leavers(unit_code: str, year: int, level: str) -> int:
    """Units below `unit_code` officially ĐBKK on 1 January of `year` and no longer so on 31 December (by the
    approved lists imported)."""
    from server.indicators.status import DISADVANTAGED, official_on, units_under

    codes = [u.code for u in units_under(unit_code, year=year) if u.level == level]
    start, end = official_on(codes, date(year, 1, 1)), official_on(codes, date(year, 12, 31))
    worst = DISADVANTAGED[level]
    return sum(1 for c in codes if c in start and start[c].status == worst and c in end
               and end[c].status != worst)


def evaluate_targets(year: int, unit_code: str, basis: str = "approved", *, actor=None,
                     as_of: date | None = None) -> list[dict]:
    """Every target of `unit_code` for `year`, evaluated: current value, baseline, gap, status (see above)."""
    if db.session.get(Unit, unit_code) is None:
        raise Problem("unit_unknown", unit=unit_code)
    if actor is not None and not can_access(actor, unit_code):
        raise Problem("out_of_scope", unit=unit_code)
    day = as_of or local_today()
    values = _Values(unit_code, basis, actor)
    out = []
    for t in list_targets(year, unit_code):
        spec = TARGET_INDICATORS[t.indicator]
        current, origin = values.value(t.indicator, year)
        # Last year's value: what a change is measured from, and where the progress of a level starts; a count
        # of units leaving ĐBKK status is a flow of the year, which starts from none.
        baseline = values.value(t.indicator, year - 1)[0] \
            if t.comparison in CHANGES or spec["from"] != "status" else None
        result = evaluate({"indicator": t.indicator, "year": year, "comparison": t.comparison,
                           "target_value": t.target_value}, current, baseline, as_of=day)
        if result["status"] == "unknown" and current is None and isinstance(origin.get("missing"), dict) \
                and "vi" in origin["missing"]:
            result["reason"] = origin["missing"]
        result.update(id=t.id, unit_code=t.unit_code, year=t.year, indicator=t.indicator,
                      indicator_label={"vi": spec["vi"], "en": spec["en"]},
                      unit_of_measure=unit_of(t.indicator, t.comparison), comparison_label=COMPARISONS[t.comparison],
                      target_text=target_text(t.comparison, t.target_value, unit_of(t.indicator, t.comparison)),
                      source=t.source, note=t.note, basis=basis,
                      origin=origin, indicative=bool(origin.get("indicative")),
                      provisional=basis != "recognised" or result["pace"] < 1)
        out.append(result)
    return out


# --- the plans of config/plans/ -------------------------------------------------------------------------------

def seed_plan(path: str | Path | None = None, actor=None) -> dict:
    """Enter the targets of a plan file (config/plans/*.json; default: every file there) as data: a target
    already stored for the same unit, year and indicator is updated to the file's values. Audited per change."""
    paths = [Path(path)] if path else sorted(PLANS_DIR.glob("*.json"))
    report = {"created": 0, "updated": 0, "unchanged": 0}
    for p in paths:
        plan = json.loads(Path(p).read_text(encoding="utf-8"))
        for t in plan["targets"]:
            data = {"unit_code": plan["unit_code"], "year": plan["year"], "indicator": t["indicator"],
                    "comparison": t["comparison"], "target_value": t["value"], "source": plan["source"],
                    "note": t.get("note")}
            stored = db.session.execute(select(PlanTarget).where(
                PlanTarget.unit_code == data["unit_code"], PlanTarget.year == data["year"],
                PlanTarget.indicator == data["indicator"])).scalar_one_or_none()
            if stored is not None and (stored.comparison, _dec(stored.target_value), stored.source, stored.note) \
                    == (data["comparison"], _dec(data["target_value"]), data["source"], data["note"]):
                report["unchanged"] += 1
                continue
            save_target(actor, data, None if stored is None else stored.id)
            report["updated" if stored is not None else "created"] += 1
    return report
