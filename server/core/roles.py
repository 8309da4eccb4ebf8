"""The roles a user can have. Core's permission rules name them, so they live here, below every domain."""

ROLES = ("enumerator", "supervisor", "officer", "admin", "api_client")

# The provincial system's machine: it has no password and no web session, only tokens an administrator issues.
API_CLIENT = "api_client"
# The roles of people, who sign in on the web pages: every web page lists some of these, never API_CLIENT.
WEB_ROLES = tuple(r for r in ROLES if r != API_CLIENT)

# What people read for each role in messages (Vietnamese first); the account pages have their own translated labels.
ROLE_NAMES = {
    "enumerator": ("rà soát viên thôn", "enumerator (village cadre)"),
    "supervisor": ("cán bộ giảm nghèo xã", "commune supervisor"),
    "officer": ("cán bộ cấp tỉnh", "provincial officer"),
    "admin": ("quản trị viên", "administrator"),
    "api_client": ("hệ thống kết nối (máy)", "API client (machine)"),
}
