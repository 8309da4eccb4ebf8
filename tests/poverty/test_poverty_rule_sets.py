"""Rule files: every legal figure cited and tagged; a broken file refused naming its key; reloaded when edited."""
import json
import os

import pytest

from server.poverty import RuleSetError, load_rule_set, rule_set_for_year, rule_set_names
from server.poverty import rules
from server.poverty.codes import QUICK_SCREEN_DIR, RULES_DIR
from server.poverty.quick_screen import load_quick_screen

SHIPPED = json.loads((RULES_DIR / "2022-2026.json").read_text(encoding="utf-8"))


def cited_values(node, path=""):
    """Yield (path, node) for every {"value": ...} object in a rule file."""
    if isinstance(node, dict):
        if "value" in node:
            yield path, node
        for key, sub in node.items():
            if key != "value":
                yield from cited_values(sub, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from cited_values(sub, f"{path}[{i}]")


@pytest.mark.parametrize("name", ["2022-2026", "2027-2030"])
def test_every_value_carries_its_citation_and_tag(name):
    data = json.loads((RULES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    values = list(cited_values(data))
    assert len(values) > 20
    for path, node in values:
        assert node["tag"] in ("C", "P", "U"), path
        assert node["source"].strip(), path
        if node["value"] is None:
            assert node["tag"] == "U" and node.get("note"), path  # a missing figure says why


def test_2027_is_provisional_and_its_unknowns_are_absent_not_invented():
    rule_set = load_rule_set("2027-2030")
    assert rule_set.provisional and not load_rule_set("2022-2026").provisional
    assert rule_set.middle_upper == {"rural": None, "urban": None}
    assert rule_set.b1_thresholds == {"rural": None, "urban": None}
    assert "info_devices" not in [i.kind for i in rule_set.indicators]
    assert "waste" in [i.kind for i in rule_set.indicators]


def test_rule_sets_are_listed_and_chosen_by_year():
    assert rule_set_names() == ["2022-2026", "2027-2030"]
    for year in range(2022, 2031):
        rule_set = rule_set_for_year(year)
        assert rule_set.covers(year) and rule_set.name == ("2022-2026" if year <= 2026 else "2027-2030")
    for year in (2021, 2031):
        with pytest.raises(RuleSetError) as e:
            rule_set_for_year(year)
        assert e.value.key == "review_year" and str(year) in e.value.message["vi"]


def broken(tmp_path, change):
    """Write a copy of the 2022-2026 file with one change and return the RuleSetError it raises."""
    data = json.loads(json.dumps(SHIPPED))
    change(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RuleSetError) as e:
        load_rule_set(str(path))
    assert set(e.value.message) == {"vi", "en"}
    assert e.value.file == str(path)
    return e.value.key


def ind(data, kind):
    return next(i for i in data["indicators"] if i["kind"] == kind)


@pytest.mark.parametrize("change, key", [
    (lambda d: d["income_lines_vnd"]["rural"].update(value="1.500.000"), "income_lines_vnd.rural.value"),
    (lambda d: d["income_lines_vnd"]["urban"].pop("tag"), "income_lines_vnd.urban.tag"),
    (lambda d: d["income_lines_vnd"]["urban"].update(tag="X"), "income_lines_vnd.urban.tag"),
    (lambda d: d["income_lines_vnd"]["urban"].pop("source"), "income_lines_vnd.urban.source"),
    (lambda d: d["middle_band_upper_vnd"]["rural"].update(value=1_000_000), "middle_band_upper_vnd.rural.value"),
    (lambda d: d.update(colour="blue"), "colour"),
    (lambda d: d["indicators"][3].update(kind="luck"), "indicators[3].kind"),
    (lambda d: d["indicators"][4].update(number=1), "indicators[4].number"),
    (lambda d: ind(d, "floor_area")["params"]["min_m2_per_person"].update(value="8"),
     "indicators[7].params.min_m2_per_person.value"),
    (lambda d: ind(d, "water")["params"]["safe_sources"].update(value=["piped", "river"]),
     "indicators[8].params.safe_sources.value[1]"),
    (lambda d: ind(d, "water")["params"].update(extra={"value": 1, "tag": "U", "source": "x"}),
     "indicators[8].params.extra"),
    (lambda d: ind(d, "health_insurance")["params"].pop("min_age"), "indicators[3].params.min_age"),
    (lambda d: ind(d, "employment")["params"]["retirement_age"]["value"]["male"].pop("2024"),
     "indicators[0].params.retirement_age.value.male"),
    (lambda d: ind(d, "child_schooling")["params"]["levels_by_age"]["value"].pop(0),
     "indicators[5].params.levels_by_age.value"),
    (lambda d: ind(d, "adult_education")["params"]["bands"]["value"][1].update(min_age=17),
     "indicators[4].params.bands.value[1].min_age"),
    (lambda d: d["quick_screen_form"].update(value="no-such-form"), "quick_screen_form.value"),
])
def test_broken_rule_file_is_refused_naming_the_key(tmp_path, change, key):
    assert broken(tmp_path, change) == key


def test_unreadable_and_unknown_rule_files(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuleSetError):
        load_rule_set(str(path))
    with pytest.raises(RuleSetError) as e:
        load_rule_set("1999-2001")
    assert "1999-2001" in e.value.message["en"]


def test_broken_quick_screen_definition_is_refused_naming_the_key(tmp_path):
    data = json.loads((QUICK_SCREEN_DIR / "tt07-2021.json").read_text(encoding="utf-8"))
    data["groups"][1]["stop_if_at_least"]["value"] = 0
    (tmp_path / "tt07-2021.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuleSetError) as e:
        load_quick_screen("tt07-2021", tmp_path)
    assert e.value.key == "groups[1].stop_if_at_least.value"


def test_an_edited_rule_file_is_reloaded(tmp_path, monkeypatch):
    monkeypatch.setattr(rules, "RECHECK_SECONDS", 0)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(SHIPPED), encoding="utf-8")
    first = load_rule_set(str(path))
    assert load_rule_set(str(path)) is first
    data = json.loads(json.dumps(SHIPPED))
    data["income_lines_vnd"]["rural"]["value"] += 1
    path.write_text(json.dumps(data), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))
    assert load_rule_set(str(path)).lines["rural"] == first.lines["rural"] + 1
