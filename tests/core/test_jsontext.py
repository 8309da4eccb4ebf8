"""server.core.jsontext: what a JSON body may hold before any validation runs (no database needed)."""

from __future__ import annotations

import unicodedata

import pytest

from server.core import jsontext
from server.core.errors import Problem
from server.poverty.messages import CATALOGUE


def refused(fn, *args) -> dict:
    with pytest.raises(Problem) as e:
        fn(*args)
    return e.value.to_dict()


def test_every_text_and_key_comes_back_nfc():
    nfd = unicodedata.normalize("NFD", "Nông Thị Hằng")
    out = jsontext.clean({nfd: [nfd, {"tên": nfd}], "n": 3})
    assert out == {"Nông Thị Hằng": ["Nông Thị Hằng", {"tên": "Nông Thị Hằng"}], "n": 3}


def test_tabs_and_newlines_pass_other_control_characters_do_not():
    assert jsontext.clean({"note": "a\tb\r\nc"}) == {"note": "a\tb\r\nc"}
    body = refused(jsontext.clean, {"a": ["ok", "x\x00y"], "b": "\x85"})
    assert [f["path"] for f in body["fields"]] == ["a[1]", "b"]


def test_nesting_is_refused_past_the_limit_and_not_before():
    ok = current = {}
    for _ in range(jsontext.MAX_DEPTH - 1):
        current["k"] = {}
        current = current["k"]
    jsontext.clean(ok)
    current["k"] = {}
    assert refused(jsontext.clean, ok)["code"] == "invalid_json"
    assert refused(jsontext.parse, "[" * 100_000 + "]" * 100_000)["code"] == "invalid_json"


def test_a_long_list_is_one_error_without_reading_its_items():
    body = refused(jsontext.clean, {"members": ["\x00"] * (jsontext.MAX_ITEMS + 1)})
    assert [f["path"] for f in body["fields"]] == ["members"]


def test_not_json_and_not_utf8_are_invalid_json():
    assert refused(jsontext.parse, b"{")["code"] == "invalid_json"
    assert refused(jsontext.parse, b'{"a": "\xff"}')["code"] == "invalid_json"


def test_the_record_contract_words_control_characters_as_the_api_does():
    assert CATALOGUE["control_character"] == jsontext.CONTROL_MESSAGE


def test_the_answer_lists_at_most_100_field_errors():
    body = refused(jsontext.clean, {str(i): "\x01" for i in range(130)})
    assert len(body["fields"]) == 100 and body["fields_omitted"] == 30
