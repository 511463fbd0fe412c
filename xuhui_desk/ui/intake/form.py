"""The intake form: a walk-in company's request typed at the counter, keyboard only.

Tab order follows the paper form: company name → credit code → contact → phone → park →
building → channel → description → category → urgency → save. Enter in a one-line field
moves on like Tab. While the name or the credit code is typed, the local directory is
searched in the background and offered in a list; choosing a company fills in the rest.
The credit code and the phone are checked when the field is left (red text under the
field; the organisation-code warning in amber, accepted on save after a confirmation).
The router's suggestion and its reasons follow the description as it is typed;
Ctrl+Enter accepts it, the category list overrides it (saved as a correction). An open
request of the same company and category within 30 days shows a banner offering to link
to it (Alt+L). Ctrl+S saves on the write worker; the tracking number then shows in large
type with "Print receipt" (Ctrl+P) and "New intake" (F2).

The queries are :mod:`xuhui_desk.services.intake`'s, imported inside the background jobs:
the form shows before SQLAlchemy and the models are loaded.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from xuhui_desk.db import Database
from xuhui_desk.ui.company_file.strip import CompanyStrip
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.intake.duplicate_banner import DuplicateBanner, DuplicateKey
from xuhui_desk.ui.intake.fields import IntakeFields
from xuhui_desk.ui.intake.lookup import EnterpriseLookup
from xuhui_desk.ui.intake.recent_card import RecentIntakesCard
from xuhui_desk.ui.intake.saved_panel import SavedPanel
from xuhui_desk.ui.intake.suggestion_card import SuggestionCard
from xuhui_desk.ui.labels import category_label
from xuhui_desk.ui.local_writes import opened
from xuhui_desk.ui.policies.intake_card import IntakePolicyCard
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.widgets.keys import key_hint
from xuhui_desk.validation import (
    LIMITS,
    Issue,
    Severity,
    ValidationFailed,
    check_uscc,
    clean_text,
    errors,
    name_key,
    normalize_uscc,
)

if TYPE_CHECKING:
    from xuhui_desk.services.intake import Duplicate, EnterpriseMatch, IntakeInput, IntakeResult
    from xuhui_desk.services.routing import Router, RoutingResult
    from xuhui_desk.ui.company_file.dialog import CompanyFileDialog

log = logging.getLogger(__name__)

SUGGEST_DELAY_MS = 250
DUPLICATE_DELAY_MS = 300
# The router only needs the beginning of an over-long text (which cannot be saved anyway).
SUGGEST_MAX_CHARS = LIMITS["description"]
# Below this width of the form card the fields go one to a row (a 1024 px screen, or English labels).
TWO_COLUMN_MIN_WIDTH = 700
SIDE_MIN_WIDTH = 340
SIDE_MAX_WIDTH = 420


def _scroll_area(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName("formScroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


class IntakeForm(QWidget):
    """See the module documentation. ``saved(uuid, tracking_no)`` after each save."""

    saved = Signal(str, str)
    # Emitted when the specialist asks for the receipt of the saved request (before the preview opens).
    receiptRequested = Signal(str)
    # A request in today's list was opened (Enter or double-click): show it in the queue.
    requestActivated = Signal(str)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.setObjectName("page")
        self.router: Router | None = None
        self.suggestion: RoutingResult | None = None
        self.result: IntakeResult | None = None
        self._saving = False
        self._shown_once = False

        self._build()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self._build_timers()
        self._build_shortcuts()
        self._wire()
        self._set_tab_order()
        self.setFocusProxy(self.name_edit)
        self.reload_router()
        self.recent_card.refresh()

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 14)
        outer.setSpacing(12)

        header = QHBoxLayout()
        title = QLabel(self.tr("Intake"))
        title.setObjectName("pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        for key, text in (("F2", self.tr("new intake")), ("F1", self.tr("all shortcuts"))):
            header.addWidget(key_hint(key))
            hint = QLabel(text)
            hint.setObjectName("hint")
            header.addWidget(hint)
            header.addSpacing(10)
        outer.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(16)
        # On a short screen the form scrolls rather than squeezing its fields into each other.
        self.fields = IntakeFields()
        self.form_card = self.fields
        self.form_scroll = _scroll_area(self.fields)
        body.addWidget(self.form_scroll, 1)
        f = self.fields
        # The fields by name, as the tests and the main window (drafts) reach them.
        self.name_edit, self.uscc_edit, self.contact_edit = f.name_edit, f.uscc_edit, f.contact_edit
        self.phone_edit, self.park_edit, self.building_edit = f.phone_edit, f.park_edit, f.building_edit
        self.channel_combo, self.description_edit = f.channel_combo, f.description_edit
        self.category_combo, self.urgency_combo = f.category_combo, f.urgency_combo
        self.save_button, self.clear_button, self.busy_label = f.save_button, f.clear_button, f.busy_label
        self.inputs, self.messages = f.inputs, f.messages

        # The side column has a width of its own (a third of the page, within bounds): the form
        # takes what a wider screen adds. The suggestion before saving, the tracking number after:
        # one of the two is shown.
        side = QWidget()
        side.setObjectName("sideColumn")
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        self.suggestion_card = SuggestionCard()
        self.saved_panel = SavedPanel()
        self.saved_panel.hide()
        self.duplicate_banner = DuplicateBanner()
        # The chosen company's open requests (its file at a glance, issue 14 §1): hidden while the
        # company is new or has none.
        self.company_strip = CompanyStrip(self.db, self.tasks)
        self.company_strip.hide()
        self.recent_card = RecentIntakesCard(self.db, self.tasks)
        # The policies that fit the company (issue 15), once it is known; follows the description.
        self.policy_card = IntakePolicyCard(self.db, self.tasks)
        column.addWidget(self.suggestion_card)
        column.addWidget(self.saved_panel)
        column.addWidget(self.duplicate_banner)
        column.addWidget(self.company_strip)
        column.addWidget(self.policy_card)
        column.addWidget(self.recent_card, 1)
        # Its cards scroll together when a short screen cannot hold them all.
        self.side_column = _scroll_area(side)
        self.side_column.setFixedWidth(SIDE_MIN_WIDTH)
        body.addWidget(self.side_column, 0)
        outer.addLayout(body, 1)

    @property
    def recent_list(self) -> Any:
        """Today's intakes (the list widget of the card beside the form)."""
        return self.recent_card.list

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Tab through a form that scrolls: the field being typed in is always in view. The
        # application's signal can still arrive while this form is being destroyed: hence isValid.
        if new is not None and isValid(self) and self.form_card.isAncestorOf(new):
            self.form_scroll.ensureWidgetVisible(new, 0, 24)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_side()

    def _fit_side(self) -> None:
        """Two fifths of the page for the side column (within bounds), never less than its cards
        need (the large tracking number after saving): nothing in it is cut at the right edge."""
        cards = self.side_column.widget()
        assert cards is not None  # set in _build
        need = cards.minimumSizeHint().width() + self.side_column.verticalScrollBar().sizeHint().width() + 2
        self.side_column.setFixedWidth(max(SIDE_MIN_WIDTH, min(SIDE_MAX_WIDTH, self.width() * 2 // 5), need))
        available = self.width() - self.side_column.width() - 64  # page margins and the gap
        self.fields.arrange(two_columns=available >= TWO_COLUMN_MIN_WIDTH)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_once:
            self.recent_card.refresh()  # requests may have been saved elsewhere meanwhile
        self._shown_once = True

    # --- wiring -------------------------------------------------------------------------------

    def _build_timers(self) -> None:
        def timer(delay: int, slot: Callable[[], None]) -> QTimer:
            t = QTimer(self)
            t.setSingleShot(True)
            t.setInterval(delay)
            t.timeout.connect(slot)
            return t

        self.suggest_timer = timer(SUGGEST_DELAY_MS, self.update_suggestion)
        self.duplicate_timer = timer(DUPLICATE_DELAY_MS, self._run_duplicate_check)
        self.lookup = EnterpriseLookup(self.db, self.tasks, self.name_edit, self.uscc_edit, self)
        self.lookup_timer = self.lookup.timer

    def _build_shortcuts(self) -> None:
        def shortcut(key: str, slot: Callable[[], object]) -> QShortcut:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)
            return sc

        self.save_shortcut = shortcut("Ctrl+S", self.save)
        shortcut("Ctrl+Return", self.accept_suggestion)
        shortcut("Ctrl+Enter", self.accept_suggestion)
        shortcut("Alt+L", self._link_shortcut)
        shortcut("Ctrl+E", self.open_company_file)
        shortcut("Ctrl+P", self._print_shortcut)

    def _wire(self) -> None:
        self.lookup.chosen.connect(self._completion_chosen)
        self.lookup.codeFound.connect(self._code_found)
        for line in self.fields.line_edits():
            line.returnPressed.connect(self.focusNextChild)
        self.name_edit.textChanged.connect(self._identity_changed)
        self.uscc_edit.textChanged.connect(self._identity_changed)
        self.uscc_edit.editingFinished.connect(self._uscc_finished)
        self.uscc_edit.textEdited.connect(self._uscc_edited)
        self.phone_edit.editingFinished.connect(lambda: self._check_field("phone"))
        self.phone_edit.textEdited.connect(lambda _t: self.fields.recheck_if_shown("phone"))
        for field in ("enterprise_name", "contact_name", "park", "building"):
            edit = self.inputs[field]
            assert isinstance(edit, QLineEdit)
            edit.textEdited.connect(lambda _t, f=field: self.fields.recheck_if_shown(f))
        self.description_edit.textChanged.connect(self._description_changed)
        self.category_combo.currentIndexChanged.connect(self._category_changed)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(lambda: self.start_new(confirm=True))
        self.saved_panel.newRequested.connect(lambda: self.start_new(confirm=False))
        self.saved_panel.printRequested.connect(self.print_receipt)
        self.duplicate_banner.linkToggled.connect(self._link_toggled)
        self.duplicate_banner.dismissed.connect(self.description_edit.setFocus)
        self.recent_card.requestActivated.connect(self.requestActivated)
        self.company_strip.requestActivated.connect(self.requestActivated)

    def _set_tab_order(self) -> None:
        banner, panel = self.duplicate_banner, self.saved_panel
        chain: list[QWidget] = [
            *self.fields.line_edits(), self.channel_combo, self.description_edit, self.category_combo,
            self.urgency_combo, self.save_button, self.clear_button, banner.link_button, banner.ignore_button,
            self.company_strip.lines,
            panel.print_button, panel.layout_combo, panel.new_button, self.recent_card.list,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- enterprise lookup and validation ---------------------------------------------------

    def _completion_chosen(self, match: EnterpriseMatch) -> None:
        self.fields.fill_enterprise(match, overwrite=True)
        self.company_strip.set_company(match.uscc or match.name)
        self.policy_card.set_company(match.uscc or match.name)
        self.description_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _uscc_edited(self, text: str) -> None:
        if len(normalize_uscc(text)) >= 18:
            self._check_field("uscc")
        else:
            self.fields.recheck_if_shown("uscc")

    def _uscc_finished(self) -> None:
        self._check_field("uscc")
        code = normalize_uscc(self.uscc_edit.text())
        # Look the code up whatever warnings it has (an organisation-code warning must not hide that
        # the code is registered to another company, audit D15); only a code in error is not looked up.
        if len(code) == 18 and not any(i.severity is Severity.ERROR for i in check_uscc(code)[1]):
            self.lookup.look_up_code(code)

    def _code_found(self, code: str, match: EnterpriseMatch) -> None:
        if normalize_uscc(self.uscc_edit.text()) != code:
            return  # the code was changed meanwhile
        if self.name_edit.text().strip() and name_key(self.name_edit.text()) != name_key(match.name):
            self.fields.set_uscc_conflict(code, Issue("uscc", "enterprise.uscc_conflict", Severity.WARNING,
                                                      {"name": match.name}))
            self._check_field("uscc")
        else:
            self.fields.fill_enterprise(match, overwrite=False)
            self.company_strip.set_company(code)
            self.policy_card.set_company(code)

    def _check_field(self, field: str) -> Issue | None:
        return self.fields.check_field(field)

    def issue_text(self, field: str) -> str:
        """The message shown under ``field`` ('' when none)."""
        return self.fields.issue_text(field)

    # --- description, suggestion, category ----------------------------------------------------

    def _description_changed(self) -> None:
        self.fields.update_counter()
        self.fields.recheck_if_shown("description")
        if len(self.description_edit.toPlainText()) > LIMITS["description"]:
            self._check_field("description")
        if not self.description_edit.isReadOnly():
            self.suggest_timer.start()
            self.policy_card.set_text(self.description_edit.toPlainText()[:SUGGEST_MAX_CHARS])

    def _identity_changed(self) -> None:
        if self.suggestion is not None and not self.name_edit.isReadOnly():
            self.suggest_timer.start()
        self._schedule_duplicate_check()

    def reload_router(self) -> None:
        """Load the station's router (rules plus its own corrections) in the background."""
        db = self.db

        def read(_progress: object) -> Router:
            opened(db)
            from xuhui_desk.services.intake import load_station_router

            return load_station_router(db)

        def done(router: Router) -> None:
            self.router = router
            language = current_language()
            self.fields.add_categories([(c.label(language), c.code.value) for c in router.taxonomy.categories])
            self.update_suggestion()

        def failed(exc: BaseException) -> None:
            log.error("the router could not be loaded: %s", exc)
            self.suggestion_card.show_unavailable(exc)

        self.tasks.run(read, on_success=done, on_failure=failed, owner=self, latest="router")

    def update_suggestion(self) -> None:
        """Ask the router about the description now (normally called 250 ms after the last keystroke)."""
        self.suggest_timer.stop()
        text = self.description_edit.toPlainText()[:SUGGEST_MAX_CHARS]
        if self.router is None or len(clean_text(text)) < 2:
            self._show_suggestion(None)
            return
        result = self.router.suggest(text, enterprise_name=clean_text(self.name_edit.text()) or None,
                                     language=current_language())
        self._show_suggestion(result)

    def _show_suggestion(self, result: RoutingResult | None) -> None:
        self.suggestion = result
        self.suggestion_card.show_result(result)
        self.category_combo.setItemText(0, self.tr("Use the suggestion") if result is None else
                                        self.tr("Suggested: {category}").format(
                                            category=category_label(result.category.value)))
        self._category_changed()

    def accept_suggestion(self) -> None:
        """Ctrl+Enter: choose the suggested category and move on to the urgency."""
        if self.description_edit.isReadOnly():
            return
        self.update_suggestion()
        if self.suggestion is None:
            self._status(self.tr("No suggestion yet: type the description first."))
            return
        index = self.category_combo.findData(self.suggestion.category.value)
        self.category_combo.setCurrentIndex(index)
        self.urgency_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def chosen_category(self) -> str | None:
        """The category chosen in the list (None: the suggestion)."""
        return self.fields.chosen_category()

    def effective_category(self) -> str | None:
        chosen = self.chosen_category()
        if chosen:
            return chosen
        return self.suggestion.category.value if self.suggestion is not None else None

    def _category_changed(self, _index: int = 0) -> None:
        suggested = self.suggestion.category.value if self.suggestion is not None else None
        self.fields.show_category_note(suggested)
        self._schedule_duplicate_check()

    # --- duplicates ---------------------------------------------------------------------------

    @property
    def linked_uuid(self) -> str | None:
        """The open request the new one will be linked to (None: saved as a new request)."""
        return self.duplicate_banner.linked_uuid

    def _duplicate_key(self) -> DuplicateKey | None:
        name = clean_text(self.name_edit.text())
        category = self.effective_category()
        if not category or (len(name) < 2 and not normalize_uscc(self.uscc_edit.text())):
            return None
        return name, normalize_uscc(self.uscc_edit.text()), category

    def _schedule_duplicate_check(self) -> None:
        if self.result is None and not self._saving:
            self.duplicate_timer.start()

    def _run_duplicate_check(self) -> None:
        key = self._duplicate_key()
        if key is None:
            self.duplicate_banner.show_found([], None)
            return
        db = self.db

        def read(_progress: object) -> list[Duplicate]:
            opened(db)
            from xuhui_desk.services.intake import duplicates_for

            return duplicates_for(db, *key)

        def done(found: list[Duplicate]) -> None:
            if self.result is None:  # not after saving
                self.duplicate_banner.show_found(found, key)

        self.tasks.run(read, on_success=done, owner=self, latest="duplicates",
                       on_failure=lambda exc: log.warning("duplicate check failed: %s", exc))

    def duplicate_banner_shown(self) -> bool:
        return self.duplicate_banner.is_offered()

    def _link_shortcut(self) -> None:
        if self.duplicate_banner_shown() and self.result is None:
            self.link_to_duplicate()

    def link_to_duplicate(self) -> None:
        """Link the new request to the open one shown (or undo the link)."""
        self.duplicate_banner.toggle_link()

    def _link_toggled(self, tracking_no: str) -> None:
        self._status(self.tr("Linked to {tracking_no}.").format(tracking_no=tracking_no) if tracking_no else
                     self.tr("Not linked."))

    def dismiss_duplicate(self) -> None:
        self.duplicate_banner.dismiss()

    # --- saving -------------------------------------------------------------------------------

    def collect(self) -> IntakeInput:
        """What the form holds, as the intake service's input."""
        return self.fields.collect(self.linked_uuid)

    def save(self) -> None:
        """Ctrl+S: validate, confirm warnings, then save on the write worker."""
        if self._saving:
            return
        if self.result is not None:
            self._status(self.tr("Already saved as {tracking_no}. Press F2 for a new intake.").format(
                tracking_no=self.result.tracking_no))
            return
        from xuhui_desk.services.intake import create_request, validate

        data = self.collect()
        # The conflict: the request will be filed under the directory's company of that code.
        issues = validate(data)[1] + self.fields.uscc_conflict()
        self.fields.show_all_issues(issues)
        if errors(issues):
            self._status(self.tr("Not saved: please correct the fields marked in red."))
            return
        warnings = [i for i in issues if i.severity is Severity.WARNING]
        if warnings and not self._confirm_warnings(warnings):
            return
        self._begin_saving()
        router, db = self.router, self.db
        held = self.policy_card.held_pushes()  # policy lists handed over: tied to the request

        def job(_progress: object) -> IntakeResult:
            opened(db)
            from xuhui_desk.services.intake import load_station_router

            return create_request(db, data, router=router or load_station_router(db), accept_warnings=True,
                                  held_pushes=held)

        # owner=: a form closed meanwhile drops the answer; the request is saved all the same.
        self.tasks.run(job, on_success=self._saved, on_failure=self._save_failed, owner=self, write=True,
                       label=self.tr("Saving…"), parent=self)

    def _confirm_warnings(self, warnings: list[Issue]) -> bool:
        return self.fields.confirm_warnings(warnings)

    def _begin_saving(self) -> None:
        self._saving = True
        for timer in (self.suggest_timer, self.duplicate_timer):
            timer.stop()
        self.lookup.stop()
        self.fields.set_editable(False)
        self.policy_card.setEnabled(False)  # a list handed over now would miss the request
        self.busy_label.setText(self.tr("Saving…"))

    def _saved(self, result: IntakeResult) -> None:
        self._saving = False
        self.result = result
        self.policy_card.request_saved(result.uuid)
        self.policy_card.setEnabled(True)
        self.busy_label.clear()
        self.fields.clear_issues()
        suggested = self.suggestion.category.value if self.suggestion else result.category
        self.saved_panel.show_saved(result, enterprise=clean_text(self.name_edit.text()),
                                    corrected=result.category != suggested,
                                    linked_tracking_no=self.duplicate_banner.linked_tracking_no())
        self.duplicate_banner.hide()
        self.suggestion_card.hide()
        self.saved_panel.show()
        self._fit_side()
        self.fields.category_note.clear()
        self.saved_panel.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._status(self.tr("Saved {tracking_no}.").format(tracking_no=result.tracking_no))
        self.recent_card.refresh()
        self.saved.emit(result.uuid, result.tracking_no)

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.policy_card.setEnabled(True)
        self.busy_label.clear()
        self.fields.set_editable(True)
        if isinstance(exc, ValidationFailed):
            self.fields.show_all_issues(exc.issues)
            self._status(self.tr("Not saved: please correct the fields marked in red."))
            return
        log.error("saving the intake failed: %s", exc)
        QMessageBox.critical(self, self.tr("Not saved"),
                             self.tr("The request could not be saved. Nothing was lost from the form; "
                                     "try again.\n\n{error}").format(error=exc))

    # --- after saving -------------------------------------------------------------------------

    def _print_shortcut(self) -> None:
        if self.result is not None:
            self.print_receipt()

    def print_receipt(self) -> None:
        """Build the receipt of the saved request in the background, then open the print preview."""
        if self.result is None:
            return
        self.receiptRequested.emit(self.result.uuid)
        self.saved_panel.print_receipt(self.db, self.tasks, self.result.uuid)

    def is_dirty(self) -> bool:
        """Something typed and not saved."""
        return self.result is None and self.fields.has_text()

    def start_new(self, *, confirm: bool = True) -> bool:
        """Clear the form for the next company; asks first when typed work would be lost."""
        if self._saving:
            return False
        if confirm and self.is_dirty():
            answer = QMessageBox.question(
                self, self.tr("New intake"), self.tr("Discard what is typed in the form?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return False
        was_saved = self.result is not None
        self.result = None
        self.duplicate_banner.reset()
        self.company_strip.set_company(None)
        self.policy_card.leave()
        self.policy_card.set_company(None)
        self.policy_card.set_text("")
        for timer in (self.suggest_timer, self.duplicate_timer):
            timer.stop()
        self.lookup.stop()
        self.fields.set_editable(True)
        self.fields.clear()
        self._show_suggestion(None)
        self.saved_panel.hide()
        self.suggestion_card.show()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if was_saved:
            self.reload_router()  # picks up corrections made elsewhere (e.g. in the detail view)
        return True

    def open_company_file(self) -> CompanyFileDialog | None:
        """Ctrl+E: the file (企业档案) of the company typed — its credit code when it is complete,
        else its name: profile, contacts, every earlier request (issue 14 §1)."""
        code = normalize_uscc(self.uscc_edit.text())
        key: str | int | None = code if len(code) == 18 else (self.name_edit.text().strip() or None)
        if key is None:
            self._status(self.tr("Type the company's name or credit code first (Ctrl+E opens its file)"))
            return None
        from xuhui_desk.ui.company_file.dialog import open_company_file

        self.company_dialog = open_company_file(self, self.db, self.tasks, key)
        self.company_dialog.requestActivated.connect(self.requestActivated)
        return self.company_dialog

    def _status(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):  # in the workstation; standing alone it has its own line
            window.statusBar().showMessage(text, 6000)
        else:
            self.busy_label.setText(text)

    # --- drafts (kept across a language switch) -----------------------------------------------

    def draft(self) -> dict[str, Any] | None:
        """What is typed, when anything is (see :meth:`IntakeFields.draft`), with the policy lists
        held for this intake (the rebuilt form's save ties them to its request)."""
        if not self.is_dirty():
            return None
        draft = self.fields.draft()
        if held := self.policy_card.held_pushes():
            draft["held_pushes"] = list(held)
        return draft

    def restore_draft(self, draft: dict[str, Any]) -> None:
        self.fields.restore_draft(draft)
        self.policy_card.adopt_held(draft.get("held_pushes", []))
