"""Web server configuration for a published output folder (``wego-ical hosting``).

Pure but for one look at the folder: the folder and the address go in,
configuration text comes out. The nginx configuration is what the test suite
starts a real nginx with. Every value is checked before it is written into
the configuration: a server name, a listen address and the folder can each
carry nginx syntax (``x; location /leak { alias /etc/; }``), and are refused
unless they are what they claim to be.
"""

from __future__ import annotations

import re
from pathlib import Path

from wego_ical.catalogue import CACHE_CONTROL, CONTENT_TYPES
from wego_ical.errors import HostingError
from wego_ical.publish.hostnames import HOST_NAME, is_host_name, is_ip

# Every type the output folder holds (delivery's table, by MIME type). nginx replaces
# (not extends) its types inside a block, so the list is complete.
_TYPES = {kind.split(";")[0]: suffix.lstrip(".") for suffix, kind in CONTENT_TYPES.items()}

# listen's optional parameters that need nothing else in the server block.
_LISTEN_PARAMETERS = {"default_server", "reuseport"}


def check_server_names(value: str) -> list[str]:
    """The server names in ``value`` (separated by spaces), each a host name, an IP
    address, ``_``, or a wildcard as nginx allows (``*.example.org``, ``.example.org``,
    ``www.example.*``). Raises :class:`HostingError` for anything else."""
    names = value.split()
    if not names:
        raise HostingError("--server-name: give a host name, such as events.example.org")
    for name in names:
        core = name
        if core.startswith("*."):
            core = core[2:]
        elif core.startswith("."):
            core = core[1:]
        elif core.endswith(".*"):
            core = core[:-2]
        if name == "_" or is_ip(name.strip("[]")) or is_host_name(core):
            continue
        raise HostingError(
            f"--server-name: {name[:80]!r} is not a host name; give host names such as "
            "events.example.org (wildcards *.example.org and example.* are allowed; "
            "regular expressions are not)"
        )
    return names


def check_listen(value: str) -> str:
    """``value`` if it is a port, ``address:port`` (``[::1]:8080`` for IPv6), or an
    address, optionally followed by ``default_server`` or ``reuseport``."""
    address, *parameters = value.split() or [""]
    unknown = [p for p in parameters if p not in _LISTEN_PARAMETERS]
    port = address
    if address.startswith("["):
        host, bracket, rest = address[1:].partition("]")
        ok = bool(bracket) and is_ip(host, version=6) and (rest == "" or rest.startswith(":"))
        port = rest[1:] if rest else "80"
    elif ":" in address:
        host, port = address.rsplit(":", 1)
        ok = host == "*" or is_ip(host, version=4) or is_host_name(host)
    elif _digits(address):
        ok = True
    else:
        ok, port = is_ip(address, version=4) or is_host_name(address), "80"
    if not ok or unknown or not _digits(port) or not 1 <= int(port) <= 65535:
        raise HostingError(
            f"--listen: {value[:80]!r} is not an nginx listen address; give a port (8080), "
            "address:port (127.0.0.1:8080, [::1]:8080), optionally followed by "
            "default_server or reuseport"
        )
    return value


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() takes '٨٠', which nginx does not."""
    return text.isascii() and text.isdigit()


def check_folder(root: Path) -> str:
    """The absolute path of ``root``, quoted for nginx; it must be an existing folder
    whose name nginx can take as it is (no control characters, no ``$``, which nginx
    reads as a variable)."""
    text = str(root)
    _plain_for_nginx(text, repr(text[:120]))
    if not root.is_dir():
        raise HostingError(
            f"--out: {text}: no such folder; build the feeds first (wego-ical build --out "
            f"{text}), or give the folder the server publishes"
        )
    # What is written is the resolved path: the working folder or a link on the way
    # can carry what the typed path does not.
    absolute = str(root.resolve())
    _plain_for_nginx(absolute, f"{text[:120]!r} (resolved: {absolute[:120]!r})")
    return '"' + absolute.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain_for_nginx(path: str, shown: str) -> None:
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in path) or "$" in path:
        raise HostingError(
            f"--out: {shown} holds a control character or '$', which an nginx "
            "configuration cannot name; serve a folder with a plain name"
        )


def check_cors(origin: str) -> str | None:
    """The value of Access-Control-Allow-Origin for ``origin``: ``*`` (any site),
    one origin (``https://app.example.org``), or None for ``none`` (same site only).
    Raises :class:`HostingError` for anything else (a path, a list, a quote)."""
    if origin == "none":
        return None
    if origin == "*":
        return origin
    match = re.fullmatch(
        rf"https?://({HOST_NAME.pattern}|\[[0-9a-f:.]+\])(:[0-9]{{1,5}})?", origin, re.I
    )
    if match is None:
        raise HostingError(
            f"--cors: {origin!r} is not an origin; give '*' (any site), one origin such as "
            "'https://app.example.org' (scheme, host and port only, no path), or 'none'"
        )
    return origin


def nginx_server(root: Path, *, listen: str = "80", server_name: str = "_", cors: str = "*") -> str:
    """An nginx ``server`` block that serves ``root`` (the output folder) as subscribers need:

    - ``.ics`` as ``text/calendar; charset=utf-8``, ``feeds.json`` as JSON,
      ``index.html`` as HTML, all with charset utf-8;
    - an ETag (nginx's default for static files) so that clients revalidate
      with ``If-None-Match`` and get ``304``;
    - ``Cache-Control: public, max-age=300, must-revalidate``: a feed changes,
      so a client may keep it five minutes, then must ask (cheaply) again;
    - gzip for clients that ask (feeds shrink about tenfold);
    - nothing that starts with a dot (wego-ical's lock and state files);
    - ``Access-Control-Allow-Origin`` as ``cors`` says (:func:`check_cors`), so that
      calendar web apps and widgets on other sites can read the feeds.

    Raises :class:`HostingError` for a value that is not what it should be.
    """
    quoted_root = check_folder(root)
    allowed = check_cors(cors)
    cors_lines = (
        "    # Calendar web apps and widgets on other sites may read the feeds and feeds.json.\n"
        f'    add_header Access-Control-Allow-Origin "{allowed}" always;\n'
        + ("" if allowed == "*" else "    add_header Vary Origin always;\n")
        if allowed
        else "    # No Access-Control-Allow-Origin: only pages of this site may read the feeds.\n"
    )
    names = " ".join(check_server_names(server_name))
    listen = " ".join(check_listen(listen).split())
    types = "\n".join(f"        {mime} {ext};" for mime, ext in _TYPES.items())
    # text/html is always in both lists of nginx.
    text_types = " ".join(mime for mime in _TYPES if mime != "text/html")
    return f"""\
# wego-ical: serve the output folder {quoted_root} (generated by `wego-ical hosting nginx`).
server {{
    listen {listen};
    server_name {names};
    root {quoted_root};
    index index.html;

    types {{
{types}
    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types {text_types};

    etag on;
    add_header Cache-Control "{CACHE_CONTROL}" always;
{cors_lines}
    gzip on;
    gzip_vary on;
    gzip_min_length 256;
    gzip_types {text_types};

    location ~ /\\. {{
        return 404;
    }}
    location / {{
        try_files $uri $uri/ =404;
    }}
}}
"""
