"""Why a sync round stops, and the English texts of the two conditions that outlast a round
(clock skew, a pause for an upgrade). The kinds are :class:`~xuhui_desk.codes.SyncErrorKind`,
shared with the GUI; the exceptions below ``SyncFailure`` never leave the package."""

from __future__ import annotations

from xuhui_desk.codes import SyncErrorKind


def error_kind(stored: str | None) -> SyncErrorKind | None:
    """A stored kind as the enum (None for none, or for one an older or newer program wrote)."""
    try:
        return SyncErrorKind(stored) if stored else None
    except ValueError:
        return None


class SyncFailure(Exception):
    """Why a round stopped (``kind`` as in :attr:`SyncSummary.error_kind`)."""

    def __init__(self, kind: SyncErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class TooLarge(Exception):
    """The hub answered 413: the push splits the batch."""


class HubTimeout(Exception):
    """A push timed out: the push splits the batch (or quarantines a single record)."""


class UpgradeRequired(Exception):
    """The hub needs a newer protocol: sync pauses, intake goes on."""

    def __init__(self, message: str, min_protocol: int | None) -> None:
        super().__init__(message)
        self.min_protocol = min_protocol


def skew_text(skew: float) -> str:
    """The warning for a clock ``skew`` seconds off the hub's (positive: ahead)."""
    ahead = "ahead of" if skew > 0 else "behind"
    amount = abs(skew)
    if amount >= 2 * 86400:
        shown = f"{amount / 86400:.0f} days"
    elif amount >= 2 * 3600:
        shown = f"{amount / 3600:.1f} hours"
    else:
        shown = f"{amount / 60:.0f} minutes" if amount >= 120 else f"{amount:.0f} seconds"
    return (f"this computer's clock is {shown} {ahead} the district hub's; times recorded here will be off "
            "until the system clock is corrected (sync itself is not affected)")


def pause_text(min_protocol: int | None, message: str) -> str:
    """Why sync is paused when the hub needs a newer program."""
    need = f" (protocol {min_protocol} or newer)" if min_protocol else ""
    return (f"sync is paused: the district hub requires a newer version of this program{need}. "
            f"Install the update; intake and everything else keep working. Hub said: {message}")
