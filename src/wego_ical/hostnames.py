"""What a host name is: one rule for every command that takes one (nginx's
``server_name`` and ``listen``, a CORS origin, a CalDAV calendar's address)."""

from __future__ import annotations

import ipaddress
import re

# One DNS label (underscores too, as nginx allows and some internal names have).
LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
# Labels separated by dots, with the root's dot allowed at the end.
HOST_NAME = re.compile(rf"{LABEL}(\.{LABEL})*\.?", re.IGNORECASE)
MAX_HOST_NAME = 253


def is_host_name(text: str) -> bool:
    """Whether ``text`` is an ASCII DNS name: labels of at most 63 letters, digits,
    hyphens (not at either end) and underscores, at most 253 characters in all."""
    return bool(HOST_NAME.fullmatch(text)) and len(text.rstrip(".")) <= MAX_HOST_NAME


def is_ip(text: str, version: int | None = None) -> bool:
    """Whether ``text`` is an IP address (of ``version`` 4 or 6, when given)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return version is None or address.version == version


def host_problem(host: str) -> str | None:
    """Why ``host`` (an IP address or a DNS name, international ones too) cannot be
    connected to, or None."""
    if is_ip(host):
        return None
    if ":" in host:
        return f"{host!r} is not a valid IPv6 address"
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"{host!r} is not a valid host name (each part at most 63 characters)"
    if not is_host_name(ascii_host):
        return (
            f"{host!r} is not a valid host name (letters, digits and hyphens, "
            "parts of at most 63 characters separated by dots)"
        )
    return None
