"""What each ``publish`` target is told to do: plain settings, so that the commands
can make them without importing the publishers."""

from __future__ import annotations

from dataclasses import dataclass

from wego_ical.catalogue import MAIN_FEED


@dataclass(frozen=True)
class CalDavSettings:
    """How ``publish caldav`` publishes: which feed's events, and what it may do."""

    feed: str = MAIN_FEED
    dry_run: bool = False
    force: bool = False
    allow_http: bool = False
    create: bool = False


@dataclass(frozen=True)
class S3Settings:
    """How ``publish s3`` publishes: to which storage, with what CORS rule, and what
    it may do."""

    endpoint_url: str | None = None
    cors: str | None = None
    dry_run: bool = False
    force: bool = False
