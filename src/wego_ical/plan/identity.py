"""One series per output folder: whether the data's series id and UID domain are
the ones the folder published, and what subscribers would see if they changed
(every event under a new UID: duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wego_ical.model import Series
    from wego_ical.plan.records import State


@dataclass(frozen=True)
class IdentityChange:
    """The output folder holds another series, or this one under another id or UID domain."""

    out_dir: Path
    data_path: Path
    before: tuple[str, str | None]
    now: tuple[str, str]

    def warning(self) -> str:
        """What subscribers will see if the build goes ahead."""
        return (
            f"every event gets a new UID: subscribers will see duplicates "
            f"(series {_identity(self.before)} becomes {_identity(self.now)}; the old events "
            "are cancelled and the new ones added)"
        )

    def refusal(self) -> str:
        """Why a build stops, and the ways forward."""
        return (
            f"{self.out_dir} holds the feeds of series {_identity(self.before)}, but "
            f"{self.data_path} is series {_identity(self.now)}. Building it here would cancel "
            "every published event and publish them all again under new UIDs: subscribers "
            "would see duplicates. Build this series into another folder with --out; pass "
            "--replace to start this folder over with it; or, if you renamed this series on "
            "purpose, pass --new-uids."
        )


def _identity(identity: tuple[str, str | None]) -> str:
    series_id, domain = identity
    return f"'{series_id}' (UIDs …@{domain})" if domain else f"'{series_id}'"


def identity_change_of(
    previous: State | None, series: Series, folder: Path, data_path: Path
) -> IdentityChange | None:
    """How the series identity differs from the one published in ``folder``, if it does."""
    if previous is None:
        return None
    info = series.series
    domain = previous.recorded_uid_domain()
    if previous.series == info.id and domain in (None, info.uid_domain):
        return None
    return IdentityChange(folder, data_path, (previous.series, domain), (info.id, info.uid_domain))
