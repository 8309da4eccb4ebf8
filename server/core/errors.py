"""The catalogue of coded problems: every error a user or a client can meet, in Vietnamese and English.

Operations raise `Problem("code", field=..., **params)`; the request handler turns it into a JSON error under
`/api/` and into a page elsewhere, and rolls the transaction back. Codes never change meaning. Parameters are what
people read: a state, a step or a role is passed as its label in each language (`state`, `state_vi`), never as
its code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemType:
    """One entry of the catalogue: HTTP status and message templates in both languages."""

    status: int
    vi: str
    en: str


CATALOGUE: dict[str, ProblemType] = {
    "bad_request": ProblemType(400, "Yêu cầu không hợp lệ.", "The request is not valid."),
    "invalid_json": ProblemType(
        400, "Nội dung gửi lên không phải JSON hợp lệ.", "The request body is not valid JSON."),
    "unauthenticated": ProblemType(
        401, "Cần đăng nhập hoặc mã truy cập hợp lệ.", "A login or a valid access token is required."),
    "invalid_credentials": ProblemType(
        401, "Tên đăng nhập hoặc mật khẩu không đúng.", "The username or password is wrong."),
    "token_invalid": ProblemType(
        401, "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
        "The access token is invalid, expired or revoked."),
    "forbidden": ProblemType(
        403, "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."),
    "out_of_scope": ProblemType(
        403, "Đơn vị {unit} nằm ngoài địa bàn được giao cho bạn.", "Unit {unit} is outside your assigned area."),
    "not_found": ProblemType(404, "Không tìm thấy trang hoặc dữ liệu.", "Not found."),
    "method_not_allowed": ProblemType(405, "Phương thức không được hỗ trợ.", "Method not allowed."),
    "conflict": ProblemType(409, "Dữ liệu đã bị thay đổi; hãy tải lại.", "The data has changed; reload it."),
    "payload_too_large": ProblemType(413, "Dữ liệu gửi lên quá lớn.", "The request is too large."),
    "validation_failed": ProblemType(
        422, "Dữ liệu chưa hợp lệ: xem từng trường.", "The data is not valid: see each field."),
    "too_many_attempts": ProblemType(
        429, "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {wait_vi}.",
        "Too many failed logins. Try again in {wait}."),
    "csrf_failed": ProblemType(
        400, "Phiên làm việc của biểu mẫu đã hết hạn; hãy tải lại trang và gửi lại.",
        "The form's session expired; reload the page and submit again."),
    "internal_error": ProblemType(
        500, "Đã xảy ra lỗi hệ thống. Thao tác chưa được lưu; hãy thử lại.",
        "A server error occurred. Nothing was saved; please try again."),
    # Places
    "unit_unknown": ProblemType(404, "Không có đơn vị mã {unit}.", "There is no unit with code {unit}."),
    "import_invalid": ProblemType(
        422, "Tệp không được nhập vì có dòng lỗi; không dữ liệu nào được ghi.",
        "The file was not imported because some rows are invalid; nothing was written."),
    # Accounts
    "username_taken": ProblemType(
        409, "Tên đăng nhập {username} đã có người dùng.", "The username {username} is already taken."),
    "role_scope_mismatch": ProblemType(
        422, "Vai trò {role_vi} không thể gán cho đơn vị cấp {level_vi}.",
        "The role {role} cannot be assigned to a {level}-level unit."),
    "password_change_required": ProblemType(
        403, "Hãy đổi mật khẩu dùng một lần trên trang web trước khi đăng nhập trên điện thoại.",
        "Change your one-time password on the web before signing in on a phone."),
    "account_locked": ProblemType(
        403, "Quản trị viên đã khóa đăng nhập của tài khoản này. Hãy liên hệ quản trị viên để mở khóa.",
        "An administrator has locked sign-in for this account. Ask your administrator to unlock it."),
    "password_too_weak": ProblemType(
        422, "Mật khẩu phải có ít nhất {min} ký tự.", "The password must have at least {min} characters."),
    # Submissions
    "submission_conflict": ProblemType(
        409, "Đã có phiếu mã {id} với nội dung khác. Một bản sửa phải có mã mới và ghi mã bản cũ ở 'supersedes'.",
        "A form with id {id} already exists with other content. A correction needs a new id and the old one in "
        "'supersedes'."),
    "stale_version": ProblemType(
        409, "Bản {id} không còn là bản hiện hành của phiếu (bản hiện hành: {current}); hãy tải lại phiếu.",
        "Version {id} is no longer the form's current version (current: {current}); reload the form."),
    "submission_locked": ProblemType(
        409, "Phiếu đang ở trạng thái '{state_vi}', không thể gửi bản sửa.",
        "The form is '{state}': a corrected version cannot be sent now."),
    "invalid_transition": ProblemType(
        409, "Không thể '{action_vi}' phiếu đang ở trạng thái '{state_vi}'.",
        "Cannot '{action}' a form that is '{state}'."),
    "cursor_reset": ProblemType(
        409, "Con trỏ đồng bộ không còn dùng được (dữ liệu máy chủ đã được khôi phục từ bản sao lưu hoặc nâng cấp). "
        "Hãy tải lại từ đầu: để trống 'since' hoặc since=0.",
        "The sync cursor is no longer valid (the server's data was restored from a backup, or upgraded). Pull again "
        "from the start: an empty 'since', or since=0."),
    "changed_meanwhile": ProblemType(
        409, "Phiếu đã được người khác cập nhật trong lúc bạn xem (nay: '{state_vi}'). Hãy xem lại rồi thao tác.",
        "Someone else updated the form while you were looking at it (now '{state}'). Review it and try again."),
    # Backups (server/backup.py; met at the command line)
    "backup_folder_not_empty": ProblemType(
        409, "Thư mục {path} đã có tệp: hãy sao lưu vào một thư mục mới hoặc trống.",
        "The folder {path} is not empty: back up into a new or empty folder."),
    "backup_not_found": ProblemType(
        422, "{path} không phải là một bản sao lưu RaSoat hoàn chỉnh (không đọc được manifest.json).",
        "{path} is not a complete RaSoat backup (its manifest.json cannot be read)."),
    "backup_wrong_backend": ProblemType(
        422, "Bản sao lưu là của {backup}, còn cơ sở dữ liệu đang cấu hình là {configured}: không khôi phục vào đó "
        "được.",
        "The backup is of {backup} but the configured database is {configured}: it cannot be restored there."),
    "backup_damaged": ProblemType(
        422, "Bản sao lưu không khớp manifest.json của nó ({detail}); cơ sở dữ liệu không bị thay đổi.",
        "The backup does not match its manifest.json ({detail}); the database was not changed."),
    "backup_tool_missing": ProblemType(
        503, "Không tìm thấy lệnh {tool}: hãy cài gói {package} (sudo apt-get install {package}).",
        "The command {tool} is not installed: install the package {package} (sudo apt-get install {package})."),
    "backup_tool_too_old": ProblemType(
        503, "{tool} ({version}) cũ hơn máy chủ PostgreSQL {server}: hãy cài {package} bản {server} trở lên.",
        "{tool} ({version}) is older than the PostgreSQL server ({server}): install {package} {server} or newer."),
    "backup_failed": ProblemType(500, "Sao lưu không thành công: {detail}", "The backup failed: {detail}"),
    "restore_failed": ProblemType(
        500, "Khôi phục không thành công, cơ sở dữ liệu không bị thay đổi: {detail}",
        "The restore failed and the database was not changed: {detail}"),
    "restore_target_not_empty": ProblemType(
        409, "Cơ sở dữ liệu đang cấu hình đã có dữ liệu: thêm --yes để thay toàn bộ bằng bản sao lưu.",
        "The configured database is not empty: add --yes to replace all of it with the backup."),
}


# A refusal lists at most this many field errors and counts the rest (`fields_omitted`): a hostile body cannot
# make the answer larger than the question.
MAX_FIELD_ERRORS = 100


def message(code: str, lang: str, **params) -> str:
    """Return the catalogue message for `code` in `lang` ("vi" or "en") with its parameters filled in."""
    entry = CATALOGUE[code]
    template = entry.vi if lang == "vi" else entry.en
    return template.format(**params)


class Problem(Exception):
    """A coded problem raised by an operation or a view; the whole request is rolled back."""

    def __init__(self, code: str, *, fields: list[dict] | None = None, status: int | None = None, **params):
        if code not in CATALOGUE:
            raise KeyError(f"problem code {code!r} is not in the catalogue")
        super().__init__(code)
        self.code = code
        self.params = params
        self.fields = fields or []
        self.status = status or CATALOGUE[code].status

    def to_dict(self) -> dict:
        """The JSON body of the problem: code, bilingual message and any field errors."""
        body = {
            "code": self.code,
            "status": self.status,
            "message": {"vi": message(self.code, "vi", **self.params),
                        "en": message(self.code, "en", **self.params)},
        }
        if self.fields:
            body["fields"] = self.fields[:MAX_FIELD_ERRORS]
            if len(self.fields) > MAX_FIELD_ERRORS:
                body["fields_omitted"] = len(self.fields) - MAX_FIELD_ERRORS
        return body


def field_error(path: str, vi: str, en: str) -> dict:
    """One field's error: its path (`members[2].birth_date`, `row 4: commune_code`) and why, in both languages."""
    return {"path": path, "message": {"vi": vi, "en": en}}
