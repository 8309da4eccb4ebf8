"""Background export jobs: a stopped process's running jobs are failed, finished files are deleted after
EXPORT_KEEP_HOURS (the lists hold personal data), and a real worker thread of a real app writes a list while its
progress is recorded (committed data, both backends)."""

from __future__ import annotations

import time
from datetime import timedelta

from live_db import committed_app
from sqlalchemy import select

from server.core.db import utcnow
from server.core.scoping import unscoped
from server.exports import jobs
from server.exports.models import ExportJob
from server.extensions import db

from province import C1


def queued(session, province, **values) -> ExportJob:
    job = jobs.start(province.supervisors[C1], "poor", 2027, C1, "approved", "csv", "kiểm tra")
    for k, v in values.items():
        setattr(job, k, v)
    session.commit()
    return job


def test_a_job_left_running_by_a_stopped_process_is_failed(session, province):
    job = queued(session, province, state="running", started_at=utcnow() - timedelta(minutes=5))
    jobs.fail_interrupted(utcnow())
    session.refresh(job)
    assert job.state == "failed" and "Interrupted" in job.error


def test_finished_files_are_deleted_after_the_keep_hours(session, province, app):
    job = queued(session, province)
    jobs.run_next()
    path = jobs.path_of(job)
    assert path.is_file()
    assert jobs.forget_old() == 0 and path.is_file()  # still within EXPORT_KEEP_HOURS
    session.refresh(job)
    job.finished_at = utcnow() - timedelta(hours=app.config["EXPORT_KEEP_HOURS"], minutes=1)
    session.commit()
    assert jobs.forget_old() == 1
    assert not path.exists() and session.get(ExportJob, job.id) is None


def test_a_worker_thread_writes_the_list_and_records_its_progress(backend, tmp_path_factory):
    people = (("sup", "supervisor", "06529"),)
    with committed_app(backend, tmp_path_factory.mktemp(f"jobs-{backend}"), people=people) as (app, _tokens):
        from server.accounts.models import User
        from server.submissions.models import Submission

        with app.test_request_context(method="POST"):
            sup = db.session.execute(unscoped(select(User).where(User.username == "sup"), "t")).scalar_one()
            rows = [dict(kind="household", first_id=f"00000000-0000-4000-8000-{i:012d}",
                         current_id=f"00000000-0000-4000-8000-{i:012d}", version=1, revision=1, state="approved",
                         review_year=2026, commune_code="06529", village_code="T-06529-01",
                         household_code=f"J{i:05d}", submitted_by=sup.id, head_name=f"Chủ hộ {i}",
                         members_count=2, rule_set="2022-2026", poverty_class="poor", deficit_mask=3,
                         deficit_count=2, change_seq=0) for i in range(2300)]
            db.session.execute(Submission.__table__.insert(), rows)
            job = jobs.start(sup, "poor", 2026, "06529", "approved", "xlsx", "họp dân")
            job_id = job.id
            db.session.commit()
            db.session.remove()
        jobs.wake(app)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.app_context():
                found = db.session.get(ExportJob, job_id)
                state = found.state
                db.session.remove()
            if state in ("done", "failed"):
                break
            time.sleep(0.05)
        with app.app_context():
            found = db.session.get(ExportJob, job_id)
            assert found.state == "done", found.error
            assert found.done == found.total == 2300 and found.size > 0
            assert jobs.path_of(found).is_file()
            # the progress display's writer: on a connection of its own, each thousand rows
            jobs.progress_writer(job_id)(1000)
            jobs.progress_writer(job_id)(1500)
            db.session.remove()
            assert db.session.get(ExportJob, job_id).done == 1000
            db.session.remove()
        app.extensions["rasoat_export_pool"].shutdown(wait=True)
