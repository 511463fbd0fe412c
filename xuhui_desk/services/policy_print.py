"""What goes on the policy list (政策清单) a company takes home from the counter (no Qt here).

The list names the company, the day and the specialist, then each chosen policy: its title,
what it gives, how to apply (一网通办 with its address, a window with its place, or 免申即享)
and the link to its full text, which the printed list carries as a QR code (the receipt's
:func:`~xuhui_desk.services.receipts.qr_matrix`). Drawing it on an 80 mm slip or an A5 page is
:mod:`xuhui_desk.ui.policies.print_render`'s job; the wording is in
``resources/receipts/policy_list.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from xuhui_desk.services.receipts import format_date, language_key, printed_labels

if TYPE_CHECKING:
    from xuhui_desk.db import Database
    from xuhui_desk.policies import Policy

#: At most this many policies on one list (what a push may carry, sync protocol).
MAX_POLICIES = 50


class PolicyListError(LookupError):
    """A chosen policy is not (or no longer) current at this station (``missing`` names them), or the
    company is unknown (``missing`` empty)."""

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)


@dataclass(frozen=True, slots=True)
class PolicyListEntry:
    """One policy as the list prints it."""

    policy_id: str
    version: int
    title: str
    department: str
    benefit: str
    how_to_apply: str
    #: What the QR code opens: the full text, else the online application ("" prints no code).
    link: str
    sample: bool = False


@dataclass(frozen=True, slots=True)
class PolicyList:
    """Everything printed on one policy list, in display form except the day."""

    station_name: str
    station_address: str
    enterprise_name: str
    uscc: str
    day: date
    specialist: str
    entries: tuple[PolicyListEntry, ...]
    language: str = "zh_CN"

    def __post_init__(self) -> None:
        if not self.entries:
            raise ValueError("a policy list needs at least one policy")
        if len(self.entries) > MAX_POLICIES:
            raise ValueError(f"a policy list holds at most {MAX_POLICIES} policies")

    def policies(self) -> list[tuple[str, int]]:
        """The (id, version) pairs of the list, in print order: what a push records."""
        return [(e.policy_id, e.version) for e in self.entries]


def policy_list_labels(language: str) -> Mapping[str, Any]:
    """The policy list's wording in ``language`` (``zh_CN`` / ``en``; anything else: Chinese)."""
    return printed_labels("policy_list.toml")[language_key(language)]


def how_to_apply(policy: Policy, language: str) -> str:
    """How a company applies for ``policy``, in words: online with the 一网通办 address, at a window
    with its place, or not at all (免申即享)."""
    labels = policy_list_labels(language)
    if policy.apply == "online":
        link = policy.apply_link.strip()
        return str(labels["online"]).format(link=link) if link else str(labels["online_plain"])
    if policy.apply == "window":
        where = policy.apply_where.strip()
        return str(labels["window"]).format(where=where) if where else str(labels["window_plain"])
    return str(labels["no_application"])


def entry_for(policy: Policy, language: str) -> PolicyListEntry:
    """The printed form of one policy."""
    link = policy.link.strip() or (policy.apply_link.strip() if policy.apply == "online" else "")
    return PolicyListEntry(policy_id=policy.id, version=policy.version, title=" ".join(policy.title.split()),
                           department=policy.department.strip(), benefit=policy.benefit.strip(),
                           how_to_apply=how_to_apply(policy, language), link=link, sample=policy.sample)


def build_policy_list(*, station_name: str, station_address: str, enterprise_name: str, uscc: str | None,
                      day: date, specialist: str, policies: Sequence[Policy],
                      language: str = "zh_CN") -> PolicyList:
    """A :class:`PolicyList` of ``policies`` (in the order given) for one company.

    Raises ``ValueError`` for no policy or more than :data:`MAX_POLICIES`."""
    return PolicyList(
        station_name=station_name.strip(),
        station_address=station_address.strip(),
        enterprise_name=" ".join(enterprise_name.split()),
        uscc=(uscc or "").strip(),
        day=day,
        specialist=specialist.strip(),
        entries=tuple(entry_for(p, language) for p in policies),
        language=language,
    )


def policy_list_for_company(db: Database, enterprise_id: int, policy_ids: Sequence[str], *, today: date,
                            language: str = "zh_CN", specialist: str | None = None) -> PolicyList:
    """The list of the policies ``policy_ids`` (in that order) for the company ``enterprise_id``, as
    printed today: the station's name and address, the company's name and credit code, the current
    specialist (unless ``specialist`` is given), each policy as the station holds it today.

    Raises :class:`PolicyListError` when the company does not exist or a policy is not current
    (withdrawn or expired since it was shown), ``ValueError`` for none or too many policies."""
    from xuhui_desk.services.company_file import CompanyNotFound, company_file
    from xuhui_desk.services.followup import current_specialist
    from xuhui_desk.services.policies import current_policies
    from xuhui_desk.services.station import require_station, station_address

    if not policy_ids:
        raise ValueError("a policy list needs at least one policy")
    try:
        company = company_file(db, int(enterprise_id), limit=1).profile
    except CompanyNotFound as exc:
        raise PolicyListError(f"no company with id {enterprise_id}") from exc
    current = {p.id: p for p in current_policies(db, today=today)}
    missing = [pid for pid in policy_ids if pid not in current]
    if missing:
        raise PolicyListError(f"not current at this station: {', '.join(missing)}", missing)
    with db.session() as session:
        station = require_station(session)
        name, address = station.name, station_address(session)
    return build_policy_list(
        station_name=name, station_address=address, enterprise_name=company.name, uscc=company.uscc, day=today,
        specialist=specialist if specialist is not None else current_specialist(db),
        policies=[current[pid] for pid in dict.fromkeys(policy_ids)], language=language)


def day_text(data: PolicyList) -> str:
    """The list's day with its weekday, in the list's language."""
    return format_date(data.day, data.language)


def header_fields(data: PolicyList) -> list[tuple[str, str]]:
    """(label, value) lines under the title: company, credit code, day, specialist."""
    labels = policy_list_labels(data.language)
    missing = str(labels["not_provided"])
    rows = [("enterprise", data.enterprise_name), ("uscc", data.uscc), ("day", day_text(data)),
            ("specialist", data.specialist)]
    return [(str(labels[key]), value or missing) for key, value in rows]


def marks_itself_as_sample(title: str) -> bool:
    """The title says it is a sample already ("…（示例）"): no second mark."""
    return "示例" in title or "sample" in title.lower()


def entry_title(entry: PolicyListEntry, number: int, language: str) -> str:
    """"1. Title" (with the sample mark for a sample policy whose title does not say so)."""
    labels = policy_list_labels(language)
    mark = str(labels["sample"]) if entry.sample and not marks_itself_as_sample(entry.title) else ""
    return f"{number}. {entry.title}{mark}"


def policy_list_text(data: PolicyList) -> str:
    """The list as plain text (for logs and tests)."""
    labels = policy_list_labels(data.language)
    colon = str(labels["colon"])
    lines = [data.station_name, str(labels["title"]), ""]
    lines += [f"{label}{colon}{value}" for label, value in header_fields(data)]
    lines += ["", str(labels["intro"]), ""]
    for number, entry in enumerate(data.entries, 1):
        lines.append(entry_title(entry, number, data.language))
        if entry.benefit:
            lines.append(f"{labels['benefit']}{colon}{entry.benefit}")
        lines.append(f"{labels['how']}{colon}{entry.how_to_apply}")
        lines.append(entry.link or str(labels["no_link"]))
        lines.append("")
    if data.station_address:
        lines.append(str(labels["address"]).format(address=data.station_address))
    lines.append(str(labels["footer"]))
    return "\n".join(lines) + "\n"
