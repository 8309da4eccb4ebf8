"""The criteria that village and commune DTTS&MN status is built from; thresholds come from config/rules/area-status/.

Each criterion reads a unit's figures and answers True, False or None (a figure it needs is missing, or the
criterion itself is not confirmed), with a reason a supervisor can read.
"""
from fractions import Fraction

# Figures a unit may report: counts, percentages (0-100) and yes/no facts.
COUNTS = ("households", "poor_households", "near_poor_households", "dtts_households", "poor_dtts_households",
          "dtts_people", "households_off_grid", "dtts_people_15_60", "dtts_people_15_60_illiterate", "workers",
          "workers_untrained")
PERCENTAGES = ("road_unpaved_pct", "area_high_or_steep_pct", "village_roads_hardened_pct",
               "national_multidim_poverty_rate_pct")
DISTANCES = ("road_km_from_district_centre",)
FACTS = ("has_road_to_centre", "road_impassable_in_rainy_season", "has_national_grid", "ntm_certified")


def share(part, whole):
    """part / whole × 100 as an exact fraction (0 when whole is 0)."""
    return Fraction(part * 100, whole) if whole else Fraction(0)


def show(x):
    """A figure as people read it: 23.53, or yes/no."""
    if isinstance(x, bool):
        return "có/yes" if x else "không/no"
    return f"{float(x):.2f}".rstrip("0").rstrip(".")


class Criterion:
    """A named test: the figures it needs, how it computes its figure, how it compares, and its wording."""

    def __init__(self, needs, figure, test, vi, en, threshold=True):
        self.needs, self.figure, self.test, self.vi, self.en, self.threshold = needs, figure, test, vi, en, threshold


def _rate(key):
    return lambda f: share(f[key], f["households"])


def _pct_of(part, whole):
    return lambda f: share(f[part], f[whole])


def _ge(x, v, f):
    return x >= v


def _gt(x, v, f):
    return x > v


def _lt(x, v, f):
    return x < v


def _yes(x, v, f):
    return x


def _times_national(x, v, f):
    return x >= v * Fraction(str(f["national_multidim_poverty_rate_pct"]))


CRITERIA = {
    "dtts_households_pct_at_least": Criterion(
        ("households", "dtts_households"), _rate("dtts_households"), _ge,
        "Hộ DTTS chiếm {figure}% số hộ (ngưỡng: từ {value}%)",
        "Ethnic-minority households are {figure}% of households (threshold: at least {value}%)"),
    "dtts_people_at_least": Criterion(
        ("dtts_people",), lambda f: f["dtts_people"], _ge,
        "Có {figure} người DTTS (ngưỡng: từ {value} người)",
        "{figure} ethnic-minority people (threshold: at least {value})"),
    "mountain_area_pct_at_least": Criterion(
        ("area_high_or_steep_pct",), lambda f: Fraction(str(f["area_high_or_steep_pct"])), _ge,
        "{figure}% diện tích ở độ cao từ 200 m hoặc độ dốc từ 15% (ngưỡng: từ {value}%)",
        "{figure}% of the area lies at 200 m or more, or on a 15% slope or more (threshold: at least {value}%)"),
    "poverty_rate_pct_at_least": Criterion(
        ("households", "poor_households"), _rate("poor_households"), _ge,
        "Tỷ lệ hộ nghèo {figure}% (ngưỡng: từ {value}%)", "Poverty rate {figure}% (threshold: at least {value}%)"),
    "poverty_rate_pct_below": Criterion(
        ("households", "poor_households"), _rate("poor_households"), _lt,
        "Tỷ lệ hộ nghèo {figure}% (ngưỡng: dưới {value}%)", "Poverty rate {figure}% (threshold: below {value}%)"),
    "poor_dtts_share_pct_above": Criterion(
        ("poor_households", "poor_dtts_households"), _pct_of("poor_dtts_households", "poor_households"), _gt,
        "Hộ nghèo DTTS chiếm {figure}% số hộ nghèo (ngưỡng: trên {value}%)",
        "Ethnic-minority households are {figure}% of poor households (threshold: above {value}%)"),
    "no_road_to_centre": Criterion(
        ("has_road_to_centre", "road_impassable_in_rainy_season"),
        lambda f: not f["has_road_to_centre"] or f["road_impassable_in_rainy_season"], _yes,
        "Chưa có đường đến trung tâm xã, hoặc mùa mưa đi lại rất khó khăn: {figure}",
        "No road to the commune centre, or very hard to travel in the rainy season: {figure}", threshold=False),
    "no_national_grid": Criterion(
        ("has_national_grid",), lambda f: not f["has_national_grid"], _yes,
        "Chưa có điện lưới quốc gia: {figure}", "Not on the national grid: {figure}", threshold=False),
    "households_off_grid_pct_above": Criterion(
        ("households", "households_off_grid"), _rate("households_off_grid"), _gt,
        "{figure}% số hộ chưa dùng điện lưới quốc gia (ngưỡng: trên {value}%)",
        "{figure}% of households are not on the national grid (threshold: above {value}%)"),
    "ntm_certified": Criterion(
        ("ntm_certified",), lambda f: f["ntm_certified"], _yes,
        "Đã đạt chuẩn nông thôn mới: {figure}", "Certified new-rural (NTM): {figure}", threshold=False),
    "not_ntm_certified": Criterion(
        ("ntm_certified",), lambda f: not f["ntm_certified"], _yes,
        "Chưa đạt chuẩn nông thôn mới: {figure}", "Not certified new-rural (NTM): {figure}", threshold=False),
    "illiterate_dtts_15_60_pct_at_least": Criterion(
        ("dtts_people_15_60", "dtts_people_15_60_illiterate"),
        _pct_of("dtts_people_15_60_illiterate", "dtts_people_15_60"), _ge,
        "{figure}% người DTTS 15-60 tuổi chưa biết đọc, viết tiếng Việt (ngưỡng: từ {value}%)",
        "{figure}% of ethnic-minority people aged 15-60 cannot read and write Vietnamese "
        "(threshold: at least {value}%)"),
    "untrained_workers_pct_above": Criterion(
        ("workers", "workers_untrained"), _pct_of("workers_untrained", "workers"), _gt,
        "{figure}% lao động chưa qua đào tạo từ 3 tháng trở lên (ngưỡng: trên {value}%)",
        "{figure}% of workers have no training of 3 months or more (threshold: above {value}%)"),
    "district_road_km_above": Criterion(
        ("road_km_from_district_centre",), lambda f: Fraction(str(f["road_km_from_district_centre"])), _gt,
        "Đường từ trung tâm huyện (cũ) dài {figure} km (ngưỡng: trên {value} km)",
        "The road from the former district centre is {figure} km (threshold: above {value} km)"),
    "district_road_unpaved_pct_above": Criterion(
        ("road_unpaved_pct",), lambda f: Fraction(str(f["road_unpaved_pct"])), _gt,
        "{figure}% đường đó chưa được cứng hóa (ngưỡng: trên {value}%)",
        "{figure}% of that road is unpaved (threshold: above {value}%)"),
    "multidim_poverty_rate_times_national_at_least": Criterion(
        ("households", "poor_households", "near_poor_households", "national_multidim_poverty_rate_pct"),
        lambda f: share(f["poor_households"] + f["near_poor_households"], f["households"]),
        _times_national,
        "Tỷ lệ nghèo đa chiều {figure}% (ngưỡng: từ {value} lần tỷ lệ cả nước)",
        "Multidimensional poverty rate {figure}% (threshold: at least {value} times the national rate)"),
    "village_roads_hardened_pct_below": Criterion(
        ("village_roads_hardened_pct",), lambda f: Fraction(str(f["village_roads_hardened_pct"])), _lt,
        "{figure}% đường thôn được cứng hóa (ngưỡng: dưới {value}%)",
        "{figure}% of village roads are hardened (threshold: below {value}%)"),
    "unconfirmed": Criterion(
        (), None, None,
        "Tiêu chí chưa được xác nhận, chưa tính được: {description}",
        "Criterion not confirmed, cannot be computed: {description}", threshold=False),
}


def evaluate_leaf(node, figures):
    """Evaluate one criterion on the figures: (True | False | None, reason)."""
    c = CRITERIA[node["criterion"]]
    reason = {"criterion": node["criterion"], "tag": node["tag"], "source": node["source"]}
    if c.figure is None:
        text = {"description": node.get("description", "")}
        return None, {**reason, "met": None, "vi": c.vi.format(**text), "en": c.en.format(**text)}
    missing = [k for k in c.needs if figures.get(k) is None]
    if missing:
        return None, {**reason, "met": None, "missing": missing, "vi": "Thiếu số liệu: " + ", ".join(missing),
                      "en": "Figures missing: " + ", ".join(missing)}
    figure, value = c.figure(figures), node.get("value")
    threshold = Fraction(str(value)) if value is not None else None
    met = bool(c.test(figure, threshold, figures))
    words = {"figure": show(figure), "value": show(threshold) if threshold is not None else ""}
    reason.update(met=met, figure=figure if isinstance(figure, bool) else round(float(figure), 2),
                  threshold=float(threshold) if threshold is not None else None,
                  vi=c.vi.format(**words), en=c.en.format(**words))
    return met, reason
