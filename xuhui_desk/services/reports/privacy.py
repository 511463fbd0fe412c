"""Masking of personal data in a report (names and phone numbers) unless asked not to."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    pass


# -------------------------------------------------------------------------------------- privacy

_MOBILE = re.compile(r"^(\+?86)?(1\d{2})\d{4}(\d{4})$")
_AREA = re.compile(r"^(\+?[\d ]{2,6}-)(\d+)$")


def mask_name(name: str) -> str:
    """``王小明`` → ``王**``: the first character, then two asterisks whatever the length.

    A one-character name is all asterisks (``x`` → ``**``): its first character is the whole name.
    """
    name = name.strip()
    if len(name) <= 1:
        return "**" if name else ""
    return name[0] + "**"


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; ``021-64871234`` → ``021-****1234``; an extension is hidden.

    Anything else keeps only its last four digits.
    """
    phone = phone.strip()
    if not phone:
        return ""
    main, sep, extension = phone.partition("转")
    compact = main.replace(" ", "")
    if m := _MOBILE.match(compact):
        masked = f"{m.group(2)}****{m.group(3)}"
    elif (m := _AREA.match(compact)) and len(m.group(2)) > 4:
        masked = f"{m.group(1)}****{m.group(2)[-4:]}"
    else:
        digits = sum(ch.isdigit() for ch in main)
        seen, out = 0, []
        for ch in main:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen > digits - 4 else "*")
            else:
                out.append(ch)
        masked = "".join(out)
    return masked + (sep + "*" * len(extension) if sep else "")
