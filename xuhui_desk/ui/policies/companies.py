"""The companies of this station that may qualify for one policy (Today's "new policy" entry).

Read in the background through :func:`xuhui_desk.services.policies.companies_for_policy`:
eligible ones first, then those that may qualify with the facts to ask. Enter or a double
click opens the company's file (企业档案), whose 政策 tab hands the policy over; a request
opened from that file is passed on (:attr:`CompaniesForPolicyDialog.requestActivated`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.ui.policies.labels import facts_text, outcome_label
from xuhui_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from xuhui_desk.services.policies import CompanyMatch
    from xuhui_desk.ui.company_file.dialog import CompanyFileDialog

log = logging.getLogger(__name__)
STYLE = """
QLabel#policyHeading { font-size: 17px; font-weight: 600; color: #1f2933; }
QTreeWidget#policyCompanies::item { padding: 3px 8px 3px 2px; }
"""
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class _Lines(QTreeWidget):
    def keyPressEvent(self, event: object) -> None:
        key = getattr(event, "key", lambda: None)()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.itemActivated.emit(self.currentItem(), 0)
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]


class CompaniesForPolicyDialog(QDialog):
    """See the module documentation."""

    requestActivated = Signal(str)
    loaded = Signal(int)

    def __init__(self, db: Database, tasks: TaskRunner, policy_id: str, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.policy_id = policy_id
        self.companies: list[CompanyMatch] = []
        self.company_dialog: CompanyFileDialog | None = None
        self.setObjectName("companiesForPolicy")
        self.setStyleSheet(STYLE)
        self.setWindowTitle(self.tr("Companies that may qualify — {title}").format(title=title))
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("policyHeading")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.status = QLabel(self.tr("Reading the companies…"))
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.lines = _Lines()
        self.lines.setObjectName("policyCompanies")
        self.lines.setColumnCount(3)
        self.lines.setHeaderLabels([self.tr("Company"), self.tr("Outcome"), self.tr("Facts to ask")])
        self.lines.setRootIsDecorated(False)
        self.lines.setUniformRowHeights(True)
        self.lines.setAllColumnsShowFocus(True)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        head = self.lines.header()
        head.setStretchLastSection(True)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.lines.itemActivated.connect(lambda item, _c: self.open_company(item))
        layout.addWidget(self.lines, 1)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton(self.tr("Company file"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(lambda: self.open_company(self.lines.currentItem()))
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setFocusProxy(self.lines)
        from xuhui_desk.ui.policies.matches import today_in_shanghai

        today = today_in_shanghai()

        def read(_progress: object) -> list[CompanyMatch]:
            from xuhui_desk.services.policies import companies_for_policy

            return companies_for_policy(db, policy_id, today=today)

        def failed(exc: BaseException) -> None:
            self.status.setText(self.tr("The companies could not be read: {error}").format(error=exc))
            self.loaded.emit(0)

        tasks.run(read, on_success=self._show, on_failure=failed, owner=self, latest="companies")

    def _show(self, companies: list[CompanyMatch]) -> None:
        self.companies = list(companies)
        self.lines.clear()
        for company in self.companies:
            outcome = str(getattr(company.outcome, "value", company.outcome))
            item = QTreeWidgetItem([company.name, outcome_label(outcome),
                                    facts_text(company.missing) if company.missing else ""])
            item.setData(0, ID_ROLE, company.enterprise_id)
            item.setToolTip(0, company.name)
            self.lines.addTopLevelItem(item)
        self.status.setText(self.tr("{count} companies of this station may qualify. Enter opens a company's file.")
                            .format(count=len(self.companies)) if self.companies
                            else self.tr("No company of this station qualifies, as far as their profiles tell."))
        first = self.lines.topLevelItem(0)
        if first is not None:
            self.lines.setCurrentItem(first)
        self.lines.setFocus(Qt.FocusReason.OtherFocusReason)
        self.loaded.emit(len(self.companies))

    def open_company(self, item: QTreeWidgetItem | None) -> CompanyFileDialog | None:
        """Open the file of the company on ``item`` (its 政策 tab shown)."""
        if item is None:
            return None
        from xuhui_desk.ui.company_file.dialog import open_company_file

        dialog = open_company_file(self, self.db, self.tasks, int(item.data(0, ID_ROLE)))
        dialog.show_policies_tab()
        dialog.requestActivated.connect(self.requestActivated)
        self.company_dialog = dialog
        return dialog


def open_companies_for_policy(parent: QWidget, db: Database, tasks: TaskRunner, policy_id: str,
                              title: str) -> CompaniesForPolicyDialog:
    """Open the list window-modal with ``open()``; it deletes itself when closed."""
    dialog = CompaniesForPolicyDialog(db, tasks, policy_id, title, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
