"""Long exports in the background (issue 13 item 6): no request waits for a household list to be written.

The page's POST checks the export and writes the audit entry and an `export_jobs` row (state `queued`) in its
own transaction; when its answer has been sent (after the commit), it wakes the app's worker pool
(EXPORT_WORKERS threads, default 2). A worker claims the oldest queued job with a conditional UPDATE (so two
workers, or two processes, never take the same one), writes the file under EXPORTS_FOLDER with a temporary name,
records how many rows are done every 1,000 rows (on a connection of its own, while the rows stream), and renames
the file and marks the job `done` — or `failed` with the reason. The page polls the job's JSON for the progress.

A job left `running` by a process that stopped is marked failed ("interrupted") when the next worker of a new
process starts; finished files are deleted after EXPORT_KEEP_HOURS. EXPORT_WORKERS = 0 runs nothing by itself
(tests call `run_next()`).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from server.accounts.models import User
from server.core.db import utcnow, writing
from server.core.errors import Problem
from server.core.scoping import unscoped
from server.exports import operations, writers
from server.exports.models import ExportJob
from server.extensions import db

log = logging.getLogger("rasoat.exports")
J = ExportJob.__table__
_started = {}  # app id -> the time its first worker started (jobs `running` from before it were interrupted)
_lock = threading.Lock()


def folder() -> Path:
    path = Path(current_app.config["EXPORTS_FOLDER"] or Path(current_app.instance_path) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(actor, list_name, year, unit_code, basis, fmt, purpose) -> ExportJob:
    """Check and audit a household list export and queue it (the caller's transaction commits it)."""
    made = operations.household_list(list_name, year, unit_code, basis, fmt, actor, purpose)
    params = {"class": operations.check_list(list_name), "year": int(year), "unit": made.unit.code,
              "basis": basis, "format": made.fmt, "purpose": operations.check_purpose(purpose)}
    job = ExportJob(id=str(uuid.uuid4()), user_id=actor.id, unit_code=made.unit.code, table="households",
                    params=params, state="queued", done=0, total=made.total, file_name=made.file_name)
    db.session.add(job)
    db.session.flush()
    return job


def wake(app) -> None:
    """Let a worker take the queued jobs (called once the request that queued one has committed)."""
    workers = app.config["EXPORT_WORKERS"]
    if not workers:
        return
    with _lock:
        pool = app.extensions.get("rasoat_export_pool")
        if pool is None:
            pool = app.extensions["rasoat_export_pool"] = ThreadPoolExecutor(workers, thread_name_prefix="export")
            _started[id(app)] = utcnow()
    pool.submit(_work, app)


def _work(app) -> None:
    with app.app_context():
        try:
            fail_interrupted(_started.get(id(app)))
            while run_next():
                pass
            forget_old()
        except Exception:  # a worker must never die silently: the job is failed in run_next, this is the rest
            log.exception("export worker")
        finally:
            db.session.remove()


def fail_interrupted(since) -> None:
    """Fail the jobs a stopped process left running."""
    if since is None:
        return
    with writing():
        db.session.execute(update(J).where(J.c.state == "running", J.c.started_at < since).values(
            state="failed", finished_at=utcnow(), error="Bị gián đoạn do máy chủ khởi động lại. / "
                                                        "Interrupted by a server restart."))
        db.session.commit()


def _claim() -> str | None:
    """Take the oldest queued job: a conditional UPDATE, so that only one worker gets it."""
    with writing():
        while True:
            job_id = db.session.execute(unscoped(select(ExportJob.id).where(ExportJob.state == "queued")
                                                 .order_by(ExportJob.created_at).limit(1), "the export queue")
                                        ).scalar_one_or_none()
            if job_id is None:
                db.session.commit()
                return None
            taken = db.session.execute(update(J).where(J.c.id == job_id, J.c.state == "queued").values(
                state="running", started_at=utcnow())).rowcount
            db.session.commit()
            if taken:
                return job_id


def progress_writer(job_id: str):
    """Record rows done on a connection of its own (the job's session is streaming rows in its transaction), at
    each thousand rows; the last count is written with the job's end."""
    engine = current_app.extensions["rasoat_engine"]

    def report(done: int) -> None:
        if done % 1000:
            return
        with writing(), engine.begin() as conn:
            conn.execute(update(J).where(J.c.id == job_id).values(done=done))
    return report


def run_next() -> bool:
    """Run the oldest queued job to its end; False when none is queued."""
    job_id = _claim()
    if job_id is None:
        return False
    run(job_id)
    return True


def run(job_id: str) -> None:
    """Write one claimed job's file and mark it done, or failed with the reason."""
    job = db.session.get(ExportJob, job_id)
    p = job.params
    target = folder() / f"{job.id}.{p['format']}"
    tmp = target.with_suffix(".part")
    try:
        # The user as they are now: a job runs with the area and role its user has when it is written.
        user = db.session.execute(unscoped(select(User).where(User.id == job.user_id), "an export job's owner")
                                  ).scalar_one()
        made = operations.household_list(p["class"], p["year"], p["unit"], p["basis"], p["format"], user,
                                          p["purpose"], audit=False)
        with open(tmp, "wb") as f:
            rows = operations.write(made, f, progress=progress_writer(job_id))
        os.replace(tmp, target)
        values = {"state": "done", "done": rows, "size": target.stat().st_size, "error": None}
    except writers.TooManyRows:
        values = {"state": "failed", "error": "Bảng tính chỉ chứa được 1.048.576 dòng: hãy xuất CSV hoặc JSON Lines. / "
                                              "A spreadsheet holds 1,048,576 rows at most: export CSV or JSON Lines."}
    except Problem as problem:  # e.g. the user lost the area meanwhile
        message = problem.to_dict()["message"]
        values = {"state": "failed", "error": f"{message['vi']} / {message['en']}"}
    except Exception:
        log.exception("export job %s", job_id)
        values = {"state": "failed", "error": "Lỗi hệ thống khi xuất; hãy thử lại. / A server error; try again."}
    finally:
        tmp.unlink(missing_ok=True)
    db.session.commit()  # ends the read of the rows (nothing was written in it)
    with writing():
        db.session.execute(update(J).where(J.c.id == job_id).values(finished_at=utcnow(), **values))
        db.session.commit()


def path_of(job: ExportJob) -> Path:
    return folder() / f"{job.id}.{job.params['format']}"


def forget_old() -> int:
    """Delete the jobs (and files) finished more than EXPORT_KEEP_HOURS ago; return how many."""
    before = utcnow() - timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])
    with writing():
        old = db.session.execute(unscoped(select(ExportJob).where(ExportJob.finished_at < before),
                                          "expired exports")).scalars().all()
        for job in old:
            path_of(job).unlink(missing_ok=True)
            db.session.delete(job)
        db.session.commit()
    return len(old)
