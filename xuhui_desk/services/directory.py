"""The enterprise directory: list and search the companies a station serves, correct their
details, and import a building's or park's tenant roster from an Excel file.

What it promises:

* :func:`find_enterprise_ids` / :func:`fetch_enterprises` page through the directory like
  the request queue does (ids first, rows a page at a time).
* :func:`update_enterprise` validates like the intake form, refuses a credit code that
  belongs to another enterprise, and — when something really changed — bumps the
  revision and marks the enterprise for sync.
* A roster import is two steps. :func:`preview_roster` reads the workbook (openpyxl,
  read-only), finds the header row by the usual Chinese or English column names and says
  for every row what importing would do: ``new``, ``update``, ``unchanged``, ``duplicate``
  (the same company earlier in the file) or ``invalid`` (with its issues). Nothing is
  written. :func:`apply_roster` then writes the valid rows in one transaction, matching
  companies exactly as intake does (credit code, else normalised name), so importing the
  same roster twice adds nothing the second time.
* A file that is not an .xlsx workbook, is empty or has no recognisable header raises
  :class:`RosterError` with a ``code`` a user interface can translate.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from xuhui_desk.db import Database, first_column
from xuhui_desk.models import Enterprise, Request, SyncState, utcnow
from xuhui_desk.policies import CompanyProfile
from xuhui_desk.services.intake import EnterpriseInput, find_enterprise, upsert_enterprise
from xuhui_desk.services.pinyin_order import pinyin_sort_key
from xuhui_desk.services.read_errors import reading
from xuhui_desk.validation import (
    Issue,
    Severity,
    ValidationFailed,
    check_phone,
    check_text,
    check_uscc,
    clean_text,
    errors,
    name_key,
)

#: A progress callback: (done, total, text) — the GUI's task runner passes one.
ProgressFn = Callable[[int, int, str], None]

ENTERPRISE_FIELDS = ("name", "uscc", "contact_name", "phone", "park", "building")
#: Rows read from one roster at most (a building's or park's tenants; far fewer in practice).
MAX_ROSTER_ROWS = 20_000
#: Rows above the header that may hold a title, a date or notes.
HEADER_SEARCH_ROWS = 20
#: The largest uncompressed XML part of a roster workbook (a sheet of 20,000 rows is a few MB):
#: a 1 MB file may inflate to gigabytes, and openpyxl would parse all of it (audit L1).
MAX_ROSTER_PART_BYTES = 50 * 1024 * 1024


# --- listing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseRow:
    """What the directory list shows of one enterprise."""

    id: int
    uuid: str
    name: str
    uscc: str
    contact_name: str
    phone: str
    park: str
    building: str
    updated_at: datetime
    sync_state: str
    request_count: int


DIRECTORY_SORT_KEYS = ("name", "uscc", "contact_name", "phone", "park", "building", "updated_at",
                       "sync_state", "request_count")


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search_conditions(query: str) -> list[Any]:
    conditions = []
    for term in query.split():
        like = _like(term)
        compact = re.sub(r"[\s\-]", "", term).upper()
        conditions.append(or_(
            Enterprise.name.like(like, escape="\\"),
            Enterprise.uscc.like(_like(compact), escape="\\"),
            Enterprise.contact_name.like(like, escape="\\"),
            Enterprise.phone.like(like, escape="\\"),
            Enterprise.park.like(like, escape="\\"),
            Enterprise.building.like(like, escape="\\"),
        ))
    return conditions


def _request_count() -> Any:
    return (select(func.count(Request.id)).where(Request.enterprise_id == Enterprise.id)
            .correlate(Enterprise).scalar_subquery())


def find_enterprise_ids(session: Session, query: str = "", *, sort: str = "name", descending: bool = False,
                        limit: int | None = None, offset: int = 0) -> list[int]:
    """Ids of the enterprises whose name, credit code, contact, phone, park or building contains
    every term of ``query``, in the order of ``sort`` (one of :data:`DIRECTORY_SORT_KEYS`)."""
    sort = sort if sort in DIRECTORY_SORT_KEYS else "name"
    column = _request_count() if sort == "request_count" else getattr(Enterprise, sort)
    if sort == "uscc":
        column = func.coalesce(Enterprise.uscc, "")
    stmt = select(Enterprise.id).where(*_search_conditions(query))
    if sort == "name":
        # Pinyin order (the indexed sort key), then the name itself (东 before 冬), then the id.
        keys = (Enterprise.name_sort, Enterprise.name, Enterprise.id)
        return _ids(session, stmt.order_by(*(k.desc() if descending else k.asc() for k in keys)), limit, offset)
    stmt = stmt.order_by(column.desc() if descending else column.asc(), Enterprise.id.asc())
    return _ids(session, stmt, limit, offset)


def _ids(session: Session, stmt: Any, limit: int | None, offset: int) -> list[int]:
    if limit is not None or offset:
        stmt = stmt.limit(-1 if limit is None else limit).offset(offset)
    result = session.connection().execute(stmt)
    try:
        return list(first_column(result.cursor))
    finally:
        result.close()


def count_enterprises(session: Session, query: str = "") -> int:
    return session.scalar(select(func.count(Enterprise.id)).where(*_search_conditions(query))) or 0


def fetch_enterprises(session: Session, ids: Sequence[int]) -> dict[int, EnterpriseRow]:
    """The rows of ``ids`` (a page), with how many requests each enterprise has made."""
    if not ids:
        return {}
    counts: dict[int, int] = {
        enterprise_id: n for enterprise_id, n in session.execute(
            select(Request.enterprise_id, func.count(Request.id))
            .where(Request.enterprise_id.in_(list(ids))).group_by(Request.enterprise_id))
    }
    rows = session.execute(
        select(Enterprise.id, Enterprise.uuid, Enterprise.name, func.coalesce(Enterprise.uscc, ""),
               Enterprise.contact_name, Enterprise.phone, Enterprise.park, Enterprise.building,
               Enterprise.updated_at, Enterprise.sync_state)
        .where(Enterprise.id.in_(list(ids)))
    )
    return {r[0]: EnterpriseRow(id=r[0], uuid=r[1], name=r[2], uscc=r[3], contact_name=r[4], phone=r[5],
                                park=r[6], building=r[7], updated_at=r[8], sync_state=r[9],
                                request_count=counts.get(r[0], 0))
            for r in rows}


def get_enterprise(session: Session, enterprise_id: int) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise LookupError(f"no enterprise {enterprise_id}")
    return enterprise


@dataclass(frozen=True, slots=True)
class DirectoryRead:
    """One background read of the directory: the ids of a search in order (``array('q')``) and
    the rows of the first page and of the rows the caller shows already."""

    ids: array[int]
    rows: dict[int, EnterpriseRow]


def read_directory(db: Database, query: str = "", *, sort: str = "name", descending: bool = False,
                   page_size: int = 100, rows_for: Sequence[int] = ()) -> DirectoryRead:
    """The ids of the enterprises matching ``query`` in the order of ``sort`` (as
    :func:`find_enterprise_ids`) with the rows of the first ``page_size`` of them and of
    ``rows_for``, in one session. Raises :class:`~xuhui_desk.services.read_errors.ReadFailed`."""
    with reading(), db.session() as session:
        ids = array("q", find_enterprise_ids(session, query, sort=sort, descending=descending))
        wanted = list(dict.fromkeys([*ids[:page_size], *rows_for]))
        return DirectoryRead(ids, fetch_enterprises(session, wanted))


def directory_rows(db: Database, ids: Sequence[int]) -> dict[int, EnterpriseRow]:
    """The directory rows of ``ids`` (a page by primary key: about a millisecond). Raises
    :class:`~xuhui_desk.services.read_errors.ReadFailed`."""
    if not ids:
        return {}
    with reading(), db.session() as session:
        return fetch_enterprises(session, ids)


def enterprise_details(db: Database, enterprise_id: int) -> EnterpriseInput:
    """The editable details of one enterprise as plain text (no credit code: ``""``). Raises
    ``LookupError`` when there is no such enterprise, and
    :class:`~xuhui_desk.services.read_errors.ReadFailed` when the database cannot be read."""
    with reading(), db.session() as session:
        enterprise = get_enterprise(session, enterprise_id)
        from xuhui_desk.services.policies import profile_of

        return EnterpriseInput(name=enterprise.name, uscc=enterprise.uscc or "",
                               contact_name=enterprise.contact_name, phone=enterprise.phone,
                               park=enterprise.park, building=enterprise.building, profile=profile_of(enterprise))


# --- editing ------------------------------------------------------------------------------------


def validate_enterprise(data: EnterpriseInput) -> tuple[EnterpriseInput, list[Issue]]:
    """Clean an enterprise's details and list every issue (as the intake form checks them)."""
    uscc, uscc_issues = check_uscc(data.uscc)
    phone, phone_issues = check_phone(data.phone)
    cleaned = EnterpriseInput(
        name=clean_text(data.name),
        uscc=uscc,
        contact_name=clean_text(data.contact_name),
        phone=phone,
        park=clean_text(data.park),
        building=clean_text(data.building),
        profile=data.profile,
    )
    issues = check_text(cleaned.name, "enterprise_name", required=True, minimum=2)
    issues += uscc_issues + phone_issues
    issues += check_text(cleaned.contact_name, "contact_name")
    issues += check_text(cleaned.park, "park")
    issues += check_text(cleaned.building, "building")
    return cleaned, issues


def update_enterprise(db: Database, enterprise_id: int, data: EnterpriseInput, *, accept_warnings: bool = True,
                      now: datetime | None = None, actor: str = "") -> bool:
    """Save corrected details of one enterprise; True when something changed. With
    ``data.profile`` the profile facts are saved too (as ``policies.save_company_profile``; ``actor``
    goes to the audit log); None leaves them as they are.

    Raises :class:`ValidationFailed` (field by field) for bad input, or when the credit
    code is already another enterprise's (``enterprise.uscc_conflict``).
    """
    cleaned, issues = validate_enterprise(data)
    if errors(issues) or (issues and not accept_warnings):
        raise ValidationFailed(issues)
    now = now or utcnow()
    with db.write() as session:
        enterprise = get_enterprise(session, enterprise_id)
        if cleaned.uscc:
            other = session.scalars(
                select(Enterprise).where(Enterprise.uscc == cleaned.uscc, Enterprise.id != enterprise_id)
            ).first()
            if other is not None:
                raise ValidationFailed([Issue("uscc", "enterprise.uscc_conflict", params={"name": other.name})])
        values = {
            "name": cleaned.name, "name_key": name_key(cleaned.name), "name_sort": pinyin_sort_key(cleaned.name),
            "uscc": cleaned.uscc or None,
            "contact_name": cleaned.contact_name, "phone": cleaned.phone, "park": cleaned.park,
            "building": cleaned.building,
        }
        changed = {k: v for k, v in values.items() if getattr(enterprise, k) != v}
        profile_changed = False
        if cleaned.profile is not None:  # the whole profile as edited (an unknown fact is stored unknown)
            from xuhui_desk.services.policies import apply_profile

            profile_changed = bool(apply_profile(session, enterprise, cleaned.profile, actor=actor, now=now))
        if not changed:
            return profile_changed
        for key, value in changed.items():
            setattr(enterprise, key, value)
        enterprise.updated_at = now
        enterprise.revision += 1
        enterprise.sync_state = SyncState.PENDING
        enterprise.sync_error = None
        return True


# --- roster import ------------------------------------------------------------------------------


class RosterErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    OLD_EXCEL = "old_excel"
    NOT_XLSX = "not_xlsx"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    NO_HEADER = "no_header"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_LARGE = "too_large"


_ROSTER_MESSAGES = {
    RosterErrorCode.NOT_FOUND: "the file {path} does not exist",
    RosterErrorCode.OLD_EXCEL: "{path} is an old Excel 97-2003 (.xls) file: open it in Excel or WPS and save it "
                               "as .xlsx, then import again",
    RosterErrorCode.NOT_XLSX: "{path} is not an Excel workbook (.xlsx)",
    RosterErrorCode.UNREADABLE: "{path} cannot be read: {reason}",
    RosterErrorCode.EMPTY: "{path} has no rows",
    RosterErrorCode.NO_HEADER: "no header row found in {path}: a column named 企业名称 (or 公司名称, "
                               "单位名称, Company name) is needed",
    RosterErrorCode.TOO_MANY_ROWS: "{path} has more than {limit} rows; split it into smaller files",
    RosterErrorCode.TOO_LARGE: "{path} is too large to import: its part {part} unpacks to {size} MB, more than "
                               "{limit} MB (a roster is a few MB); split it into smaller files",
}


class RosterError(ValueError):
    """A roster file that cannot be imported at all; ``code`` and ``params`` let a UI say why."""

    def __init__(self, code: RosterErrorCode, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(_ROSTER_MESSAGES[code].format(**params))


#: Column names seen in rosters, per field (compared without spaces, brackets' content or case).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "公司名称", "单位名称", "企业全称", "公司全称", "租户名称", "客户名称", "商户名称", "名称",
             "企业", "公司", "单位", "租户", "company", "companyname", "enterprise", "enterprisename", "name",
             "tenant", "tenantname"),
    "uscc": ("统一社会信用代码", "社会信用代码", "统一信用代码", "信用代码", "纳税人识别号", "税号", "uscc",
             "creditcode", "unifiedsocialcreditcode", "socialcreditcode"),
    "contact_name": ("联系人姓名", "联系人", "对接人", "负责人", "法定代表人", "法人代表", "contact",
                     "contactperson", "contactname"),
    "phone": ("联系人电话", "联系人手机", "联系人手机号", "联系电话", "手机号码", "手机号", "手机", "电话号码", "电话",
              "联系方式", "phone", "mobile", "tel", "telephone", "phonenumber"),
    "park": ("所属园区", "园区名称", "园区", "park", "industrialpark"),
    "building": ("所在楼宇", "楼宇名称", "楼宇", "楼栋", "办公地址", "地址", "address", "building", "officeaddress"),
    # The profile facts policies are matched on (services/policies.py); all optional.
    "industry_code": ("行业代码", "国民经济行业代码", "行业分类代码", "industrycode"),
    "established": ("成立日期", "成立时间", "注册日期", "established", "establishmentdate", "founded"),
    "registered_in_xuhui": ("注册在徐汇", "是否注册在徐汇", "注册地在徐汇", "registeredinxuhui"),
    "size": ("企业规模", "规模", "companysize", "size"),
    "qualifications": ("资质", "企业资质", "资质认定", "qualifications"),
    "employees": ("从业人数", "从业人员", "员工人数", "职工人数", "employees"),
    "revenue_wan": ("营业收入", "年营业收入", "营收", "revenue", "revenuewan"),
}
#: The roster columns that hold profile facts (read with ``policies.parse_fact``, not as text).
PROFILE_COLUMNS = ("industry_code", "established", "registered_in_xuhui", "size", "qualifications", "employees",
                   "revenue_wan")


#: Words too general to recognise a column by when they are only part of its title (企业地址).
_EXACT_ONLY = frozenset({"企业", "公司", "单位", "租户", "名称"})


def _header_key(value: Any) -> str:
    text = clean_text(str(value)) if value is not None else ""
    text = re.sub(r"[（(].*?[)）]", "", text)  # 企业名称（全称） → 企业名称
    return re.sub(r"[\s*:：_\-.。]", "", text).lower()


def match_header(cells: Sequence[Any]) -> dict[str, int]:
    """Which column holds which field, from one row's cells (empty when it is not a header).

    An exact alias wins over a column that merely contains one; among those, the longest
    alias wins (联系人电话 is a phone, not a contact person).
    """
    found: dict[str, tuple[int, int, int]] = {}  # field -> (exact, alias length, column)
    for column, cell in enumerate(cells):
        key = _header_key(cell)
        if not key:
            continue
        best: tuple[int, int, str] | None = None
        for fld, aliases in HEADER_ALIASES.items():
            for alias in aliases:
                is_exact = key == alias
                if is_exact or (alias not in _EXACT_ONLY and not alias.isascii() and alias in key):
                    score = (int(is_exact), len(alias), fld)
                    if best is None or score[:2] > best[:2]:
                        best = score
        if best is None:
            continue
        exact, length, fld = best
        if fld not in found or (exact, length) > found[fld][:2]:
            found[fld] = (exact, length, column)
    return {fld: col for fld, (_e, _l, col) in found.items()} if "name" in found else {}


class RowAction(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


@dataclass
class RosterRow:
    """One data row of a roster and what importing it would do."""

    line: int  # the spreadsheet's row number (1-based, as Excel shows it)
    data: EnterpriseInput
    issues: list[Issue] = field(default_factory=list)
    action: RowAction = RowAction.NEW
    #: The directory entry the row matches (update / unchanged).
    enterprise_id: int | None = None
    #: Its name in the directory when the roster spells it differently.
    existing_name: str | None = None
    #: The fields an update would change.
    changes: tuple[str, ...] = ()
    #: The earlier line of the same company (duplicate).
    duplicate_of: int | None = None
    #: The profile cells as read (text), for the rows-with-problems file.
    profile_raw: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]


@dataclass
class RosterPreview:
    path: Path
    sheet: str
    header_line: int
    #: Field → the column title it was read from.
    columns: dict[str, str]
    rows: list[RosterRow]

    def count(self, action: RowAction) -> int:
        return sum(1 for r in self.rows if r.action is action)

    @property
    def importable(self) -> int:
        return self.count(RowAction.NEW) + self.count(RowAction.UPDATE)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number: 13812345678.0
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise RosterError(RosterErrorCode.NOT_FOUND, path=path.name)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(RosterErrorCode.OLD_EXCEL, path=path.name)
    if not head.startswith(b"PK"):
        raise RosterError(RosterErrorCode.NOT_XLSX, path=path.name)


def _check_sizes(path: Path) -> None:
    """Refuse a workbook whose XML parts unpack to more than :data:`MAX_ROSTER_PART_BYTES`, before
    parsing anything (the sizes are the zip directory's; zipfile stops at the declared size)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterError(RosterErrorCode.NOT_XLSX, path=path.name) from exc
    for part in parts:
        if part.filename.lower().endswith((".xml", ".rels")) and part.file_size > MAX_ROSTER_PART_BYTES:
            raise RosterError(RosterErrorCode.TOO_LARGE, path=path.name, part=part.filename,
                              size=part.file_size // (1024 * 1024), limit=MAX_ROSTER_PART_BYTES // (1024 * 1024))


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _has_formulas(archive: Any, member: str) -> bool:
    """Whether a sheet's XML holds any formula (a cheap scan; most rosters have none)."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _formula_cells(path: Path, ws: Any) -> set[tuple[int, int]]:
    """(row, 0-based column) of every formula cell of ``ws``. Read with ``data_only`` a formula
    whose value was never saved (a file written by a script, not by Excel) is just empty."""
    member = getattr(ws, "_worksheet_path", None)
    archive = getattr(ws.parent, "_archive", None)
    if member is None or archive is None or not _has_formulas(archive, member):
        return set()
    from openpyxl import load_workbook

    with path.open("rb") as fh:
        wb = load_workbook(fh, read_only=True, data_only=False)
        try:
            found: set[tuple[int, int]] = set()
            rows = wb[ws.title].iter_rows()
            try:
                for cells in rows:
                    found.update((c.row, c.column - 1) for c in cells if getattr(c, "data_type", None) == "f")
            finally:
                rows.close()
            return found
        finally:
            wb.close()


def _open_workbook(path: Path, fh: Any) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(fh, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as exc:
        raise RosterError(RosterErrorCode.NOT_XLSX, path=path.name) from exc
    except _DAMAGED as exc:
        raise _unreadable(path, exc) from exc


# What a damaged workbook makes openpyxl raise while it is opened or read: broken XML (a
# SyntaxError subclass in both ElementTree and lxml), a truncated or corrupt zip member, or
# values of the wrong kind. Never caught wider, so that a cancelled task still cancels.
_DAMAGED = (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, TypeError,
            IndexError, AttributeError)


def _unreadable(path: Path, exc: BaseException) -> RosterError:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return RosterError(RosterErrorCode.UNREADABLE, path=path.name, reason=reason)


@dataclass
class _Sheet:
    title: str
    header_line: int
    columns: dict[str, int]
    titles: dict[str, str]
    rows: list[tuple[int, tuple[Any, ...]]]
    #: Line → the fields whose cell is a formula without a saved value.
    formula_blanks: dict[int, set[str]] = field(default_factory=dict)


def _read_sheet(ws: Any, path: Path, progress: ProgressFn | None,
                formulas: set[tuple[int, int]] | None = None) -> _Sheet | None:
    """The header and the data rows of one worksheet (None: no header in its first rows)."""
    rows = ws.iter_rows(values_only=True)
    try:
        return _read_rows(ws, rows, path, progress, formulas or set())
    finally:
        rows.close()  # releases the worksheet's stream even when its XML is broken


def _read_rows(ws: Any, rows: Any, path: Path, progress: ProgressFn | None,
               formulas: set[tuple[int, int]]) -> _Sheet | None:
    header: dict[str, int] = {}
    header_cells: tuple[Any, ...] = ()
    line = 0
    for cells in rows:
        line += 1
        header = match_header(cells)
        if header:
            header_cells = cells
            break
        if line >= HEADER_SEARCH_ROWS:
            return None
    if not header:
        return None
    header_line = line
    total = ws.max_row or 0
    data: list[tuple[int, tuple[Any, ...]]] = []
    mapped = sorted(header.values())
    blanks: dict[int, set[str]] = {}
    for cells in rows:
        line += 1
        empty = {col for col in mapped if _cell_text(cells[col] if col < len(cells) else None).strip() == ""}
        unsaved = {fld for fld, col in header.items() if col in empty and (line, col) in formulas}
        # A row with nothing in the columns we read (often just a pre-filled serial number) is no row.
        if len(empty) == len(mapped) and not unsaved:
            continue
        if unsaved:
            blanks[line] = unsaved
        data.append((line, cells))
        if len(data) > MAX_ROSTER_ROWS:
            raise RosterError(RosterErrorCode.TOO_MANY_ROWS, path=path.name, limit=MAX_ROSTER_ROWS)
        if progress is not None and line % 200 == 0:
            progress(line, total, "")
    titles = {fld: clean_text(_cell_text(header_cells[col])) for fld, col in header.items()}
    return _Sheet(ws.title, header_line, header, titles, data, blanks)


def _has_cells(ws: Any) -> bool:
    rows = ws.iter_rows(values_only=True, max_row=50)
    try:
        return any(_cell_text(c).strip() for cells in rows for c in cells)
    finally:
        rows.close()


def read_roster(path: Path, progress: ProgressFn | None = None) -> _Sheet:
    """Find the roster's header (active sheet first, then the others) and read its rows."""
    path = Path(path)
    _check_file(path)
    _check_sizes(path)
    # Our own handle, closed here whatever openpyxl leaves open when the file is damaged.
    with path.open("rb") as fh:
        wb = _open_workbook(path, fh)
        try:
            sheets = [wb.active, *[ws for ws in wb.worksheets if ws is not wb.active]]
            any_cells = False
            for ws in sheets:
                if ws is None:
                    continue
                sheet = _read_sheet(ws, path, progress, _formula_cells(path, ws))
                if sheet is not None:
                    return sheet
                any_cells = any_cells or _has_cells(ws)
        except _DAMAGED as exc:
            raise _unreadable(path, exc) from exc
        finally:
            wb.close()
    raise RosterError(RosterErrorCode.NO_HEADER if any_cells else RosterErrorCode.EMPTY, path=path.name)


def _row_input(cells: tuple[Any, ...], columns: dict[str, int],
               today: date | None = None) -> tuple[EnterpriseInput, list[Issue], dict[str, str]]:
    """A row's enterprise (with the profile facts its columns give), the issues of facts that
    cannot be read, and those cells as text."""
    values = {fld: _cell_text(cells[col]) if col < len(cells) else "" for fld, col in columns.items()
              if fld not in PROFILE_COLUMNS}
    raw = {fld: cells[col] if col < len(cells) else None for fld, col in columns.items() if fld in PROFILE_COLUMNS}
    profile, issues = _profile_cells(raw, today)
    data = EnterpriseInput(name=values.get("name", ""), uscc=values.get("uscc", ""),
                           contact_name=values.get("contact_name", ""), phone=values.get("phone", ""),
                           park=values.get("park", ""), building=values.get("building", ""), profile=profile)
    shown = {fld: _fact_text(v) for fld, v in raw.items() if _fact_text(v)}
    return data, issues, shown


def _fact_text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return _cell_text(value)


def _profile_cells(raw: dict[str, Any], today: date | None) -> tuple[CompanyProfile | None, list[Issue]]:
    """The profile facts of a row's cells (None when the roster has no such column or all are
    empty): a date cell is a date, a TRUE/FALSE cell a yes/no, a number cell a number; a cell that
    cannot be read is an error of its own field (the row is then not imported: nothing half-read)."""
    from xuhui_desk.policies import ProfileError, parse_fact
    from xuhui_desk.services.policies import profile_issues

    facts: dict[str, Any] = {}
    issues: list[Issue] = []
    for fld, value in raw.items():
        if isinstance(value, datetime):
            value = value.date()
        elif isinstance(value, float) and fld == "industry_code" and value.is_integer():
            value = int(value)
        try:
            parsed = parse_fact(fld, value, today=today)
        except ProfileError as exc:
            issues += profile_issues(exc)
            continue
        if parsed is not None:
            facts[fld] = parsed
    return (CompanyProfile(**facts) if facts else None), issues


def _would_change(found: Enterprise, data: EnterpriseInput) -> tuple[str, ...]:
    # The rule of intake.upsert_enterprise: non-empty roster values replace different ones.
    updates = {"uscc": data.uscc or None, "contact_name": data.contact_name, "phone": data.phone,
               "park": data.park, "building": data.building}
    changed = tuple(k for k, v in updates.items() if v and getattr(found, k) != v)
    if data.profile is not None:  # the known facts given replace the stored ones
        from xuhui_desk.services.policies import profile_of

        held = profile_of(found)
        changed += tuple(f for f in data.profile.known() if getattr(data.profile, f) != getattr(held, f))
    return changed


def _file_keys(data: EnterpriseInput) -> list[str]:
    keys = [f"name:{name_key(data.name)}"]
    if data.uscc:
        keys.append(f"uscc:{data.uscc}")
    return keys


def _roster_warnings(data: EnterpriseInput) -> list[Issue]:
    """What a roster row may get wrong that the intake form never sees: a name typed in
    Traditional characters (copied from a Hong Kong or Taiwan document)."""
    from xuhui_desk.services.taxonomy import traditional_chars

    found = traditional_chars(data.name)
    if not found:
        return []
    chars = "、".join(f"{t}→{s}" for t, s in found.items())
    return [Issue("enterprise_name", "enterprise.traditional", Severity.WARNING, params={"chars": chars})]


def classify_rows(session: Session, sheet_rows: Iterable[tuple[int, EnterpriseInput]],
                  fact_issues: dict[int, list[Issue]] | None = None) -> list[RosterRow]:
    """Validate each row and decide what importing it would do against the directory as it is.
    ``fact_issues``: per line, the profile facts that could not be read (the row is invalid)."""
    result: list[RosterRow] = []
    seen: dict[str, RosterRow] = {}
    for line, raw in sheet_rows:
        cleaned, issues = validate_enterprise(raw)
        cleaned.profile = raw.profile
        issues += _roster_warnings(cleaned)
        issues += (fact_issues or {}).get(line, [])
        row = RosterRow(line=line, data=cleaned, issues=issues)
        result.append(row)
        if errors(issues):
            row.action = RowAction.INVALID
            continue
        earlier = next((seen[k] for k in _file_keys(cleaned) if k in seen), None)
        if earlier is not None and (earlier.data.uscc == cleaned.uscc or not earlier.data.uscc or not cleaned.uscc):
            row.action = RowAction.DUPLICATE
            row.duplicate_of = earlier.line
            continue
        for key in _file_keys(cleaned):
            seen.setdefault(key, row)
        found = find_enterprise(session, cleaned.name, cleaned.uscc)
        if found is None:
            row.action = RowAction.NEW
            continue
        row.enterprise_id = found.id
        if name_key(found.name) != name_key(cleaned.name):
            row.existing_name = found.name
        row.changes = _would_change(found, cleaned)
        row.action = RowAction.UPDATE if row.changes else RowAction.UNCHANGED
    return result


def preview_roster(db: Database, path: Path, progress: ProgressFn | None = None) -> RosterPreview:
    """Read a roster and say, row by row, what importing it would do. Writes nothing."""
    sheet = read_roster(Path(path), progress)
    read = {line: _row_input(cells, sheet.columns) for line, cells in sheet.rows}
    with db.session() as session:
        rows = classify_rows(session, [(line, data) for line, (data, _i, _r) in read.items()],
                             {line: issues for line, (_d, issues, _r) in read.items() if issues})
    for row in rows:
        row.profile_raw = read[row.line][2]
        _flag_unsaved_formulas(row, sheet.formula_blanks.get(row.line, set()))
    return RosterPreview(Path(path), sheet.title, sheet.header_line, sheet.titles, rows)


def _flag_unsaved_formulas(row: RosterRow, fields: set[str]) -> None:
    """Say that a cell is a formula without a saved value, rather than that it is empty: the
    company name's is an error (instead of "请填写企业名称"), another field's a warning."""
    for fld in sorted(fields):
        issue_field = "enterprise_name" if fld == "name" else fld
        row.issues = [i for i in row.issues if not (i.field == issue_field and i.code == "text.required")]
        severity = Severity.ERROR if fld == "name" else Severity.WARNING
        row.issues.append(Issue(issue_field, "cell.formula_without_value", severity))
    if row.errors:
        row.action = RowAction.INVALID


def apply_roster(db: Database, preview: RosterPreview, progress: ProgressFn | None = None,
                 now: datetime | None = None) -> ImportResult:
    """Import the previewed rows in one transaction (all or nothing).

    Rows are matched again inside the transaction, so a company added since the preview
    (at the counter, or by an earlier import) is updated, never added twice.
    """
    now = now or utcnow()
    created = updated = unchanged = skipped = 0
    total = len(preview.rows)
    with db.write() as session:
        # A row the preview found invalid stays invalid (its profile facts could not be read, say).
        invalid = {r.line: r.errors for r in preview.rows if r.action is RowAction.INVALID}
        rows = classify_rows(session, [(r.line, r.data) for r in preview.rows], invalid)
        for done, row in enumerate(rows, start=1):
            if row.action in (RowAction.INVALID, RowAction.DUPLICATE):
                skipped += 1
            elif row.action is RowAction.UNCHANGED:
                unchanged += 1
            else:
                enterprise, reused = upsert_enterprise(session, row.data, now)
                session.flush()
                if row.data.profile is not None:
                    from xuhui_desk.services.policies import save_profile_facts

                    save_profile_facts(session, enterprise.id, row.data.profile, actor="", now=now)
                if reused:
                    updated += 1
                else:
                    created += 1
            if progress is not None and done % 100 == 0:
                progress(done, total, "")
    return ImportResult(created, updated, unchanged, skipped)


# --- rows with problems, for correction ---------------------------------------------------------------


def catalog_text(key: str, language: str = "zh_CN", **params: Any) -> str:
    """A text of the message catalog (``resources/messages/validation.toml``), filled in."""
    return Issue("", key, params=params).message(language)


def has_problems(row: RosterRow) -> bool:
    """A row the person importing should look at: an error or a warning, or repeated in the file."""
    return bool(row.issues) or row.action in (RowAction.INVALID, RowAction.DUPLICATE) or bool(row.existing_name)


def row_problems(row: RosterRow, language: str = "zh_CN") -> list[str]:
    """Every problem of a row, each in words: all its errors and warnings (a bad credit code
    *and* a bad phone are two), a repetition in the file, another name the directory knows."""
    problems = [issue.message(language) for issue in row.issues]
    if row.action is RowAction.DUPLICATE and row.duplicate_of is not None:
        problems.append(catalog_text("roster.duplicate", language, line=row.duplicate_of))
    if row.existing_name:
        problems.append(catalog_text("roster.known_as", language, name=row.existing_name))
    return problems


def export_problem_rows(preview: RosterPreview, path: Path, language: str = "zh_CN") -> int:
    """Write the rows with problems (:func:`has_problems`) to a new .xlsx at ``path``, one per row
    as in the roster — its row number, what importing would do, every problem (one per line)
    and the values read — so they can be corrected and imported again. Returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    ws.title = (preview.sheet or "roster")[:31]
    fields = ("enterprise_name", "uscc", "contact_name", "phone", "park", "building")
    # The profile columns the roster had, with the cells as read: a corrected file loses nothing.
    facts = [f for f in PROFILE_COLUMNS if f in preview.columns]
    ws.append([catalog_text(key, language) for key in ("roster.column.line", "roster.column.action",
                                                        "roster.column.problems")]
              + [catalog_text(f"field.{f}", language) for f in (*fields, *facts)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    written = 0
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in preview.rows:
        if not has_problems(row):
            continue
        d = row.data
        ws.append([row.line, catalog_text(f"roster.action.{row.action.value}", language),
                   "\n".join(row_problems(row, language)), d.name, d.uscc, d.contact_name, d.phone, d.park,
                   d.building, *(row.profile_raw.get(f, "") for f in facts)])
        ws.cell(ws.max_row, 3).alignment = wrap
        written += 1
    for letter, width in zip("ABCDEFGHI", (8, 10, 60, 32, 22, 10, 16, 16, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return written
