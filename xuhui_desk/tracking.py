"""The verification code printed on a receipt and carried in its QR code.

The public tracking page (``/track/{tracking_no}``) shows a request's progress only with this
code, so that a tracking number alone — guessable from the station code, the date and a daily
sequence — reveals nothing. Both ends derive the code from the request's UUID, which the
station makes at intake, the hub receives with the request, and neither ever shows in public:
no table of codes to keep or sync.

Stdlib only: the workstation (receipts) and the hub (tracking page) both import it.
"""

from __future__ import annotations

import hashlib
import hmac

#: 32 symbols without the look-alikes 0/O and 1/I: 5 bits each, read aloud or typed from paper.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: 6 symbols = 30 bits: guessing is hopeless under the hub's rate limit on wrong codes.
CODE_LENGTH = 6
_DOMAIN = b"xuhui-track:"


def tracking_code(request_uuid: str) -> str:
    """The receipt's verification code of the request with ``request_uuid`` (case-insensitive).

    The first 30 bits of SHA-256("xuhui-track:" + uuid in lower case), 5 bits per symbol of
    :data:`ALPHABET`. Raises ``ValueError`` for an empty uuid.
    """
    key = request_uuid.strip().lower()
    if not key:
        raise ValueError("the request has no uuid")
    digest = int.from_bytes(hashlib.sha256(_DOMAIN + key.encode("utf-8")).digest()[:4], "big")
    return "".join(ALPHABET[(digest >> (27 - 5 * i)) & 31] for i in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed, as a code: upper case, spaces and dashes dropped (0, O, 1 and I never
    occur in a code, so a code typed with them simply does not match)."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def code_matches(request_uuid: str, given: str) -> bool:
    """Whether ``given`` (as typed: any case, spaces allowed) is the request's code; constant time."""
    candidate = normalize_code(given)
    if len(candidate) != CODE_LENGTH:
        return False
    return hmac.compare_digest(candidate.encode("ascii", "replace"), tracking_code(request_uuid).encode("ascii"))
