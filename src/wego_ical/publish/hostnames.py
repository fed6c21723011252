"""What a host name is: one rule for every command that takes one (nginx's
``server_name`` and ``listen``, a CORS origin, a CalDAV calendar's or an S3
endpoint's address); and what of an address may be shown (never a password)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

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


# An address's parts as far as they can be told apart however malformed it is
# (``//u:pw@host``, ``http:/u:pw@host``): scheme, slashes, authority, the rest.
_ADDRESS = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*:)?(/*)([^/?#]*)(.*)", re.DOTALL)


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` before its host taken out, safe to show,
    however malformed the address."""
    scheme, slashes, authority, rest = _parts(url)
    if "@" in authority:
        authority = "…@" + authority.rsplit("@", 1)[1]
    return f"{scheme or ''}{slashes}{authority}{rest}"


def shown_address(url: str) -> str:
    """``url`` as a message shows it: without its user name and password, and quoted
    when it holds a space or control character."""
    shown = without_userinfo(url)
    return repr(shown) if _has_space_or_control(shown) else shown


def server_url_problem(url: str, *, of: str, credentials: str) -> str | None:
    """Why ``url`` is not a usable http(s) address of ``of`` (worded without any
    password it holds; ``credentials`` says where they go instead), or None."""
    if _has_space_or_control(url):
        return "the address holds a space or control character"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a usable address ({_without_secret(str(exc), url)})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) address of {of}"
    if "@" in parts.netloc:
        return (
            "the address holds a user name or password; remove it from the address and "
            f"give the credentials {credentials}"
        )
    if port == 0:
        return "the port must be a number from 1 to 65535"
    return host_problem(parts.hostname)


def _parts(url: str) -> tuple[str | None, str, str, str]:
    match = _ADDRESS.match(url)
    assert match is not None  # every part may be empty
    scheme, slashes, authority, rest = match.groups()
    return scheme, slashes, authority, rest


def _has_space_or_control(text: str) -> bool:
    return any(ord(c) < 0x21 or ord(c) == 0x7F for c in text)


def _without_secret(text: str, url: str) -> str:
    """``text`` (a parser's message about ``url``) with the address's user name and
    password taken out."""
    authority = _parts(url)[2]
    if "@" in authority:
        userinfo = authority.rsplit("@", 1)[0]
        for secret in sorted([userinfo, *userinfo.split(":")], key=len, reverse=True):
            if secret:
                text = text.replace(secret, "…")
    return text
