"""Sync with the district hub: one round pushes what this station recorded and pulls what the
district changed. No Qt: the GUI runs :func:`run_sync` on a worker thread.

The package, by responsibility:

* :mod:`.round` — :func:`run_sync`, a round's steps and promises (start there);
* :mod:`.push` and :mod:`.pull` — the two halves of a round (:mod:`.wire`: what a push sends);
* :mod:`.client` — HTTP to the hub with timeouts, retries and back-off;
* :mod:`.context` — what the steps of a round share, and its lease;
* :mod:`.state` — the bookkeeping read without the network: status, quarantined records,
  resending, recovery after a crash;
* :mod:`.refused` — the sync panel's list of refused records (:func:`refused_rows`);
* :mod:`.options` — the round's options, progress and summary;
* :mod:`.errors` — why a round stops (:class:`SyncFailure` with a
  :class:`~xuhui_desk.codes.SyncErrorKind`).

The names below are the package's public API; the GUI and the command line import them from here.
"""

from xuhui_desk.services.sync.errors import SyncFailure
from xuhui_desk.services.sync.options import SyncOptions, SyncProgress, SyncSummary
from xuhui_desk.services.sync.refused import RefusedRow, refused_rows
from xuhui_desk.services.sync.round import run_sync
from xuhui_desk.services.sync.state import (
    RejectedRecord,
    SyncStatus,
    recover,
    rejected_records,
    resend,
    sync_error_message,
    sync_status,
)

__all__ = [
    "RefusedRow",
    "RejectedRecord",
    "SyncFailure",
    "SyncOptions",
    "SyncProgress",
    "SyncStatus",
    "SyncSummary",
    "recover",
    "refused_rows",
    "rejected_records",
    "resend",
    "run_sync",
    "sync_error_message",
    "sync_status",
]
