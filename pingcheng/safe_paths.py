"""Where the site may send someone: a path on this site, never elsewhere.

Used wherever a destination comes from data or from the request (an inbox message's link, the display-mode
switch's way back). Browsers drop tabs and newlines anywhere in a URL and read a backslash as a slash, so
``"/\\t/evil.example"`` would lead off the site: a value with any whitespace, control or invisible format
character is refused whole rather than cleaned.
"""

import unicodedata

from django.utils.http import url_has_allowed_host_and_scheme


def local_path(value) -> str:
    """``value`` when it is a path on this site (``/news/?page=2``), else ``""``."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in value):
        return ""
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else ""
