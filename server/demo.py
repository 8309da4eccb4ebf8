"""Demo data for trying RaSoat: villages named "DEMO …" and one user per role. Never loaded by default.

Top-level, not in a domain: it loads places and users (and, soon, households) through their operations.
"""

from __future__ import annotations

import secrets

from flask import current_app

from server.accounts.models import User
from server.accounts.operations import create_user, find_user, set_password
from server.places.operations import import_villages

DEMO_COMMUNE = "06529"  # Xã Lộc Bình, Lạng Sơn
DEMO_VILLAGES = f"""commune_code,village_code,name,households_2025,in_dtts_mn_area,is_especially_difficult
{DEMO_COMMUNE},DEMO-{DEMO_COMMUNE}-01,DEMO Thôn Nà Pàn,120,1,0
{DEMO_COMMUNE},DEMO-{DEMO_COMMUNE}-02,DEMO Bản Khuổi Luông,85,1,1
{DEMO_COMMUNE},DEMO-{DEMO_COMMUNE}-03,DEMO Khu phố Chợ,210,0,0
"""


def load_demo_data() -> list[tuple[str, str, str, str]]:
    """Import the demo villages and create (or reset) the demo users; return (username, role, unit, password)."""
    import_villages(DEMO_VILLAGES, source="demo data (fictitious)")
    province = current_app.config["PROVINCE_CODE"]
    people = [
        ("demo-enumerator", "enumerator", f"DEMO-{DEMO_COMMUNE}-01", "DEMO Cán bộ thôn"),
        ("demo-supervisor", "supervisor", DEMO_COMMUNE, "DEMO Cán bộ xã"),
        ("demo-officer", "officer", province, "DEMO Cán bộ Sở"),
        ("demo-admin", "admin", province, "DEMO Quản trị"),
    ]
    out = []
    for username, role, unit, name in people:
        password = secrets.token_urlsafe(9)
        user: User | None = find_user(username)
        if user is None:
            create_user(None, username=username, full_name=name, role=role, unit_code=unit, password=password)
        else:
            set_password(None, user, password)
        out.append((username, role, unit, password))
    return out
