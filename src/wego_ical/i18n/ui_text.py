"""The tool's own words in each language it speaks: description headings and page texts.

English is the model's defaults (:class:`~wego_ical.model.Labels`); other
languages are here. A series may override any label in ``[labels]``.
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from wego_ical.i18n.locales import base_language

# Headings inside descriptions, by language (keys are the fields of Labels).
LABELS: dict[str, dict[str, str]] = {
    "ko": {
        "category": "분야",
        "topics": "주제",
        "projects": "프로젝트",
        "winners": "수상작",
        "panelists": "발표자",
        "panelists_plural": "발표자",
        "judges": "심사위원단",
        "interpretation": "동시통역",
        "host": "주최",
        "session": "세션",
        "of": "/",
        "event_page": "행사 페이지",
        "all_events": "전체 일정",
        "cancelled": "취소",
        "conference": "온라인 참여",
    },
}


def labels(language: str | None) -> dict[str, str]:
    """The built-in labels of ``language`` (empty: the English defaults apply)."""
    if language is None:
        return {}
    return LABELS.get(language, LABELS.get(base_language(language), {}))


# The landing page's own texts. English is the reference; a language without an
# entry here shows the English text. Each text is a whole sentence or phrase with
# placeholders ({count}, {zone}, …), so that no language has to glue its grammar to
# English word order. Counts use "count_one" / "count_other" (CLDR plural forms:
# Korean has one form, "일정 7개").
PAGE: dict[str, dict[str, str]] = {
    "en": {
        "title": "{series} — calendar feeds",
        "skip": "Skip to the schedule",
        "organised_by": "Organised by {organiser}",
        "languages": "Languages",
        "add_heading": "Add the schedule to your calendar",
        "over_heading": "This series is over",
        "over_days": "It took place from {first} to {last}; its calendar stays here.",
        "over_day": "It took place on {first}; its calendar stays here.",
        "state_past": "Over",
        "state_now": "On now",
        # The row of an event without sessions, under the event's own heading.
        "whole_event": "The whole event",
        "add_intro": (
            "A <strong>subscription</strong> keeps your calendar up to date when a session moves "
            "or is cancelled. A <strong>download</strong> is a one-time copy you can import into "
            "any calendar app."
        ),
        # Shown by the script when the page was opened from a file (file://).
        "from_file": (
            "This page was opened from a file, so it has no web address to subscribe to. "
            "Once this folder is published on a web server, the subscribe buttons appear here. "
            "Until then you can download the files."
        ),
        # Shown when the page is served from this computer (the serve preview).
        "on_this_computer": (
            "This is a preview served from this computer. Google Calendar and Outlook cannot "
            "reach it, so their buttons work only once the folder is published; the Subscribe "
            "button works for calendar apps on this computer."
        ),
        # The same, for a page built with base_url: its buttons use the published address.
        "on_this_computer_published": (
            "This copy is served from this computer, but its buttons use the published "
            "address ({address}): they subscribe to the calendars as published there, not to "
            "this copy."
        ),
        "no_script": (
            "To subscribe without JavaScript, copy the link of a Download button and add it in "
            "your calendar app as a calendar from a web address."
        ),
        "count_one": "{count} event",
        "count_other": "{count} events",
        "sessions_one": "{count} session",
        "sessions_other": "{count} sessions",
        "sessions_and_events": "{sessions} and {events}",
        # Calendar entries of any kind (the feed of changes counts what it published).
        "items_one": "{count} event",
        "items_other": "{count} events",
        "main_count": "{count}. Changes reach your calendar by themselves.",
        "subscribe_all": "Subscribe to all events",
        "other_apps": "Other calendar apps",
        "more_ways": "More ways",
        "pick_one": "Or only one part",
        "by_event": "By event",
        "by_category": "By category",
        "feeds_by_event": "Calendars by event",
        "feeds_by_category": "Calendars by category",
        "by_room": "By room",
        "by_person": "By speaker",
        "feeds_by_room": "Calendars by room",
        "feeds_by_person": "Calendars by speaker",
        # Accessible names start with the control's visible text (WCAG 2.5.3, Label in
        # Name: a voice user says what they see).
        "subscribe_in": "Subscribe to {feed} in {app}",
        "subscribe_all_named": "Subscribe to all events: {feed}, in your calendar app",
        "your_app": "your calendar app",
        "google_calendar": "Google Calendar",
        "download_named": "Download .ics: the calendar “{feed}”",
        "copy_named": "Copy the address of {feed}",
        "address_named": "Address of {feed}",
        "more_named": "More ways to subscribe to {feed}",
        "qr": "QR code",
        "qr_named": "QR code to subscribe to {feed}",
        "qr_show": "Address · QR code: {feed}",
        "qr_hint": "Scan with a phone’s camera: it opens this page at this calendar, "
        "with the right Subscribe button for the phone.",
        "add_named": "Add {entry} to {app}",
        "file_named": ".ics file: download “{entry}”",
        "subscribe": "Subscribe",
        "download": "Download .ics",
        "address": "Address",
        "copy_address": "Copy",
        "copied": "Copied",
        "schedule": "Schedule",
        "times_in": "Times are in {zone}.",
        "times_own": "Each event’s times are in its own time zone.",
        "event_zone": "Times in {zone}",
        "show_times": "Show times in",
        "zone_event": "the event’s time zone",
        "zone_mine": "my time zone",
        "own_time": "{time} {zone}",
        "add_to_calendar": "Add to calendar",
        "ics_file": ".ics file",
        # The last line of a list cut short in an "add to calendar" link.
        "and_more": "…and {} more",
        "all_day": "All day",
        "all_day_until": "All day, until {day}",
        "open_schedule": "Schedule of this event",
        "all_feeds": "All calendars and events",
        "part": "Part {number} of {count}",
        "other_events": "Other events",
        "filter_events": "Find an event",
        "jump_now": "On now: {title}",
        "jump_next": "Next: {title}",
        "filter_count": "{shown} of {count} events",
        "previous_event": "← {title}",
        "next_event": "{title} →",
        "parts": "Parts of this schedule",
        "footer": (
            "Generated by wego-ical. Calendar apps refresh subscribed feeds on their own "
            "schedule; Google Calendar only every several hours."
        ),
    },
    "ko": {
        "title": "{series} — 캘린더 구독",
        "skip": "일정으로 바로 가기",
        "organised_by": "주최: {organiser}",
        "languages": "언어",
        "add_heading": "내 캘린더에 일정 추가하기",
        "over_heading": "모든 일정이 끝났습니다",
        "over_days": "{first}부터 {last}까지 열렸습니다. 캘린더는 계속 받을 수 있습니다.",
        "over_day": "{first}에 열렸습니다. 캘린더는 계속 받을 수 있습니다.",
        "state_past": "종료",
        "whole_event": "행사 전체",
        "state_now": "진행 중",
        "add_intro": (
            "<strong>구독</strong>하면 세션 시간이 바뀌거나 취소될 때 캘린더에 자동으로 "
            "반영됩니다. <strong>다운로드</strong>한 파일은 한 번만 가져오는 사본이며, 어느 "
            "캘린더 앱에서나 가져올 수 있습니다."
        ),
        "from_file": (
            "이 페이지는 파일로 열려 있어 구독할 웹 주소가 없습니다. 이 폴더를 웹 서버에 "
            "게시하면 이곳에 구독 버튼이 나타납니다. 그전까지는 파일을 다운로드할 수 있습니다."
        ),
        "on_this_computer": (
            "이 컴퓨터에서 띄운 미리 보기입니다. Google 캘린더와 Outlook은 이 주소에 접속할 수 "
            "없으므로 해당 버튼은 사이트를 웹에 공개한 뒤에 작동합니다. 구독 버튼은 이 컴퓨터의 "
            "캘린더 앱에서 작동합니다."
        ),
        "on_this_computer_published": (
            "이 컴퓨터에서 띄운 사본이지만, 버튼은 게시된 주소({address})를 사용합니다. 이 "
            "사본이 아니라 그 주소에 게시된 캘린더를 구독합니다."
        ),
        "no_script": (
            "JavaScript 없이 구독하려면 다운로드 버튼의 링크를 복사한 뒤, 캘린더 앱에서 웹 "
            "주소로 캘린더를 추가하세요."
        ),
        "count_one": "행사 {count}개",
        "count_other": "행사 {count}개",
        "sessions_one": "세션 {count}개",
        "sessions_other": "세션 {count}개",
        # Each count ends in 개: 와 and 가 are the particles that follow it.
        "sessions_and_events": "{sessions}와 {events}",
        "items_one": "일정 {count}개",
        "items_other": "일정 {count}개",
        "main_count": "{count}가 담겨 있으며, 일정이 바뀌면 캘린더에 자동으로 반영됩니다.",
        "subscribe_all": "전체 일정 구독하기",
        "other_apps": "다른 캘린더 앱",
        "more_ways": "다른 구독 방법",
        "pick_one": "일부만 구독하기",
        "by_event": "행사별",
        "by_category": "분야별",
        "feeds_by_event": "행사별 캘린더",
        "feeds_by_category": "분야별 캘린더",
        "by_room": "장소별",
        "by_person": "발표자별",
        "feeds_by_room": "장소별 캘린더",
        "feeds_by_person": "발표자별 캘린더",
        "subscribe_in": "{app}: {feed} 구독하기",
        "subscribe_all_named": "전체 일정 구독하기: {feed}, 캘린더 앱",
        "your_app": "캘린더 앱",
        "google_calendar": "Google 캘린더",
        "download_named": ".ics 다운로드: “{feed}” 캘린더",
        "copy_named": "{feed} 주소 복사",
        "address_named": "{feed} 주소",
        "more_named": "다른 구독 방법: {feed}",
        "qr": "QR 코드",
        "qr_named": "{feed} 구독용 QR 코드",
        "qr_show": "주소 · QR 코드: {feed}",
        "qr_hint": "휴대폰 카메라로 스캔하면 이 캘린더가 있는 페이지가 열리고, 휴대폰에 맞는 "
        "구독 버튼이 나타납니다.",
        "add_named": "{app}: {entry} 추가하기",
        "file_named": ".ics 파일: “{entry}” 일정 다운로드",
        "subscribe": "구독하기",
        "download": ".ics 다운로드",
        "address": "주소",
        "copy_address": "복사",
        "copied": "복사됨",
        "schedule": "일정",
        "times_in": "모든 시간은 {zone} 기준입니다.",
        "times_own": "시간은 행사마다 해당 행사의 현지 시간 기준입니다.",
        "event_zone": "{zone} 기준",
        "show_times": "시간 표시 기준",
        "zone_event": "행사 현지 시간",
        "zone_mine": "내 시간대",
        "own_time": "{zone} 기준 {time}",
        "add_to_calendar": "캘린더에 추가",
        "ics_file": ".ics 파일",
        "and_more": "…외 {}건",
        "all_day": "종일",
        "all_day_until": "종일, {day}까지",
        "open_schedule": "이 행사의 일정 보기",
        "all_feeds": "전체 캘린더와 행사",
        "part": "{number}/{count}페이지",
        "other_events": "다른 행사",
        "filter_events": "행사 찾기",
        "jump_now": "진행 중: {title}",
        "jump_next": "다음 일정: {title}",
        "filter_count": "행사 {count}개 중 {shown}개",
        "previous_event": "← {title}",
        "next_event": "{title} →",
        "parts": "이 일정의 다른 쪽",
        "footer": (
            "wego-ical로 만든 페이지입니다. 캘린더 앱은 구독한 캘린더를 앱마다 정해진 주기로 "
            "새로 고치며, Google 캘린더는 몇 시간에 한 번씩만 새로 고칩니다."
        ),
    },
}


# The feed of changes (changes.atom): entry titles and lines.
CHANGES: dict[str, dict[str, str]] = {
    "en": {
        "feed_title": "{series} — changes to the schedule",
        "published": "Schedule published: {count}",
        "added": "Added: {title}",
        "changed": "Changed: {title}",
        "moved": "Moved: {title}",
        "cancelled": "Cancelled: {title}",
        "restored": "Back in the schedule: {title}",
        "removed": "Removed: {title}",
        "pruned": "Removed: {title}",
        "time": "Time: {before} → {after}",
        "when": "{when}",
        "summary_field": "Title: “{before}” → “{after}”",
        "location_field": "Place: {before} → {after}",
        "other_fields": "Also changed: {fields}",
        "none": "none",
        "page_link": "Changes to the schedule (Atom feed)",
        "schedule_files": "The schedule for conference apps (Giggity, EventFahrplan, ConfClerk):",
        "feed_note": "Changes to the schedule, as a news feed: {url}",
    },
    "ko": {
        "feed_title": "{series} — 일정 변경 소식",
        "published": "일정 공개: {count}",
        "added": "추가: {title}",
        "changed": "변경: {title}",
        "moved": "시간 변경: {title}",
        "cancelled": "취소: {title}",
        "restored": "다시 진행: {title}",
        "removed": "삭제: {title}",
        "pruned": "삭제: {title}",
        "time": "시간: {before} → {after}",
        "when": "{when}",
        "summary_field": "제목: “{before}” → “{after}”",
        "location_field": "장소: {before} → {after}",
        "other_fields": "그 밖의 변경: {fields}",
        "none": "없음",
        "page_link": "일정 변경 소식(Atom 피드)",
        "schedule_files": "콘퍼런스 앱(Giggity, EventFahrplan, ConfClerk)용 일정:",
        "feed_note": "일정 변경 소식(뉴스 피드): {url}",
    },
}


def speaks(language: str) -> bool:
    """Whether the tool has its own words (page texts, headings) in ``language``."""
    return any(code in PAGE for code in (language, base_language(language)))


def changes(language: str | None) -> dict[str, str]:
    """The words of the feed of changes in ``language``, English where it has none."""
    base = dict(CHANGES["en"])
    if language is not None:
        base |= CHANGES.get(language, CHANGES.get(base_language(language), {}))
    return base


def page(language: str | None) -> dict[str, str]:
    """The page texts of ``language``, English where it has none."""
    base = dict(PAGE["en"])
    if language is not None:
        base |= PAGE.get(language, PAGE.get(base_language(language), {}))
    return base


def count(words: dict[str, str], key: str, number: int, language: str | None = None) -> str:
    """``number`` things in words: "7 events", "일정 7개" (``key``: "count", "sessions"),
    in the CLDR plural form ``language`` uses for ``number`` ("one", "few", "many", …)
    where the words have it, else their "other" form."""
    form = plural_form(language or "en", number)
    # The number as the language writes it: "10,000 events", not "10000 events".
    written = format_decimal(number, locale=_locale(language or "en"))
    return words.get(f"{key}_{form}", words[f"{key}_other"]).format(count=written)


def entries(words: dict[str, str], sessions: int, events: int, language: str | None = None) -> str:
    """What a feed holds, by what it is: "3 sessions", "1 event", or "1 session and 1
    event" (a category's feed holds the awards ceremony too, and says so). Each count
    keeps its number and word together (no-break spaces): a narrow row breaks the
    phrase between them, never inside one."""
    made = {
        "sessions": count(words, "sessions", sessions, language).replace(" ", "\u00a0"),
        "events": count(words, "count", events, language).replace(" ", "\u00a0"),
    }
    if not events:
        return made["sessions"]
    if not sessions:
        return made["events"]
    return words["sessions_and_events"].format(**made)


def plural_form(language: str, number: int) -> str:
    """CLDR's plural category of ``number`` in ``language`` (English's rules for a
    language Babel does not know)."""
    return _locale(language).plural_form(number)


@functools.lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")
