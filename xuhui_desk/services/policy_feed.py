"""The district's policy catalogue arriving at the station: the hub's feed
``GET /api/v1/policies?since=N`` read once per sync round, after the calendar (services/sync/round.py).

The station asks with the catalogue version it holds. The hub answers ``unchanged`` when that is
still the current version, else every published policy (withdrawn ones left out): the station
then replaces its whole set in one transaction (``services.policies.replace_catalogue``), keeping
when each policy first arrived (Today's "new policy"). Each policy is checked by the core
(``policies.parse_policy``); one the station cannot read (a newer hub's condition, say) is left
out and said in the round's summary, and the version is not remembered, so that the next round
asks for the whole catalogue again rather than believing it holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from xuhui_desk.policies import CatalogueError, Policy, Problem, parse_policy
from xuhui_desk.services.policies import CatalogueUpdate, catalogue_version, replace_catalogue
from xuhui_desk.sync_protocol import MAX_CURSOR, POLICIES_PATH

if TYPE_CHECKING:
    import httpx

    from xuhui_desk.db import Database


class FeedError(ValueError):
    """An answer of the feed that is not a catalogue at all (nothing is stored)."""


@dataclass(frozen=True)
class Feed:
    """The feed's answer, read: ``policies`` is None when the hub said ``unchanged``."""

    version: int
    policies: list[Policy] | None
    #: Policies left out, each "policies[3] (P-2027-009): …" (English, for the round's summary).
    problems: list[str] = field(default_factory=list)


def parse_feed(payload: Any) -> Feed:
    """Read the feed's JSON answer. Raises :class:`FeedError` when it is no catalogue (no version,
    no list); a policy the core refuses, or an id given twice, is left out and listed in
    ``problems``."""
    if not isinstance(payload, dict):
        raise FeedError("the hub's policy feed: expected an object")
    version = payload.get("catalogue_version")
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= MAX_CURSOR:
        raise FeedError("the hub's policy feed: catalogue_version must be a whole number")
    if payload.get("unchanged") is True:
        return Feed(version, None)
    items = payload.get("policies")
    if not isinstance(items, list):
        raise FeedError("the hub's policy feed: expected {\"catalogue_version\": N, \"policies\": [...]}")
    policies: list[Policy] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        label = f"policies[{index}]" + (f" ({item.get('id')})" if isinstance(item, dict) else "")
        try:
            if not isinstance(item, dict):
                raise CatalogueError([Problem("", "object")])
            policy = parse_policy(item)
        except CatalogueError as exc:
            problems.append(f"{label}: " + "; ".join(exc.problems))
            continue
        if policy.id in seen:
            problems.append(f"{label}: listed twice")
            continue
        seen.add(policy.id)
        policies.append(policy)
    return Feed(version, policies, problems)


@dataclass
class FeedResult:
    """What pulling the feed did: the catalogue stored (None: nothing changed) and the messages for
    the round's summary."""

    update: CatalogueUpdate | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        u = self.update
        return u is not None and bool(u.added or u.updated or u.removed)


def pull_from_hub(db: Database, client: httpx.Client, now: datetime | None = None, *,
                  auth: dict[str, str] | None = None) -> FeedResult:
    """Fetch the hub's policy catalogue with the sync round's client and store it when it changed.

    ``auth``: the station's Authorization header. Never raises for a hub problem: an unreachable
    hub, an error answer or a malformed feed become messages and leave the station's catalogue as
    it was. A hub without the feed (404) is an older hub: nothing to do.
    """
    import httpx

    result = FeedResult()
    held = catalogue_version(db)
    try:
        resp = client.get(POLICIES_PATH, params={"since": held}, headers=auth or {})
    except httpx.HTTPError as exc:
        result.messages.append(f"the district's policies could not be fetched: {exc or type(exc).__name__}")
        return result
    if resp.status_code == 404:
        return result
    if resp.status_code != 200:
        result.messages.append(f"the district's policies could not be fetched (HTTP {resp.status_code})")
        return result
    try:
        feed = parse_feed(resp.json())
    except ValueError as exc:  # JSON errors and FeedError alike
        result.messages.append(f"the district's policies were refused: {exc}")
        return result
    if feed.policies is None:
        return result
    result.messages += [f"a district policy was left out: {p}" for p in feed.problems]
    # With a policy left out the version is not kept: the next round asks for everything again.
    result.update = replace_catalogue(db, feed.version if not feed.problems else 0, feed.policies, now=now)
    return result
