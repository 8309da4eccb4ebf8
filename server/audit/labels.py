"""What people read for each audited action (Vietnamese first): the audit page's names and its filter's list.

Every action code written by `record_event` anywhere is here (tests/audit checks the sources); an unknown code
(from a newer or older version) is shown as it is.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, tuple[str, str]] = {
    # Sign-in and accounts
    "login": ("Đăng nhập", "Signed in"),
    "login_failed": ("Đăng nhập sai", "Failed sign-in"),
    "login_throttled": ("Đăng nhập bị làm chậm", "Sign-in slowed down"),
    "logout": ("Đăng xuất", "Signed out"),
    "password_changed": ("Đổi mật khẩu", "Password changed"),
    "token_issued": ("Cấp mã truy cập (điện thoại, máy kết nối)", "Access token issued"),
    "token_revoked": ("Thu hồi mã truy cập", "Access token revoked"),
    "user_created": ("Tạo người dùng", "User created"),
    "user_updated": ("Sửa người dùng", "User updated"),
    "user_locked": ("Khóa đăng nhập của người dùng", "User's sign-in locked"),
    "user_unlocked": ("Mở khóa đăng nhập của người dùng", "User's sign-in unlocked"),
    # Places
    "load_places": ("Nạp danh mục tỉnh, xã", "Province and communes loaded"),
    "import_villages": ("Nhập danh sách thôn", "Villages imported"),
    "import_mapping": ("Nhập bảng chuyển đổi xã cũ → mới", "Old → new commune mapping imported"),
    # Indicators: official statuses, plan targets, external figures
    "import_unit_statuses": ("Nhập danh sách trạng thái thôn, xã (chính thức)", "Official unit statuses imported"),
    "plan_target.created": ("Thêm chỉ tiêu kế hoạch", "Plan target added"),
    "plan_target.updated": ("Sửa chỉ tiêu kế hoạch", "Plan target edited"),
    "external_figure.created": ("Thêm số liệu ngoài", "External figure added"),
    "external_figure.updated": ("Sửa số liệu ngoài", "External figure edited"),
    # Submissions
    "submission.submitted": ("Nhận phiếu", "Form received"),
    "submission.resubmitted": ("Nhận bản sửa của phiếu", "Corrected version received"),
    "submission.attachment": ("Nhận ảnh kèm phiếu", "Photo received"),
    "submission.attachment_viewed": ("Xem ảnh kèm phiếu", "Photo viewed"),
    "submissions.exported": ("Tải dữ liệu phiếu", "Forms downloaded"),
    "submission.viewed": ("Xem một phiếu (điện thoại)", "Form read by the collector"),
    "households.previous_read": ("Tải danh sách hộ năm trước của thôn", "Village's households of last year read"),
    "submissions.reclassified": ("Phân loại lại theo bộ quy tắc", "Re-classified under a rule set"),
    # Review
    "review.return": ("Trả lại phiếu để sửa", "Form returned for correction"),
    "review.approve": ("Xã duyệt phiếu", "Form approved by the commune"),
    "review.agree": ("Họp dân thống nhất", "Agreed at the village meeting"),
    "review.resurvey": ("Họp dân yêu cầu rà soát lại", "Sent back for re-survey by the village meeting"),
    "review.recognise": ("Công nhận theo quyết định của xã", "Recognised by the commune decision"),
    "review.comment": ("Góp ý trên phiếu", "Comment on a form"),
    "review.meeting": ("Ghi kết quả họp dân", "Village meeting recorded"),
    "review.decision": ("Ghi quyết định của xã", "Commune decision recorded"),
    "review.set_aside": ("Gác lại phiếu trùng", "Form set aside as a duplicate"),
    "review.restore": ("Khôi phục phiếu đã gác lại", "Set-aside form restored"),
    # Exports to the provincial system
    "households.exported": ("Xuất danh sách hộ (dữ liệu cá nhân)", "Household list exported (personal data)"),
    "households.downloaded": ("Tải tệp danh sách hộ đã xuất", "Exported household list downloaded"),
    "records.exported": ("Hệ thống tỉnh tải dữ liệu phiếu", "Records read by the provincial system"),
    "push.sent": ("Gửi dữ liệu lên hệ thống của tỉnh", "Data pushed to the provincial system"),
    "push.refused": ("Hệ thống của tỉnh từ chối lô dữ liệu", "Batch refused by the provincial system"),
    "push.failed": ("Gửi lên tỉnh chưa được, sẽ thử lại", "Push to the province failed, will retry"),
    # Backups
    "backup.made": ("Sao lưu", "Backup made"),
    "backup.restored": ("Khôi phục từ bản sao lưu", "Restored from a backup"),
}


# What an entry is about (`target_type`), as people read it.
TARGET_LABELS = {
    "submission": ("Phiếu", "Form"),
    "user": ("Người dùng", "User"),
    "api_token": ("Mã truy cập", "Access token"),
    "village_meeting": ("Họp dân", "Village meeting"),
    "commune_decision": ("Quyết định", "Decision"),
    "rule_set": ("Bộ quy tắc", "Rule set"),
    "backup": ("Bản sao lưu", "Backup"),
    "plan_target": ("Chỉ tiêu kế hoạch", "Plan target"),
    "external_figure": ("Số liệu ngoài", "External figure"),
    "village": ("Thôn", "Village"),
    "unit": ("Đơn vị", "Unit"),
    "export_job": ("Tệp xuất", "Export file"),
    "push_batch": ("Lô dữ liệu gửi tỉnh", "Push batch"),
}


def target_label(code: str | None, lang: str = "vi") -> str:
    """The name of what an entry is about in `lang`, or the code itself when it is unknown."""
    pair = TARGET_LABELS.get(code or "")
    if pair is None:
        return code or ""
    return pair[0] if lang == "vi" else pair[1]


def action_label(code: str, lang: str = "vi") -> str:
    """The name of an audited action in `lang` ("vi" or "en"), or the code itself when it is unknown."""
    pair = ACTION_LABELS.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "vi" else pair[1]
