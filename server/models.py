"""Every model, imported in one place so Alembic and the tests see the whole schema."""

from server.accounts.models import ApiToken, LoginAddressThrottle, LoginThrottle, User  # noqa: F401
from server.audit.models import AuditEvent  # noqa: F401
from server.core.db import Base
from server.indicators.models import ExternalFigure, OfficialStatus, PlanTarget  # noqa: F401
from server.exports.models import ExportJob  # noqa: F401
from server.exports.outbox import PushBatch, PushOutbox  # noqa: F401
from server.places.models import CommuneMapping, Unit, UnitHouseholdCount  # noqa: F401
from server.review.models import CommuneDecision, VillageMeeting  # noqa: F401
from server.submissions.models import Attachment, ReviewEvent, Submission, SubmissionVersion, SyncCounter  # noqa: F401

metadata = Base.metadata
