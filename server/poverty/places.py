"""Facts about a commune from its code, read from the national unit list in `vietnam_provinces`."""
from functools import cache

from vietnam_provinces import Ward, WardCode


@cache
def commune(code):
    """Return (division type in Vietnamese, e.g. "xã" / "phường", province code "20"), or None for an unknown code."""
    try:
        ward = Ward.from_code(WardCode(int(code)))
    except ValueError:
        return None
    return ward.division_type.value, f"{int(ward.province_code):02d}"
