"""Finished indicator tables, kept in memory and used again only while the data they were made from is unchanged.

A table is a pure function of the database (the forms, the places data) and of the rule-set files. Each of the
first two has a counter in the database that every change bumps in the change's own transaction:

- `sync_counters` (`submissions`, and the `epoch` a restore renews): every change to a form takes the next sync
  cursor (server.submissions.history: ingest, a correction, every review step, a re-classification);
- `data_versions.places`: triggers on units, resident counts, commune mappings and official unit statuses
  (migration 20261201_07).

A commune's or a village's table is keyed by the newest cursor among the forms of its commune (and of the old
communes mapped into it; index `ix_submissions_commune_change`) instead of the global counter, so it outlives
changes in other communes; the province's by the global counter.

A request reads those counters (one small query, and one index probe per commune code) before anything else, and
a table kept under the same counters, unit, year, basis and rule sets is the table it would compute: the counters
are read in a snapshot no older than the one the table is then computed in, so a kept table is never older than
its key says. A table computed in a transaction that wrote or will write (its changes not yet committed, and
perhaps rolled back) is returned but not kept.
The rule sets are files read when the app starts: their names are part of the key.

Kept per app (per database), in process memory, for the last `INDICATOR_CACHE_TABLES` tables (setting; 0 turns
keeping off). Each caller gets its own copy (kept pickled: unpickling a province's table is several times
faster than a deep copy), so nothing a page does to a table reaches the next request.
bench/indicators.py measures a table computed and a table kept.
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict

from flask import current_app
from sqlalchemy import event, func, select, union_all
from sqlalchemy.orm import Session

from server.core.db import will_write
from server.core.scoping import unscoped
from server.extensions import db
from server.indicators.models import DataVersion
from server.submissions.models import Submission, SyncCounter

_WROTE = "rasoat_indicators_wrote"
_NEWEST = "the newest cursor of a commune's forms: a version number, no form is read"
_VERSIONS = union_all(select(SyncCounter.name, SyncCounter.value),
                      select(("places:" + DataVersion.name).label("name"), DataVersion.value))


class TableCache:
    """The last `size` tables of one app, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.tables: OrderedDict = OrderedDict()

    def get(self, key):
        with self.lock:
            table = self.tables.get(key)
            if table is not None:
                self.tables.move_to_end(key)
            return table

    def put(self, key, table) -> None:
        with self.lock:
            self.tables[key] = table
            self.tables.move_to_end(key)
            while len(self.tables) > self.size:
                self.tables.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.tables.clear()


def _cache() -> TableCache:
    cache = current_app.extensions.get("rasoat_indicator_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "rasoat_indicator_cache", TableCache(int(current_app.config["INDICATOR_CACHE_TABLES"])))
    return cache


def data_version(communes=None) -> tuple:
    """The counters of everything a table is made from, as they stand in this transaction. With `communes` (the
    commune codes a table's forms can carry), the forms' part is the newest cursor among those communes' forms
    instead of the global counter: a change in another commune leaves the version as it is."""
    rows = db.session.execute(_VERSIONS).all()
    if communes is None:
        return tuple(sorted(rows))
    newest = [db.session.execute(unscoped(select(func.max(Submission.change_seq))
                                          .where(Submission.commune_code == code), _NEWEST)).scalar()
              for code in sorted(communes)]
    return (*sorted(r for r in rows if r[0] != "submissions"), ("forms", tuple(newest)))


def kept(key: tuple, compute, communes=None):
    """The table `compute()` returns for `key` (unit, year, basis, rule sets): a copy of the one kept under the
    same data version (of the forms of `communes` only, when given), else computed now (and kept, unless this
    transaction wrote)."""
    cache = _cache()
    if cache.size <= 0:
        return compute()
    full = (key, data_version(communes))
    table = cache.get(full)
    if table is None:
        table = compute()
        if not db.session.info.get(_WROTE) and not will_write():
            cache.put(full, pickle.dumps(table, pickle.HIGHEST_PROTOCOL))
        return table
    return pickle.loads(table)


def clear() -> None:
    """Forget every kept table of the current app (a test that rolls its database back calls it)."""
    _cache().clear()


@event.listens_for(Session, "after_flush")
def _wrote(session, _flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session) -> None:
    session.info.pop(_WROTE, None)
