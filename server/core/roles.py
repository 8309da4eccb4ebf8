"""The roles a user can have. Core's permission rules name them, so they live here, below every domain."""

ROLES = ("enumerator", "supervisor", "officer", "admin")
