"""The catalogue of coded problems: every error a user or a client can meet, in Vietnamese and English.

Operations raise `Problem("code", field=..., **params)`; the request handler turns it into a JSON error under
`/api/` and into a page elsewhere, and rolls the transaction back. Codes never change meaning.
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
        429, "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút.",
        "Too many failed logins. Try again in {minutes} minutes."),
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
        422, "Vai trò {role} không thể gán cho đơn vị cấp {level_vi}.",
        "The role {role} cannot be assigned to a {level}-level unit."),
    "password_change_required": ProblemType(
        403, "Hãy đổi mật khẩu dùng một lần trên trang web trước khi đăng nhập trên điện thoại.",
        "Change your one-time password on the web before signing in on a phone."),
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
    "changed_meanwhile": ProblemType(
        409, "Phiếu đã được người khác cập nhật trong lúc bạn xem (nay: '{state_vi}'). Hãy xem lại rồi thao tác.",
        "Someone else updated the form while you were looking at it (now '{state}'). Review it and try again."),
}


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
            body["fields"] = self.fields
        return body


def field_error(path: str, vi: str, en: str) -> dict:
    """One field's error: its path (`members[2].birth_date`, `row 4: commune_code`) and why, in both languages."""
    return {"path": path, "message": {"vi": vi, "en": en}}
