"""Record factory for the rule-engine tests: a household with no deficits, and helpers to change one thing."""
import copy
import uuid
from datetime import date
from pathlib import Path

from server.poverty import classify, load_rule_set, validate_record

FIXTURES = Path(__file__).parent / "poverty" / "fixtures"
INTERVIEW_DAY = date(2025, 10, 5)
RURAL_COMMUNE = "06529"  # Xã Lộc Bình, Lạng Sơn
URBAN_COMMUNE = "05977"  # Phường Đông Kinh, Lạng Sơn


def born_aged(years, *, days_after_birthday=0, day=INTERVIEW_DAY):
    """A birth date making someone exactly `years` old at `day` (a few days after the birthday if asked)."""
    birthday = day.replace(year=day.year - years)
    return date.fromordinal(birthday.toordinal() - days_after_birthday).isoformat()


def person(line, **fields):
    """A member aged 35 with nothing that counts as a deficit."""
    out = {"line": line, "name": f"Thành viên {line}", "relation": "head" if line == 1 else "spouse",
           "sex": "male" if line % 2 else "female", "birth_date": born_aged(35, days_after_birthday=100),
           "ethnicity": "tay", "health_insurance": True, "schooling": "not_attending",
           "highest_diploma": "upper_secondary", "employment": "self_employed", "disability": "none"}
    out.update(fields)
    return out


def base_record(**fields):
    """A valid 2025 record of a rural household of two adults with no deficit and income well above the line."""
    out = {
        "id": str(uuid.uuid4()), "form_version": "2025.1", "review_year": 2025, "review_type": "periodic",
        "commune_code": RURAL_COMMUNE, "village_code": "T-06529-01",
        "interview": {"started_at": f"{INTERVIEW_DAY.isoformat()}T08:30:00+07:00", "enumerator": "u1"},
        "quick_screen": {"items": [], "stopped": False},
        "income": {"method": "actual", "annual_income_vnd": 2 * 12 * 10_000_000},
        "members": [person(1), person(2)],
        "housing": {"floor_area_m2": 60, "durable": {"foundation": True, "walls": True, "roof": True}},
        "water_source": "piped", "toilet": "septic", "internet_use": True, "info_devices": ["tv"],
    }
    out.update(copy.deepcopy(fields))
    return out


def params(rule_set_name, kind):
    """The parameter values an indicator kind has in a shipped rule set (tests read, never retype, the law)."""
    data = load_rule_set(rule_set_name).data
    ind = next(i for i in data["indicators"] if i["kind"] == kind)
    return {name: p["value"] for name, p in ind["params"].items()}, ind["number"]


def result_of(record, rule_set=None, **kw):
    """Validate then classify."""
    return classify(validate_record(record, rule_set), rule_set, **kw)


def turning_tomorrow(years, day=INTERVIEW_DAY):
    """A birth date for someone who reaches `years` the day after `day` (so is still years - 1)."""
    return date.fromordinal(date(day.year - years, day.month, day.day).toordinal() + 1).isoformat()


def born_months_ago(months, day=INTERVIEW_DAY):
    """A birth date making someone exactly `months` months old at `day`."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, day.day).isoformat()


def deficits_of(record, rule_set=None):
    """The indicator numbers a record is deprived on."""
    return result_of(record, rule_set)["deficits"]
