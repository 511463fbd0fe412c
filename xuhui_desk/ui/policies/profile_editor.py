"""The company profile editor (企业画像) of the company file: the facts policies are matched on.

Every fact may be unknown, and unknown is never "no": an empty box is unknown, "registered in
Xuhui" and the size start at *Unknown*, and the qualifications are unknown until *Checked with
the company* is ticked (ticking or typing one ticks it; ticked with none chosen means "holds
none"). The facts are checked by the core (:meth:`xuhui_desk.policies.CompanyProfile.from_json`,
whose messages come from ``resources/messages``) and shown under their field
(:class:`~xuhui_desk.ui.widgets.field_message.FieldMessage`); nothing typed is lost. Read and
saved in the background through :mod:`xuhui_desk.services.policies` (``company_profile``,
``save_company_profile``: the revision is bumped, so the profile syncs to the hub).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.ui.flow_layout import FlowLayout
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.policies.matches import today_in_shanghai
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.wheel_guard import install_wheel_guard
from xuhui_desk.ui.widgets.field_message import FieldMessage
from xuhui_desk.validation import Issue

if TYPE_CHECKING:
    from xuhui_desk.policies import CompanyProfile

log = logging.getLogger(__name__)

SIZES = ("micro", "small", "medium", "large")
FACTS = ("industry_code", "established", "registered_in_xuhui", "size", "qualifications", "employees",
         "revenue_wan")
_SPLIT = re.compile(r"[,，、;；\s]+")


class ProfileEditor(QWidget):
    """See the module documentation. :attr:`saved` after a save went through."""

    saved = Signal()
    # The profile was read and shown.
    loaded = Signal()

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        install_wheel_guard()
        self.db = db
        self.tasks = tasks
        self.enterprise_id: int | None = None
        self.profile: CompanyProfile | None = None
        self.setObjectName("profileEditor")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 8, 4, 4)
        outer.setSpacing(6)
        intro = QLabel(self.tr("What the policies are matched on. Leave a fact empty (or Unknown) when "
                               "the company has not told it: unknown is never taken as no."))
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        outer.addWidget(intro)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        self.messages: dict[str, FieldMessage] = {}
        self.industry = QLineEdit()
        self.industry.setObjectName("profileIndustry")
        self.industry.setPlaceholderText(self.tr("e.g. I6513"))
        self.established = QLineEdit()
        self.established.setObjectName("profileEstablished")
        self.established.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.registered = QComboBox()
        self.registered.setObjectName("profileRegistered")
        for text, value in ((self.tr("Unknown"), None), (self.tr("Yes"), True), (self.tr("No"), False)):
            self.registered.addItem(text, value)
        self.size_combo = QComboBox()
        self.size_combo.setObjectName("profileSize")
        self.size_combo.addItem(self.tr("Unknown"), None)
        from xuhui_desk.policies import size_label

        for size in SIZES:
            self.size_combo.addItem(size_label(size, current_language()), size)
        for combo in (self.registered, self.size_combo):
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.employees = QLineEdit()
        self.employees.setObjectName("profileEmployees")
        self.employees.setPlaceholderText(self.tr("number of people"))
        self.revenue = QLineEdit()
        self.revenue.setObjectName("profileRevenue")
        self.revenue.setPlaceholderText(self.tr("10,000 yuan"))

        qualifications = QWidget()
        qual = QVBoxLayout(qualifications)
        qual.setContentsMargins(0, 0, 0, 0)
        qual.setSpacing(4)
        self.qual_known = QCheckBox(self.tr("Checked with the company (what is not ticked, it does not hold)"))
        self.qual_known.setObjectName("profileQualKnown")
        qual.addWidget(self.qual_known)
        # The known vocabulary as a checkable list that wraps (no scrolling inside the form).
        self.qual_list = QWidget()
        self.qual_list.setObjectName("profileQualifications")
        flow = FlowLayout(self.qual_list, spacing=14, line_spacing=4)
        flow.setContentsMargins(0, 0, 0, 0)
        self.qual_boxes: list[QCheckBox] = []
        for name in _known_qualifications():
            box = QCheckBox(name)
            box.toggled.connect(lambda checked: self.qual_known.setChecked(True) if checked else None)
            flow.addWidget(box)
            self.qual_boxes.append(box)
        qual.addWidget(self.qual_list)
        self.qual_other = QLineEdit()
        self.qual_other.setObjectName("profileQualOther")
        self.qual_other.setPlaceholderText(self.tr("others, separated by 、"))
        self.qual_other.textEdited.connect(lambda text: self.qual_known.setChecked(True) if text.strip() else None)
        qual.addWidget(self.qual_other)

        rows: list[tuple[str, str, QWidget]] = [
            ("industry_code", self.tr("Industry code (GB/T 4754)"), self.industry),
            ("established", self.tr("Established on"), self.established),
            ("registered_in_xuhui", self.tr("Registered in Xuhui"), self.registered),
            ("size", self.tr("Size"), self.size_combo),
            ("qualifications", self.tr("Qualifications"), qualifications),
            ("employees", self.tr("Employees"), self.employees),
            ("revenue_wan", self.tr("Revenue (10,000 yuan)"), self.revenue),
        ]
        boxes: tuple[QWidget, ...] = (self.industry, self.established, self.registered, self.size_combo,
                                      self.employees, self.revenue)
        for field in boxes:
            field.setMaximumWidth(360)
        for fact, label, widget in rows:
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            message = FieldMessage()
            message.setObjectName("fieldError")
            column.addWidget(message)
            self.messages[fact] = message
            form.addRow(label, cell)
        outer.addLayout(form)

        buttons = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        buttons.addWidget(self.status, 1)
        self.save_button = QPushButton(self.tr("Save profile"))
        self.save_button.setObjectName("profileSave")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        buttons.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(buttons)
        outer.addStretch(1)

    # --- reading --------------------------------------------------------------------------------

    def load(self, enterprise_id: int) -> None:
        """Read the profile of the company ``enterprise_id`` in the background and show it."""
        self.enterprise_id = enterprise_id
        db = self.db

        def read(_progress: object) -> CompanyProfile:
            from xuhui_desk.services.policies import company_profile

            return company_profile(db, enterprise_id)

        def failed(exc: BaseException) -> None:
            self.status.setText(self.tr("The profile could not be read: {error}").format(error=exc))

        self.status.setText(self.tr("Reading the profile…"))
        self.tasks.run(read, on_success=self.show_profile, on_failure=failed, owner=self, latest="profile")

    def show_profile(self, profile: CompanyProfile) -> None:
        """Fill the fields with ``profile`` (unknown facts empty or Unknown)."""
        self.profile = profile
        self.industry.setText(profile.industry_code or "")
        self.established.setText(profile.established.isoformat() if profile.established else "")
        self.registered.setCurrentIndex(max(0, self.registered.findData(profile.registered_in_xuhui))
                                        if profile.registered_in_xuhui is not None else 0)
        self.size_combo.setCurrentIndex(max(0, self.size_combo.findData(profile.size)) if profile.size else 0)
        held = set(profile.qualifications or ())
        listed = set()
        for box in self.qual_boxes:
            listed.add(box.text())
            box.blockSignals(True)
            box.setChecked(box.text() in held)
            box.blockSignals(False)
        self.qual_other.setText("、".join(sorted(held - listed)))
        self.qual_known.setChecked(profile.qualifications is not None)
        self.employees.setText("" if profile.employees is None else str(profile.employees))
        self.revenue.setText("" if profile.revenue_wan is None else _number(profile.revenue_wan))
        for message in self.messages.values():
            message.say(None)
        self.status.setText("")
        self.save_button.setEnabled(True)
        self.loaded.emit()

    # --- saving ---------------------------------------------------------------------------------

    def qualifications(self) -> list[str] | None:
        """The qualifications as entered: None while unknown."""
        if not self.qual_known.isChecked():
            return None
        ticked = [box.text() for box in self.qual_boxes if box.isChecked()]
        others = [part for part in _SPLIT.split(self.qual_other.text().strip()) if part]
        return list(dict.fromkeys(ticked + others))

    def entered(self) -> dict[str, Any]:
        """The facts typed, in the form :meth:`CompanyProfile.from_json` reads (unknown ones left out)."""
        out: dict[str, Any] = {}
        if text := self.industry.text().strip():
            out["industry_code"] = text
        if text := self.established.text().strip():
            out["established"] = text
        if (registered := self.registered.currentData()) is not None:
            out["registered_in_xuhui"] = bool(registered)
        if size := self.size_combo.currentData():
            out["size"] = size
        if (held := self.qualifications()) is not None:
            out["qualifications"] = held
        # Numbers as typed: the core reads them (full-width digits, thousands commas) or says why not.
        if text := self.employees.text().strip():
            out["employees"] = text
        if text := self.revenue.text().strip():
            out["revenue_wan"] = text
        return out

    def parsed(self) -> CompanyProfile | None:
        """The profile the fields hold, or None after showing what is wrong under each field."""
        from xuhui_desk.policies import CompanyProfile, ProfileError
        from xuhui_desk.services.policies import profile_issues

        for message in self.messages.values():
            message.say(None)
        try:
            return CompanyProfile.from_json(self.entered(), today=today_in_shanghai())
        except ProfileError as exc:
            language = current_language()
            by_fact: dict[str, list[Issue]] = {}
            for issue in profile_issues(exc):
                fact = issue.field if issue.field in self.messages else "industry_code"
                by_fact.setdefault(fact, []).append(issue)
            for fact, issues in by_fact.items():
                self.messages[fact].show_issues(issues, language)
            return None

    def save(self) -> None:
        """Check the facts, then save them on the write worker."""
        if self.enterprise_id is None:
            return
        profile = self.parsed()
        if profile is None:
            self.status.setText(self.tr("Not saved: please correct the fields marked in red."))
            return
        db, enterprise_id = self.db, self.enterprise_id

        def write(_progress: object) -> CompanyProfile:
            from xuhui_desk.services.followup import current_specialist
            from xuhui_desk.services.policies import company_profile, save_company_profile

            save_company_profile(db, enterprise_id, profile, actor=current_specialist(db))
            return company_profile(db, enterprise_id)

        def done(stored: CompanyProfile) -> None:
            self.show_profile(stored)
            self.status.setText(self.tr("Profile saved."))
            self.saved.emit()

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.status.setText(self.tr("The profile could not be saved (nothing typed was lost): {error}").format(
                error=exc))

        self.save_button.setEnabled(False)
        self.status.setText(self.tr("Saving…"))
        self.tasks.run(write, on_success=done, on_failure=failed, owner=self, write=True)


def _known_qualifications() -> tuple[str, ...]:
    from xuhui_desk.policies import QUALIFICATIONS

    return tuple(QUALIFICATIONS)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"

