"""Finding a rare search term over the whole district fast, on PostgreSQL.

The inbox search (:func:`xuhui_desk.hub.console.casework._search`) is a case-insensitive
substring match over a request's tracking number, text, company name and credit code. Over a
department's rows that is quick; over the whole district (a coordinator, 1,000,000 requests) a
term found in a handful of requests makes PostgreSQL read every row to find them (seconds).

Hub migration ``0007`` gives PostgreSQL GIN indexes over ``xuhui_ngrams(lower(…))`` — the distinct
2- and 3-character substrings of the request's text and tracking number, and of the company's
name and credit code. ``pg_trgm`` is not used: it extracts nothing from a two-character pattern
(``贷款``) and treats Chinese characters as word characters only under some locales. A text
containing the term contains each of the term's 3-character substrings (its 2-character one for
a two-character term), so "the indexed array contains them all" is a superset of the matches
that the GIN index answers from its posting lists; the substring match is still applied on top.
PostgreSQL keeps the indexes up to date on every insert and update, whoever writes (a push, a
console action, ``xuhui-hub request update``), so nothing in the store has to call this module.

Only a *rare* term takes this path: for a frequent one the plain match, read in the inbox's own
order, finds a page of rows after a few hundred and stops, while gathering every indexed match
first would cost more. A term is rare when PostgreSQL does not estimate it in more than
:data:`COMMON_ESTIMATE` rows and fewer than :data:`RARE_REQUESTS` requests and
:data:`RARE_ENTERPRISES` companies have its n-grams (each a bounded index read). One-character
terms, and SQLite hubs (a pilot's size), keep the plain match.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text, bindparam, literal_column, or_, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from xuhui_desk.hub.models import HubRequest

#: Below this many indexed matches among the requests a term counts as rare.
RARE_REQUESTS = 2000
#: … and below this many among the companies (their requests are then looked up by company).
RARE_ENTERPRISES = 500
#: A term PostgreSQL estimates in more rows than this is frequent (nothing is counted).
COMMON_ESTIMATE = 50_000

# The indexed expressions of hub migration 0007, written exactly as there (PostgreSQL matches an
# expression index by the expression's form).
_REQUEST_NGRAMS = "xuhui_ngrams(lower(coalesce(requests.description, '') || chr(10) || requests.tracking_no))"
_ENTERPRISE_NGRAMS = "xuhui_ngrams(lower(enterprises.name || chr(10) || coalesce(enterprises.uscc, '')))"


def term_keys(s: Session, term: str) -> list[str]:
    """The n-grams every text containing ``term`` has (lower-cased by PostgreSQL, as the index
    and ILIKE are): its 3-character substrings, or for a two-character term that term; [] for a
    one-character term."""
    if len(term) < 2:
        return []
    size = 2 if len(term) == 2 else 3
    keys = s.scalar(text("SELECT array(SELECT k FROM unnest(xuhui_ngrams(lower(:term))) k "
                         "WHERE length(k) = :size ORDER BY k)"), {"term": term, "size": size})
    return list(keys or [])


def _estimated_rows(s: Session, sql: str, keys: list[str]) -> float:
    """PostgreSQL's own estimate of the rows ``sql`` returns (``ANALYZE`` keeps statistics of the
    indexed n-gram arrays, so a frequent n-gram is estimated well): no rows are read."""
    plan: Any = s.execute(text("EXPLAIN (FORMAT JSON) " + sql).bindparams(
        bindparam("keys", keys, type_=ARRAY(Text)))).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def rare_term_condition(s: Session, term: str) -> Any | None:
    """A condition on ``HubRequest`` (joinable with the inbox's own) that every request matching
    ``term`` meets and that PostgreSQL answers from the n-gram indexes — or None when the term is
    not rare (see the module doc) and the plain substring match is the faster way.

    A term PostgreSQL estimates frequent is taken as such without reading anything; otherwise the
    indexed matches are counted up to :data:`RARE_REQUESTS` (an estimate alone would send a term
    found nowhere — the slowest case of the plain match — the wrong way)."""
    keys = term_keys(s, term)
    if not keys:
        return None
    in_requests = f"SELECT 1 FROM requests WHERE {_REQUEST_NGRAMS} @> :keys"
    if _estimated_rows(s, in_requests, keys) > COMMON_ESTIMATE:
        return None
    requests = s.scalar(text(f"SELECT count(*) FROM ({in_requests} LIMIT :cap) hits").bindparams(
        bindparam("keys", keys, type_=ARRAY(Text))), {"cap": RARE_REQUESTS})
    if requests is None or requests >= RARE_REQUESTS:
        return None
    in_companies = f"SELECT id FROM enterprises WHERE {_ENTERPRISE_NGRAMS} @> :keys"
    if _estimated_rows(s, in_companies, keys) > COMMON_ESTIMATE:
        return None
    companies = list(s.scalars(text(f"{in_companies} LIMIT :cap").bindparams(
        bindparam("keys", keys, type_=ARRAY(Text))), {"cap": RARE_ENTERPRISES}))
    if len(companies) >= RARE_ENTERPRISES:
        return None
    in_text = literal_column(_REQUEST_NGRAMS).op("@>")(bindparam("ngram_keys", keys, type_=ARRAY(Text), unique=True))
    if not companies:
        return in_text
    return or_(in_text, HubRequest.enterprise_id.in_(companies))


__all__ = ["COMMON_ESTIMATE", "RARE_ENTERPRISES", "RARE_REQUESTS", "rare_term_condition", "term_keys"]
