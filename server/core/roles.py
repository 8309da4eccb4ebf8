"""The roles a user can have. Core's permission rules name them, so they live here, below every domain."""

ROLES = ("enumerator", "supervisor", "officer", "admin")

# What people read for each role in messages (Vietnamese first); the account pages have their own translated labels.
ROLE_NAMES = {
    "enumerator": ("rà soát viên thôn", "enumerator (village cadre)"),
    "supervisor": ("cán bộ giảm nghèo xã", "commune supervisor"),
    "officer": ("cán bộ cấp tỉnh", "provincial officer"),
    "admin": ("quản trị viên", "administrator"),
}
