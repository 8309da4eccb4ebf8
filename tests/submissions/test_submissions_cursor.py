"""The sync cursor: "EPOCH.SEQ", where a restore draws a new epoch and an old cursor answers 409 `cursor_reset`."""

from __future__ import annotations

import re

import pytest

from server.core.errors import Problem
from server.submissions.history import current_epoch, format_cursor, new_epoch, parse_cursor

CURSOR = re.compile(r"([0-9a-f]+)\.([0-9]+)")


def pull(client, headers, since=None, **params):
    """GET /api/v1/submissions with `since` (left out when None)."""
    query = {"since": since, **params} if since is not None else params
    return client.get("/api/v1/submissions", query_string=query, headers=headers)


def pull_all(client, headers, since="") -> tuple[list[str], list[str], str]:
    """Every page from `since`: the form ids, the item cursors and the last page's cursor."""
    ids, cursors = [], []
    while True:
        body = pull(client, headers, since, limit=2).get_json()
        ids += [item["id"] for item in body["items"]]
        cursors += [item["cursor"] for item in body["items"]]
        since = body["cursor"]
        if not body["more"]:
            return ids, cursors, since


def test_cursors_are_epoch_dot_seq_and_follow_the_changes(client, bearer, post, enumerator, household):
    posted = [post(household(), enumerator).get_json()["submission"] for _ in range(3)]
    ids, cursors, last = pull_all(client, bearer(enumerator))
    assert ids == [p["id"] for p in posted]
    assert cursors == [p["cursor"] for p in posted]  # what the post answered is what the pull says
    parsed = [CURSOR.fullmatch(c) for c in cursors + [last]]
    assert all(parsed) and len({m[1] for m in parsed}) == 1 and int(parsed[0][1], 16) == current_epoch()
    seqs = [int(m[2]) for m in parsed[:-1]]
    assert seqs == sorted(set(seqs)) and last == cursors[-1]


@pytest.mark.parametrize("since", [None, "", "0", "00"])
def test_an_empty_or_zero_since_pulls_from_the_start(client, bearer, post, enumerator, household, since):
    record = household()
    post(record, enumerator)
    resp = pull(client, bearer(enumerator), since)
    assert resp.status_code == 200
    assert [i["id"] for i in resp.get_json()["items"]] == [record["id"]]


def test_an_empty_page_at_the_start_answers_a_cursor_of_this_epoch(client, bearer, enumerator):
    body = pull(client, bearer(enumerator)).get_json()
    assert body["items"] == [] and body["cursor"] == format_cursor(0)
    assert pull(client, bearer(enumerator), body["cursor"]).status_code == 200


def test_a_cursor_from_another_epoch_is_a_409_telling_to_pull_from_the_start(client, bearer, post, enumerator,
                                                                             household, session):
    post(household(), enumerator)
    headers = bearer(enumerator)
    _ids, _cursors, held = pull_all(client, headers)
    new_epoch()  # what a restore does
    session.commit()
    resp = pull(client, headers, held)
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "cursor_reset"
    assert "since=0" in error["message"]["en"] and "since=0" in error["message"]["vi"]
    # Pulling again from the start works, and hands out cursors of the new epoch.
    ids, cursors, last = pull_all(client, headers)
    assert len(ids) == 1 and CURSOR.fullmatch(last)[1] != CURSOR.fullmatch(held)[1]
    assert pull(client, headers, last).status_code == 200


def test_a_restore_that_rewinds_the_counter_cannot_make_a_client_skip_changes(client, bearer, post, enumerator,
                                                                             household, session):
    """The defect: a client holding a cursor past the restored counter silently skipped what came after."""
    headers = bearer(enumerator)
    post(household(), enumerator)
    # Before the restore the database had handed out cursors up to 1000; the backup stopped at the first post.
    held = format_cursor(1000)
    new_epoch()
    session.commit()
    after = household()
    post(after, enumerator)  # numbered 2 by the restored counter: far behind the held cursor
    assert pull(client, headers, held).get_json()["error"]["code"] == "cursor_reset"
    assert after["id"] in pull_all(client, headers)[0]


@pytest.mark.parametrize("since", ["1", "42", "9" * 30])
def test_a_bare_number_from_before_epochs_is_a_409_unless_zero(client, bearer, enumerator, since):
    resp = pull(client, bearer(enumerator), since)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "cursor_reset"


@pytest.mark.parametrize("since", ["-1", "abc", "x.1", "ff.", ".5", "ff.-1", "ff.1.2", "ff.1e3", "ff. 1",
                                   "f" * 16 + ".1", "ff." + "9" * 19, "٣"])
def test_a_malformed_cursor_is_a_422_naming_since(client, bearer, enumerator, since):
    resp = pull(client, bearer(enumerator), since)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_failed" and [f["path"] for f in error["fields"]] == ["since"]


def test_format_and_parse_are_inverse(session):
    epoch = current_epoch()
    for seq in (0, 1, 17, 10**17):
        assert parse_cursor(format_cursor(seq)) == seq
    assert format_cursor(5, epoch=255) == "ff.5"
    with pytest.raises(Problem) as refused:
        parse_cursor(format_cursor(5, epoch=epoch ^ 1))
    assert refused.value.code == "cursor_reset"
    assert parse_cursor(f"{epoch:X}.7") == 7  # hex digits in either case
