"""The landing page in a real browser (Chromium through Playwright), served by
``wego-ical serve`` in its own process, as a subscriber would see it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from conftest import DATA, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install '.[test]'"
)

CHROMIUM = os.environ.get("WEGO_ICAL_CHROMIUM") or shutil.which("chromium") or ""
if not CHROMIUM and os.environ.get("WEGO_ICAL_REQUIRE_BROWSER"):
    pytest.fail("WEGO_ICAL_REQUIRE_BROWSER is set but Chromium was not found", pytrace=False)
if not CHROMIUM:
    pytest.skip(
        "Chromium not found: install Debian's chromium (apt-get install chromium) "
        "or set WEGO_ICAL_CHROMIUM to a Chromium binary",
        allow_module_level=True,
    )

ARTIFACTS = ROOT / "test-artifacts"
# Flags for a sandboxed machine without network: no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Server:
    """``wego-ical serve`` running in a child process."""

    def __init__(self, folder: Path, data_text: str) -> None:
        self.data = folder / "events.toml"
        self.data.write_text(data_text, encoding="utf-8")
        command = [sys.executable, "-m", "wego_ical", "serve", "--data", str(self.data)]
        command += ["--out", str(folder / "dist"), "--port", "0"]
        self.process = subprocess.Popen(
            command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"at (http://\S+/)$", line.strip())
        if not match:
            self.stop()
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"serve did not start: {line!r} {stderr}")
        self.url = match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("site"), DATA.read_text(encoding="utf-8"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(
    browser: Browser,
) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []

    def open_(url: str, **options: object) -> Page:
        context = browser.new_context(**options)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on(  # type: ignore[call-overload]
            "console",
            lambda message: (
                page.errors.append(message.text)  # type: ignore[attr-defined]
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()


def test_page_loads_without_errors_or_outside_requests(
    server: Server, open_page: Callable[..., Page]
) -> None:
    requested: list[str] = []
    page = open_page(server.url, timezone_id="Asia/Seoul")
    page.on("request", lambda request: requested.append(request.url))
    page.reload()
    assert page.title() == "4th WeGO Awards — calendar feeds"
    assert page.errors == []  # type: ignore[attr-defined]
    assert requested and all(url.startswith(server.url) for url in requested), requested


def test_every_feed_and_single_event_link_resolves_to_a_parsing_file(
    server: Server, open_page: Callable[..., Page]
) -> None:
    page = open_page(server.url)
    hrefs = page.eval_on_selector_all("a[download]", "links => links.map(a => a.href)")
    assert len(hrefs) == 10 + 7
    for href in hrefs:
        assert href.startswith(server.url)
        response = page.request.get(href)
        assert response.status == 200, href
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        calendar = icalendar.Calendar.from_ical(response.body())
        assert calendar.events, href


def test_calendar_app_links_are_well_formed_and_encoded(
    server: Server, open_page: Callable[..., Page]
) -> None:
    page = open_page(server.url)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert all(" " not in href and "\n" not in href for href in hrefs)
    webcal = [h for h in hrefs if h.startswith("webcal://")]
    google_feeds = [h for h in hrefs if "calendar/render?cid=" in h]
    outlook_feeds = [h for h in hrefs if "/addfromweb?" in h]
    assert len(webcal) == len(google_feeds) == len(outlook_feeds) == 10
    for link in webcal:
        http_url = "http://" + link.removeprefix("webcal://")
        assert http_url.startswith(server.url)
        assert page.request.get(http_url).status == 200
    for link in google_feeds:
        (cid,) = parse_qs(urlsplit(link).query)["cid"]
        assert cid in webcal
    for link in outlook_feeds:
        query = parse_qs(urlsplit(link).query)
        assert query["url"][0].startswith(server.url) and query["name"][0]
    add_google = [h for h in hrefs if "action=TEMPLATE" in h]
    assert len(add_google) == 7
    for link in add_google:
        query = parse_qs(urlsplit(link).query)
        assert re.fullmatch(r"\d{8}T\d{6}Z/\d{8}T\d{6}Z", query["dates"][0])
        assert query["text"][0] and query["details"][0] and query["ctz"] == ["Asia/Seoul"]
    add_outlook = [h for h in hrefs if "rru=addevent" in h]
    assert len(add_outlook) == 14  # outlook.com and Microsoft 365
    for link in add_outlook:
        query = parse_qs(urlsplit(link).query)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", query["startdt"][0])


def test_times_in_the_viewers_zone(server: Server, open_page: Callable[..., Page]) -> None:
    page = open_page(server.url, timezone_id="America/Sao_Paulo")
    session = page.locator("#part-1--mobility")
    assert "09:00–09:30 KST (Asia/Seoul, UTC+09:00)" in session.inner_text()
    viewer = session.locator(".viewer-time").inner_text()
    assert viewer == "Your time: Wed, 25 August 2021, 21:00–21:30 (America/Sao_Paulo)"
    assert page.locator("#viewer-zone").inner_text() == "America/Sao_Paulo"
    ceremony = page.locator("#ceremony .viewer-time").inner_text()
    assert "18 October 2021, 03:00–05:00" in ceremony


def test_screenshots(server: Server, open_page: Callable[..., Page]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    desktop = open_page(
        server.url, timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900}
    )
    desktop.screenshot(path=str(ARTIFACTS / "landing-page-desktop.png"), full_page=True)
    phone = open_page(
        server.url,
        timezone_id="Asia/Jakarta",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    phone.screenshot(path=str(ARTIFACTS / "landing-page-phone.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    for name in ("landing-page-desktop.png", "landing-page-phone.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_keyboard_reaches_every_control(server: Server, open_page: Callable[..., Page]) -> None:
    page = open_page(server.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the schedule"
    controls = page.evaluate(
        "Array.from(document.querySelectorAll('a[href], button:not([hidden]), input'))"
        ".filter(e => e.tabIndex < 0).length"
    )
    assert controls == 0
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.add(
            page.evaluate(
                "document.activeElement.tagName + ':' + document.activeElement.textContent"
            )
        )
    assert "A:Download .ics" in seen and "BUTTON:Copy" in seen


def test_copy_button_copies_the_address(server: Server, open_page: Callable[..., Page]) -> None:
    page = open_page(server.url, permissions=["clipboard-read", "clipboard-write"])
    button = page.locator("button.copy").first
    button.click()
    playwright_api.expect(button).to_have_text("Copied")  # the clipboard API is asynchronous
    assert page.evaluate("navigator.clipboard.readText()") == f"{server.url}all.ics"


def test_works_without_javascript(server: Server, open_page: Callable[..., Page]) -> None:
    page = open_page(server.url, java_script_enabled=False)
    session = page.locator("#part-2--efficient-government")
    assert "16:00–16:30 KST (Asia/Seoul, UTC+09:00)" in session.inner_text()
    assert not page.locator(".viewer-time").first.is_visible()
    assert not page.locator("button.copy").first.is_visible()
    assert page.locator("a[download]").count() == 17


def test_script_in_the_data_is_shown_as_text(
    tmp_path: Path, open_page: Callable[..., Page]
) -> None:
    text = DATA.read_text(encoding="utf-8").replace(
        'title = "WeGO Awards Webinar Part 1"',
        'title = "Part 1 <script>window.injected = true</script>"',
    )
    injected = Server(tmp_path, text)
    try:
        page = open_page(injected.url)
        assert page.evaluate("window.injected === undefined")
        heading = page.locator("#part-1-title").inner_text()
        assert heading == "Part 1 <script>window.injected = true</script>"
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        injected.stop()
