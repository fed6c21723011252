"""Credentials for ``publish --caldav``: from the environment or a netrc file, never
from the command line or the address, never shown; sent over plain http only to
this machine unless the organiser allows it.
"""

from __future__ import annotations

import io
import ipaddress
import netrc
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from wego_ical.errors import PublishError
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.limits import MAX_NETRC_BYTES
from wego_ical.publish.caldav.client import (
    calendar_url,
)

USERNAME_VARIABLE = "WEGO_ICAL_CALDAV_USERNAME"


PASSWORD_VARIABLE = "WEGO_ICAL_CALDAV_PASSWORD"


def credentials(
    url: str, environ: Mapping[str, str], netrc_file: Path | None
) -> tuple[str | None, str | None]:
    """Username and password: from the environment, else from the netrc file
    (``netrc_file``, else $NETRC, else ~/.netrc) entry for the URL's host."""
    url = calendar_url(url)
    username, password = environ.get(USERNAME_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if username is not None:
        return username, password
    path = netrc_file or (Path(environ["NETRC"]) if environ.get("NETRC") else None)
    if path is None:
        home = Path(environ.get("HOME", "~")).expanduser()
        path = home / ".netrc"
        if not path.exists():
            return None, None
    try:
        entry = _read_netrc(path).authenticators(urlsplit(url).hostname or "")
    except FileNotFoundError:
        raise PublishError(f"{path}: no such netrc file") from None
    except ReadRefused as exc:
        raise PublishError(f"{path}: {exc.reason}; give a netrc file (--netrc)") from None
    except UnicodeDecodeError as exc:
        raise PublishError(
            f"{path}: is not UTF-8 text (byte {exc.start}); save the netrc file as UTF-8"
        ) from None
    except netrc.NetrcParseError as exc:
        # Never the exception's text: it quotes the token it stumbled on, which is
        # often the password.
        # netrc counts the line it has just read past: "near", not "on".
        where = f", near line {exc.lineno}" if exc.lineno else ""
        raise PublishError(
            f"{path}{where}: cannot be read as a netrc file; each entry is "
            "'machine HOST login NAME password SECRET' (a password with spaces or quotes "
            "needs them escaped)"
        ) from None
    except OSError as exc:
        raise PublishError(f"{path}: cannot be used as a netrc file ({exc.strerror})") from None
    if entry is None:
        return None, None
    login, _, secret = entry
    return login, secret


def _read_netrc(path: Path) -> netrc.netrc:
    """The netrc file at ``path``, read as every file is (a plain file of bounded size:
    a pipe or /dev/zero would never end), then parsed by the standard library."""
    text = read_bounded(path, MAX_NETRC_BYTES).decode("utf-8")
    parsed = netrc.netrc.__new__(netrc.netrc)
    parsed.hosts, parsed.macros = {}, {}
    # netrc.netrc() opens the file itself, unbounded; its parser takes a stream.
    parsed._parse(str(path), io.StringIO(text), False)  # type: ignore[attr-defined]
    return parsed


def safe_for_credentials(url: str) -> bool:
    """Whether credentials may be sent to ``url``: over https, or to this machine."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
