"""The label files of the forms: the shipped ones load; a broken one is refused naming the file and the key."""
import copy

import pytest

from server.surveys.labels import FORMS_DIR, KINDS, LabelsInvalid, check_labels, labels


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_label_files_load(kind):
    assert labels(kind)["sections"] and labels(kind)["keys"]


def test_only_the_household_file_must_hold_the_common_words():
    assert "words" in labels("household")
    village = copy.deepcopy(labels("village"))
    check_labels(village)
    with pytest.raises(LabelsInvalid) as e:
        check_labels(village, with_words=True)
    assert e.value.key == ""


BROKEN = [
    (lambda d: d["keys"]["members.sex"].pop("en"), "keys.members.sex"),
    (lambda d: d["keys"]["members.sex"].update(vi=" "), "keys.members.sex.vi"),
    (lambda d: d["keys"]["members.sex"].update(codes="gender"), "keys.members.sex.codes"),
    (lambda d: d["keys"]["members.sex"].update(colour="red"), "keys.members.sex.colour"),
    (lambda d: d["sections"][0]["keys"].append("nowhere"), "sections[0].keys[9]"),
    (lambda d: d["sections"][0].update(title={"vi": "Chung"}), "sections[0].title"),
    (lambda d: d["codes"]["sex"].update(other="Khác"), "codes.sex.other"),
    (lambda d: d["words"]["yes"].update(en=1), "words.yes.en"),
    (lambda d: d.update(sections=[]), "sections"),
    (lambda d: d.update(extra={}), "extra"),
]


@pytest.mark.parametrize("break_it, key", BROKEN, ids=[key for _, key in BROKEN])
def test_a_broken_label_file_is_refused_naming_the_key(break_it, key):
    data = copy.deepcopy(labels("household"))
    break_it(data)
    with pytest.raises(LabelsInvalid) as e:
        check_labels(data, str(FORMS_DIR / "household" / "labels.json"), with_words=True)
    assert e.value.key == key
    assert str(e.value).startswith(str(FORMS_DIR / "household" / "labels.json"))
