"""Demo data for trying RaSoat: villages named "DEMO …", demo users and demo households. Never loaded by default.

Top-level, not in a domain: it loads places, users and households through their operations, so a demo form has
the same versions, history and audit trail as a real one. The households themselves are made by
`households.demo_forms()`; a re-run is a retry (their ids are fixed), and a form already past a step is not
stepped again.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
import random

from flask import current_app
from sqlalchemy import func, select

from server.accounts.models import User
from server.accounts.operations import create_user, find_user, set_password
from server.core.db import local_today
from server.core.errors import Problem
from server.core.scoping import unscoped
from server.demo.households import (DEMO_COMMUNE, DEMO_USERS, DEMO_VILLAGES, SEED, SHORT_INTERVIEW_MINUTES,
                                    SUPERVISOR, VILLAGE_NAMES, DemoForm, copy_record, demo_forms)
from server.extensions import db
from server.places.operations import import_villages
from server.review.models import CommuneDecision
from server.review.operations import act, add_comment, get_submission, record_decision, record_meeting
from server.review.rules import meeting_outcome
from server.submissions.lifecycle import STATE_LABELS, STATES
from server.submissions.models import Submission
from server.submissions.operations import ingest


@dataclass
class DemoReport:
    """What a load did: the demo users (a password only when one was set now) and the demo forms' counts."""

    users: list[tuple[str, str, str, str | None]]
    forms_added: int = 0
    versions_added: int = 0
    steps_taken: int = 0
    left_alone: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # (year, village code) -> Counter(state -> forms)
    short_flag_minimum: int = 0

    def lines(self) -> list[str]:
        """The report as printed by `load-demo`."""
        out = ["Demo data loaded (villages, users and households named 'DEMO …'). / Đã nạp dữ liệu thử.",
               "Demo users / Người dùng thử:"]
        for username, role, unit, password in self.users:
            shown = password or "(unchanged / giữ nguyên)"
            out.append(f"  {username:<18} {role:<11} {unit:<16} {shown}")
        if any(p is None for *_, p in self.users):
            out.append("  Existing demo users keep their passwords; `load-demo --reset-passwords` gives new ones. / "
                       "Người dùng thử đã có giữ mật khẩu; dùng --reset-passwords để đặt mật khẩu mới.")
        total = sum(sum(c.values()) for c in self.counts.values())
        out.append(f"Demo households / Hộ thử: {total} forms / phiếu. This run / Lần này: {self.forms_added} forms "
                   f"added / phiếu mới, {self.versions_added} corrected versions / bản sửa, {self.steps_taken} review "
                   "steps / bước duyệt.")
        states = [s for s in STATES if any(s in c for c in self.counts.values())]
        out.append(f"  {'year':<5} {'village':<22} {'forms':>5} " + " ".join(f"{s:>{len(s)}}" for s in states))
        for (year, village), counter in sorted(self.counts.items()):
            cells = " ".join(f"{counter.get(s, '.'):>{len(s)}}" for s in states)
            out.append(f"  {year:<5} {VILLAGE_NAMES.get(village, village):<22} {sum(counter.values()):>5} {cells}")
        out.append("  Includes a household posted twice (DEMO-01-002, 2026: possible duplicate) and a "
                   f"{SHORT_INTERVIEW_MINUTES}-minute interview (DEMO-01-005, 2026). / Có một hộ gửi hai lần và một "
                   "phỏng vấn quá ngắn.")
        if self.short_flag_minimum and self.short_flag_minimum <= SHORT_INTERVIEW_MINUTES:
            out.append(f"  Note: MIN_INTERVIEW_MINUTES is {self.short_flag_minimum}, so the short interview is not "
                       "flagged.")
        for text in self.left_alone:
            out.append(f"  left as found / giữ nguyên: {text}")
        return out


def load_demo_data(*, reset_passwords: bool = False) -> DemoReport:
    """Import the demo villages, create the demo users and take the demo households through the procedure.

    Safe to repeat: existing demo users keep their passwords unless `reset_passwords`; a form already stored is a
    retry, and a form already at or past a step is not stepped again. Run inside `writing()`; the caller commits.
    """
    import_villages(DEMO_VILLAGES, source="demo data (fictitious)")
    report = DemoReport(users=_users(reset_passwords))
    report.short_flag_minimum = current_app.config.get("MIN_INTERVIEW_MINUTES", 0)
    forms = demo_forms()
    _Loader(report).run(forms)
    report.counts = _counts(forms)
    return report


def _users(reset_passwords: bool) -> list[tuple[str, str, str, str | None]]:
    province = current_app.config["PROVINCE_CODE"]
    out = []
    for username, role, unit, name in DEMO_USERS:
        unit = unit or province
        user: User | None = find_user(username)
        password = None
        if user is None:
            password = secrets.token_urlsafe(9)
            create_user(None, username=username, full_name=name, role=role, unit_code=unit, password=password)
        elif reset_passwords:
            password = secrets.token_urlsafe(9)
            set_password(None, user, password)
        out.append((username, role, unit, password))
    return out


def _counts(forms: list[DemoForm]) -> dict:
    ids = [f.id for f in forms]
    stmt = unscoped(select(Submission.review_year, Submission.village_code, Submission.state, func.count())
                    .where(Submission.first_id.in_(ids))
                    .group_by(Submission.review_year, Submission.village_code, Submission.state), "demo summary")
    out = defaultdict(Counter)
    for year, village, state, n in db.session.execute(stmt):
        out[(year, village)][state] += n
    return dict(out)


class _Loader:
    """Takes the demo forms through the real operations, step by step, skipping what is done already."""

    def __init__(self, report: DemoReport):
        self.report = report
        self.users = {username: find_user(username) for username, *_ in DEMO_USERS}
        self.supervisor = self.users[SUPERVISOR]
        self.blocked: set[str] = set()
        self.subs: dict[str, Submission] = {}

    def run(self, forms: list[DemoForm]) -> None:
        """Post every form, then take each step of the procedure for the forms whose path has it."""
        for f in forms:
            self._post(f, f.versions[0])
        for stage in ("returned", "resubmitted", "approved", "meeting", "recognised"):
            due = [f for f in forms if self._due(f, stage)]
            getattr(self, f"_{stage}")(due)

    def _post(self, f: DemoForm, version: dict) -> None:
        # ingest() is idempotent by the record's id: on a re-run every post is a retry and writes nothing.
        try:
            row, _version, created = ingest(copy_record(version), self.users[f.enumerator])
        except Problem as problem:
            if problem.code != "submission_conflict":
                raise
            # Stored by an earlier run with other answers (this file changed since): leave it as it is.
            self.blocked.add(f.id)
            self.report.left_alone.append(f"{f.year} {f.household_code}: stored with other answers")
            return
        if created:
            if version.get("supersedes"):
                self.report.versions_added += 1
            else:
                self.report.forms_added += 1
        self.subs[f.id] = get_submission(self.supervisor, row.id)

    def _due(self, f: DemoForm, stage: str) -> bool:
        """Whether the form's path has this step and the form stands just before it (else it is done or moved)."""
        if f.id in self.blocked or f.id not in self.subs:
            return False
        wanted = {"meeting": ("agreed", "resurvey")}.get(stage, (stage,))
        step = next((s for s in f.path if s in wanted), None)
        if step is None:
            return False
        i = f.path.index(step)
        state = self.subs[f.id].state
        if state in f.path[i:]:
            return False  # at or past this step already: a re-run
        if state != f.path[i - 1]:
            # Someone took this form elsewhere (a newcomer trying the procedure): never step it again.
            self.blocked.add(f.id)
            label = STATE_LABELS.get(state, (state, state))[1].lower()
            self.report.left_alone.append(f"{f.year} {f.household_code}{' (copy)' if f.duplicate else ''}: {label}")
            return False
        return True

    def _returned(self, due: list[DemoForm]) -> None:
        for f in due:
            sub = self.subs[f.id]
            add_comment(self.supervisor, sub, f.slip["comment"], f.slip["field_path"])
            act(self.supervisor, sub, "return", revision=sub.revision,
                comment="DEMO: Xem góp ý tại trường, sửa rồi gửi lại. / See the comment at the field; fix it and "
                        "send it again.")
            self.report.steps_taken += 1

    def _resubmitted(self, due: list[DemoForm]) -> None:
        for f in due:
            before = self.report.versions_added
            self._post(f, f.versions[1])
            self.report.steps_taken += self.report.versions_added - before

    def _approved(self, due: list[DemoForm]) -> None:
        for f in due:
            sub = self.subs[f.id]
            act(self.supervisor, sub, "approve", revision=sub.revision)
            self.report.steps_taken += 1

    def _meeting(self, due: list[DemoForm]) -> None:
        """One village meeting per village and year, with each household's votes counted (none by default)."""
        by_village = defaultdict(list)
        for f in due:
            by_village[(f.year, f.village)].append(f)
        for (year, village), group in sorted(by_village.items()):
            rng = random.Random(f"{SEED}/meeting/{year}/{village}")
            attendees = rng.randint(28, 60)
            votes = {}
            for f in group:
                wanted = "agree" if "agreed" in f.path else "resurvey"
                votes_for = _votes(rng, attendees, wanted)
                sub = self.subs[f.id]
                votes[sub.id] = (sub.revision, votes_for)
            record_meeting(self.supervisor, village_code=village, held_on=local_today(), attendees=attendees,
                           minutes_ref=f"DEMO biên bản họp thôn {year}",
                           note="Dữ liệu thử (DEMO), không phải cuộc họp thật. / Demo data, not a real meeting.",
                           votes=votes)
            self.report.steps_taken += len(group)

    def _recognised(self, due: list[DemoForm]) -> None:
        """One commune decision per review year recognising the agreed demo households."""
        by_year = defaultdict(list)
        for f in due:
            by_year[f.year].append(f)
        today = local_today()
        for year, group in sorted(by_year.items()):
            number = f"DEMO {year}/QĐ-UBND"
            stmt = unscoped(select(CommuneDecision.signed_on).where(CommuneDecision.commune_code == DEMO_COMMUNE,
                                                                    CommuneDecision.number == number), "demo")
            signed = db.session.execute(stmt).scalar_one_or_none()
            if signed is not None and signed != today:  # a decision of an earlier day: this one is another
                number = f"DEMO {year}-{today:%Y%m%d}/QĐ-UBND"
            revisions = {self.subs[f.id].id: self.subs[f.id].revision for f in group}
            record_decision(self.supervisor, commune_code=DEMO_COMMUNE, number=number, signed_on=today,
                            revisions=revisions)
            self.report.steps_taken += len(group)


def _votes(rng, attendees: int, wanted: str) -> int:
    """Votes in favour giving the meeting's outcome `wanted` under the procedure's rule (server/review/rules.py)."""
    choices = [v for v in range(attendees + 1) if meeting_outcome(v, attendees) == wanted]
    return rng.choice(choices[len(choices) // 2:])  # agree: a clear majority; resurvey: close, still under half
