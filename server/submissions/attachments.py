"""Photos sent beside a record: checked against the record's `attachments` list, stored on disk by SHA-256.

The bytes are written (to a temporary name, then renamed) before the row is committed. A file whose row was
rolled back stays on disk unreferenced and harmless: the same bytes would be stored under the same name again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from server.audit.operations import record_event
from server.core.errors import Problem, field_error
from server.core.scoping import scoped
from server.extensions import db
from server.submissions.models import Attachment, VersionRow

MAX_ATTACHMENTS = 100


def path_of(sha256: str) -> Path:
    """Where the bytes with this hash live."""
    return Path(current_app.config["ATTACHMENTS_PATH"]) / sha256[:2] / sha256


def store(actor, version: VersionRow, name: str, content_type: str | None, data: bytes) -> bool:
    """Keep a photo declared by the version's record; True if new, False if the same photo was stored before."""
    declared = {a["name"]: a for a in (version.content.get("attachments") or [])}
    if name not in declared:
        raise Problem("validation_failed", fields=[field_error(
            f"attachments.{name}", f"Phiếu không khai báo tệp '{name}' trong 'attachments'.",
            f"The record does not declare a file '{name}' in 'attachments'.")])
    expected = declared[name]
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected["sha256"]:
        raise Problem("validation_failed", fields=[field_error(
            f"attachments.{name}", "Nội dung tệp không khớp mã SHA-256 đã khai báo (tệp bị hỏng khi gửi?).",
            "The file does not match its declared SHA-256 (damaged in transit?).")])
    existing = db.session.execute(scoped(select(Attachment).where(
        Attachment.version_id == version.id, Attachment.name == name), actor)).scalar_one_or_none()
    if existing is not None:
        return False
    _write(digest, data)
    db.session.add(Attachment(version_id=version.id, name=name, commune_code=version.commune_code,
                              village_code=version.village_code,
                              content_type=expected["content_type"] or content_type or "application/octet-stream",
                              sha256=digest, size_bytes=len(data)))
    db.session.flush()
    record_event("submission.attachment", actor, target_type="submission", target_id=version.id,
                 unit_code=version.village_code, name=name, size_bytes=len(data))
    return True


def _write(digest: str, data: bytes) -> None:
    """Write the bytes durably under their hash (no-op when already there)."""
    final = path_of(digest)
    if final.exists():
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def missing(version: VersionRow, stored_names) -> list[str]:
    """Declared photos not received yet (the phone may send them in a follow-up upload)."""
    return sorted({a["name"] for a in (version.content.get("attachments") or [])} - set(stored_names))
