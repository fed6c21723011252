"""hosting: the nginx configuration that `wego-ical hosting nginx` prints, served by a
real nginx (Debian's package) over a built output folder, checked as a client would."""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from click.testing import CliRunner

from conftest import DATA, DIST, free_port, wait_for_port
from wego_ical.catalogue import FEED_MAX_AGE
from wego_ical.cli import main

pytestmark = pytest.mark.servers

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
if not NGINX:
    if os.environ.get("WEGO_ICAL_REQUIRE_SERVERS"):
        pytest.fail("WEGO_ICAL_REQUIRE_SERVERS is set but nginx was not found", pytrace=False)
    pytest.skip(
        "nginx not found: install Debian's nginx (apt-get install nginx)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx on a free loopback port, configured by `wego-ical hosting nginx`, serving a
    build of the WeGO data with a base_url (so that the page links absolutely)."""
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    data = folder / "events.toml"
    text = DATA.read_text(encoding="utf-8")
    assert "\n[publish]\n" in text
    data.write_text(text.replace("\n[publish]\n", f'\n[publish]\nbase_url = "{base}"\n', 1))
    out = folder / "dist"
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert built.exit_code == 0, built.output
    (out / ".wego-ical.lock").write_text("a file the server must not hand out")
    printed = runner.invoke(
        main, ["hosting", "nginx", "--out", str(out), "--listen", f"127.0.0.1:{port}"]
    )
    assert printed.exit_code == 0, printed.output
    (folder / "site.conf").write_text(printed.output, encoding="utf-8")
    _write_nginx_conf(folder, daemon_off=True)
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for_port(port, process, "nginx", seconds=10, log=folder / "error.log")
    yield base
    process.terminate()
    process.wait(timeout=10)


def _get(base: str, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request("GET", "/" + path.lstrip("/"), headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _feeds() -> list[str]:
    return sorted(p.relative_to(DIST).as_posix() for p in DIST.rglob("*.ics"))


def test_every_feed_is_text_calendar_with_etag_and_a_short_revalidated_cache(site: str) -> None:
    feeds = _feeds()
    assert len(feeds) > 30
    for path in feeds:
        status, headers, body = _get(site, path)
        assert status == 200, path
        assert headers["content-type"] == "text/calendar; charset=utf-8", path
        assert body.startswith(b"BEGIN:VCALENDAR\r\n")
        assert headers["cache-control"] == f"public, max-age={FEED_MAX_AGE}, must-revalidate"
        etag = headers["etag"]
        status, again, body = _get(site, path, **{"If-None-Match": etag})
        assert (status, body) == (304, b""), path
        assert again["etag"] == etag


def test_gzip_when_asked_and_the_same_etag_revalidates(site: str) -> None:
    _, _, plain = _get(site, "all.ics")
    status, headers, body = _get(site, "all.ics", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip" and "accept-encoding" in headers["vary"].lower()
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain) / 3
    status, _, _ = _get(
        site, "all.ics", **{"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]}
    )
    assert status == 304


def test_page_and_state_have_their_types(site: str) -> None:
    status, headers, body = _get(site, "")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert body.startswith(b"<!doctype html>")
    status, headers, _ = _get(site, "feeds.json")
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    status, headers, _ = _get(site, "ko/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    for path, kind in [
        ("changes.atom", "application/atom+xml; charset=utf-8"),
        ("schedule.xml", "application/xml; charset=utf-8"),
        ("schedule.json", "application/json; charset=utf-8"),
        ("ko/changes.atom", "application/atom+xml; charset=utf-8"),
    ]:
        status, headers, _ = _get(site, path)
        assert status == 200 and headers["content-type"] == kind, path


def test_lock_and_state_files_beside_the_output_are_not_served(site: str) -> None:
    for path in (".wego-ical.lock", "events/.hidden", ".git/config"):
        status, _, _ = _get(site, path)
        assert status == 404, path


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name, tag) in (("href", "a"), ("src", "script")):
                self.links.append(value)


@pytest.mark.parametrize("page", ["", "ko/"])
def test_every_link_of_the_landing_page_resolves(site: str, page: str) -> None:
    _, _, body = _get(site, page)
    parser = _Links()
    parser.feed(body.decode("utf-8"))
    local = {
        urljoin(site + page, link).split("#")[0]
        for link in parser.links
        if link.startswith(("http://127.0.0.1", "webcal://127.0.0.1")) or "://" not in link
    }
    local = {link.replace("webcal://", "http://", 1) for link in local if link}
    assert len(local) > 15
    for link in sorted(local):
        status, headers, _ = _get(site, urlsplit(link).path)
        assert status == 200, link
        if link.endswith(".ics"):
            assert headers["content-type"] == "text/calendar; charset=utf-8"


# --- values that could carry nginx syntax ----------------------------------


def _write_nginx_conf(folder: Path, *, daemon_off: bool = False) -> None:
    """The rest of a minimal nginx.conf (what Debian's /etc/nginx/nginx.conf provides),
    including ``folder/site.conf``, with every path inside ``folder``."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    daemon = "daemon off;\nworker_processes 1;\n" if daemon_off else ""
    (folder / "nginx.conf").write_text(
        f"""{user}{daemon}pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""",
        encoding="utf-8",
    )


def _nginx_accepts(folder: Path, site: str) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on a minimal nginx.conf that includes ``site``."""
    (folder / "site.conf").write_text(site, encoding="utf-8")
    _write_nginx_conf(folder)
    return subprocess.run(
        [NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )


ACCEPTED = [
    ("dist", "8080", "_"),
    ("dist", "127.0.0.1:8081", "events.example.org"),
    ("dist", "[::1]:8082 default_server", "events.example.org *.example.org"),
    ("dist", "*:8083", ".example.org www.example.*"),
    ("my site", "localhost:8084", "localhost"),
    ('odd "quoted" \\ name;{}', "8085 reuseport", "127.0.0.1"),
    ("한국어 폴더", "8086", "xn--9n2bp8q.example"),
]


@pytest.mark.parametrize(("name", "listen", "server_name"), ACCEPTED)
def test_every_accepted_value_gives_a_configuration_nginx_accepts(
    tmp_path: Path, name: str, listen: str, server_name: str
) -> None:
    out = tmp_path / name
    shutil.copytree(DIST, out)
    printed = CliRunner().invoke(
        main,
        ["hosting", "nginx", "--out", str(out), "--listen", listen, "--server-name", server_name],
    )
    assert printed.exit_code == 0, printed.output
    checked = _nginx_accepts(tmp_path, printed.output)
    assert checked.returncode == 0, checked.stderr + printed.output


REFUSED = [
    (["--server-name", "x; location /leak { alias /etc/; autoindex on; } #"], "--server-name"),
    (["--server-name", "x; return 302 http://evil.example/;"], "--server-name"),
    (["--server-name", "~^(?<name>.+)$"], "--server-name"),
    (["--server-name", "a" * 64 + ".example.org"], "--server-name"),
    (["--server-name", ""], "--server-name"),
    (["--listen", "80; location /leak { alias /etc/; }"], "--listen"),
    (["--listen", "80 ssl"], "--listen"),
    (["--listen", "99999"], "--listen"),
    (["--listen", "unix:/tmp/x"], "--listen"),
    (["--listen", "[::1:80"], "--listen"),
    (["--listen", ""], "--listen"),
    (["--cors", 'https://x.example" always; add_header X "y'], "--cors"),
    (["--cors", "https://x.example/path"], "--cors"),
    (["--cors", "x.example"], "--cors"),
]


@pytest.mark.parametrize(("arguments", "named"), REFUSED)
def test_an_injection_attempt_is_refused_with_a_message(arguments: list[str], named: str) -> None:
    printed = CliRunner().invoke(main, ["hosting", "nginx", "--out", str(DIST), *arguments])
    assert printed.exit_code == 1
    assert printed.output.startswith(f"Error: {named}: ")
    assert "server {" not in printed.output
    assert "Traceback" not in printed.output


@pytest.mark.parametrize("name", ["new\nline", "bell\x07", "price$host", "missing"])
def test_a_folder_nginx_cannot_name_or_that_does_not_exist_is_refused(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    if name != "missing":
        out.mkdir()
    printed = CliRunner().invoke(main, ["hosting", "nginx", "--out", str(out)])
    assert printed.exit_code == 1
    assert printed.output.startswith("Error: --out: ")
    assert "server {" not in printed.output


@pytest.mark.parametrize(
    ("cors", "allowed", "vary"),
    [("*", "*", False), ("https://app.example.org", "https://app.example.org", True),
     ("none", None, False)],
)  # fmt: skip
def test_cors_as_asked_served_by_nginx(
    tmp_path: Path, cors: str, allowed: str | None, vary: bool
) -> None:
    """Which other sites' pages may read the feeds, as a browser sees it from nginx."""
    out = tmp_path / "dist"
    shutil.copytree(DIST, out)
    port = free_port()
    printed = CliRunner().invoke(
        main,
        ["hosting", "nginx", "--out", str(out), "--listen", f"127.0.0.1:{port}", "--cors", cors],
    )
    assert printed.exit_code == 0, printed.output
    (tmp_path / "site.conf").write_text(printed.output, encoding="utf-8")
    _write_nginx_conf(tmp_path, daemon_off=True)
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process, "nginx", seconds=10, log=tmp_path / "error.log")
        status, headers, _ = _get(
            f"http://127.0.0.1:{port}/", "all.ics", Origin="https://a.example"
        )
        assert status == 200
        assert headers.get("access-control-allow-origin") == allowed
        assert ("origin" in headers.get("vary", "").lower()) == vary
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_listen_port_of_other_digits_is_refused() -> None:
    from wego_ical.errors import HostingError
    from wego_ical.publish.nginx import check_listen

    with pytest.raises(HostingError, match="is not an nginx listen address"):
        check_listen("٨٠")
    with pytest.raises(HostingError, match="is not an nginx listen address"):
        check_listen("127.0.0.1:٨٠")


def test_the_resolved_folder_is_checked_as_the_typed_one(tmp_path: Path) -> None:
    """A working folder whose name holds a newline and a server block: '--out dist' is
    harmless as typed, but the configuration names the resolved path."""
    import os

    from click.testing import CliRunner

    from wego_ical.cli import main

    hostile = tmp_path / "x\n}\nserver { listen 9999; root /etc; location / { }\n#"
    (hostile / "dist").mkdir(parents=True)
    here = os.getcwd()
    os.chdir(hostile)
    try:
        result = CliRunner().invoke(main, ["hosting", "nginx", "--out", "dist"])
    finally:
        os.chdir(here)
    assert result.exit_code == 1, result.output
    assert "holds a control character" in result.output
    assert "\nserver {" not in result.output  # the newline is shown escaped, never written
