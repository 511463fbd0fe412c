"""The policies that fit one company (政策速递), with their reasons, to hand over at the counter.

:class:`PolicyMatchesPanel` reads :func:`xuhui_desk.services.policies.matches_for_company` in the
background (``owner=`` the panel, ``latest="matches"``: a newer company or text supersedes a read
still running) and lists

* the **eligible** policies, then the **possible** ones with the facts to ask the company,
  relevant ones first (the service's order), each with its title, what it gives, how to apply
  (网上办理 / 窗口办理 / 免申即享) and its reasons in words (``Reason.text(language)``);
* the **not eligible** ones collapsed under a button, with the condition that fails.

A checkbox before each eligible or possible policy chooses it for the hand-over (eligible ones
start chosen): *Print the policy list* (thermal or A5, :mod:`xuhui_desk.ui.policies.printing`)
and *Record as told* both record a push. ``set_company`` takes an enterprise id or a key (credit
code, name) as the company file resolves it; ``set_text`` (the request's description) is
debounced.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.db import Database
from xuhui_desk.services.policy_print import marks_itself_as_sample
from xuhui_desk.services.timefmt import SHANGHAI
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.policies.labels import apply_label, facts_text
from xuhui_desk.ui.policies.printing import PushRequest, print_policy_list, record_push, remembered_list_layout
from xuhui_desk.ui.reprint import LAYOUTS, layout_label
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.ui.wheel_guard import install_wheel_guard

if TYPE_CHECKING:
    from xuhui_desk.policies import Match
    from xuhui_desk.services.policies import PushRecord
    from xuhui_desk.ui.policies.print_render import PolicyListPreviewDialog

log = logging.getLogger(__name__)

# The description is matched this long after typing pauses.
TEXT_DELAY_MS = 400

STYLE = """
QFrame#policyCard { background: #ffffff; border: 1px solid #dde2ea; border-radius: 6px; }
QFrame#policyCard[outcome="eligible"] { border-left: 4px solid #2f8f4e; }
QFrame#policyCard[outcome="possible"] { border-left: 4px solid #d08a1c; }
QFrame#policyCard[outcome="not_eligible"] { background: #f7f8fa; }
QLabel#policyTitle { font-weight: 600; color: #1f2933; }
QLabel#policyMeta { color: #1d4f91; }
QLabel#policyReasons { color: #52606d; }
QLabel#policyMissing { color: #8a5300; }
QLabel#policySection { font-weight: 600; color: #1f2933; }
QLabel#policyStatus { color: #52606d; }
QLabel#policyDone { color: #2f6f3e; }
"""


def today_in_shanghai() -> date:
    return datetime.now(SHANGHAI).date()


def _outcome(match: Match) -> str:
    return str(getattr(match.outcome, "value", match.outcome))


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PolicyCard(QFrame):
    """One policy of the list: chosen or not, title, apply mode, benefit, reasons, facts to ask."""

    toggled = Signal()

    def __init__(self, match: Match, *, choosable: bool, compact: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.match = match
        policy = match.policy
        outcome = _outcome(match)
        self.setObjectName("policyCard")
        self.setProperty("outcome", outcome)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(3)
        head = QHBoxLayout()
        head.setSpacing(6)
        self.checkbox: QCheckBox | None = None
        if choosable:
            self.checkbox = QCheckBox()
            self.checkbox.setObjectName("policyChoose")
            self.checkbox.setAccessibleName(policy.title)
            self.checkbox.setToolTip(self.tr("Hand this policy over"))
            self.checkbox.toggled.connect(self.toggled)
            head.addWidget(self.checkbox, 0, Qt.AlignmentFlag.AlignTop)
        title = policy.title + (self.tr(" (sample)") if policy.sample and not marks_itself_as_sample(policy.title)
                                else "")
        self.title = _label(title, "policyTitle")
        self.title.setToolTip(policy.summary or policy.title)
        head.addWidget(self.title, 1)
        layout.addLayout(head)
        language = current_language()
        meta = [apply_label(policy.apply)]
        if policy.department:
            meta.append(policy.department)
        if match.relevant:
            meta.append(self.tr("fits the request"))
        self.meta = _label(" · ".join(meta), "policyMeta")
        layout.addWidget(self.meta)
        self.benefit = _label(policy.benefit, "policyBenefit")
        self.benefit.setVisible(bool(policy.benefit))
        layout.addWidget(self.benefit)
        shown = [r for r in match.reasons if r.condition != "keywords_any" or match.relevant is not None]
        if outcome == "not_eligible":
            shown = [r for r in shown if r.state == "failed"]
        marks = {"met": "√", "failed": "×", "unknown": "？"}
        lines = [f"{marks.get(r.state, '·')} {r.text(language)}" for r in shown]
        if compact and outcome != "not_eligible":
            lines = [line for line, r in zip(lines, shown, strict=True) if r.state != "met"] or lines[:2]
        self.reasons = _label("\n".join(lines), "policyReasons")
        self.reasons.setVisible(bool(lines))
        layout.addWidget(self.reasons)
        self.missing = _label(self.tr("Ask the company: {facts}").format(facts=facts_text(match.missing))
                              if match.missing else "", "policyMissing")
        self.missing.setVisible(bool(match.missing))
        layout.addWidget(self.missing)
        if self.checkbox is not None:
            self.title.mousePressEvent = lambda _e: self.checkbox.toggle() if self.checkbox else None  # type: ignore[method-assign]

    def chosen(self) -> bool:
        return self.checkbox is not None and self.checkbox.isChecked()


class PolicyMatchesPanel(QWidget):
    """See the module documentation."""

    # Eligible and possible policies shown after a read (0: none, or no company).
    loaded = Signal(int)
    # A push was recorded (its channel).
    pushed = Signal(str)
    # The print preview of a policy list opened (for tests and the screenshots).
    previewOpened = Signal(object)

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None, *,
                 compact: bool = False) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.compact = compact
        self.key: int | str | None = None
        self.enterprise_id: int | None = None
        self.text = ""
        #: What a push is made for (the intake card's are held until its request is saved).
        self.push_request = PushRequest()
        self.matches: list[Match] = []
        self.cards: list[PolicyCard] = []
        self._chosen: dict[str, bool] = {}
        self._reads = 0
        self.setObjectName("policyPanel")
        self.setStyleSheet(STYLE)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        head = QHBoxLayout()
        self.heading = QLabel(self.tr("Policies for this company"))
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        head.addWidget(self.heading, 1)
        outer.addLayout(head)
        self.status = _label("", "policyStatus")
        outer.addWidget(self.status)

        self.body = QWidget()
        self.body.setObjectName("policyBody")
        self.list_layout = QVBoxLayout(self.body)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(6)
        self.others_button = QToolButton()
        self.others_button.setObjectName("policyOthers")
        self.others_button.setCheckable(True)
        self.others_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.others_button.setArrowType(Qt.ArrowType.RightArrow)
        self.others_button.toggled.connect(self._toggle_others)
        self.others = QWidget()
        self.others_layout = QVBoxLayout(self.others)
        self.others_layout.setContentsMargins(0, 0, 0, 0)
        self.others_layout.setSpacing(6)
        self.others.hide()
        if compact:
            outer.addWidget(self.body)
        else:
            area = QScrollArea()
            area.setObjectName("policyScroll")
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            area.setWidget(self.body)
            outer.addWidget(area, 1)
        self.scroll_area = None if compact else area

        # Compact (the intake's side column, 340 px): the paper on a row of its own, the two buttons
        # under it; otherwise all on one row.
        actions = QVBoxLayout()
        actions.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.print_button = QPushButton(self.tr("Print policy list"))
        self.print_button.setObjectName("policyPrint")
        self.print_button.clicked.connect(lambda: self.print_list())
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("policyLayout")
        for layout in LAYOUTS:
            self.layout_combo.addItem(layout_label(layout), layout)
        self.layout_combo.setCurrentIndex(max(0, self.layout_combo.findData(remembered_list_layout(db))))
        self.layout_combo.setToolTip(self.tr("Paper of the policy list"))
        # In a scrolling column: the wheel scrolls the column, never this box unless it has the focus.
        self.layout_combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        install_wheel_guard()
        # Room for the longest paper name beside the arrow (the style's padding is wider than Qt's guess).
        widest = max(self.fontMetrics().horizontalAdvance(layout_label(name)) for name in LAYOUTS)
        self.layout_combo.setMinimumWidth(widest + 48)
        self.told_button = QPushButton(self.tr("Record as told"))
        self.told_button.setObjectName("policyTold")
        self.told_button.setToolTip(self.tr("Record that the chosen policies were explained, without printing"))
        self.told_button.clicked.connect(lambda: self.record_told())
        if compact:
            actions.addWidget(self.layout_combo)
        row.addWidget(self.print_button)
        if not compact:
            row.addWidget(self.layout_combo)
        row.addWidget(self.told_button)
        row.addStretch(1)
        actions.addLayout(row)
        outer.addLayout(actions)
        self.done = _label("", "policyDone")
        self.done.hide()
        outer.addWidget(self.done)

        self.text_timer = QTimer(self)
        self.text_timer.setSingleShot(True)
        self.text_timer.setInterval(TEXT_DELAY_MS)
        self.text_timer.timeout.connect(self.refresh)
        self._update_buttons()
        self._say(self.tr("Choose or type a company to see the policies it may qualify for."))

    # --- what to match --------------------------------------------------------------------------

    @property
    def reads(self) -> int:
        """Reads shown since the panel was made."""
        return self._reads

    def set_company(self, key: int | str | None) -> None:
        """Match the company ``key`` (an enterprise id, a credit code or a name; None: no company)."""
        if key == self.key:
            return
        self.key = key
        self.enterprise_id = key if isinstance(key, int) else None
        self._chosen.clear()
        self.done.hide()
        self.refresh()

    def set_text(self, text: str) -> None:
        """The request's description (relevant policies first); matched after typing pauses."""
        if text == self.text:
            return
        self.text = text
        if self.key is not None:
            self.text_timer.start()

    def refresh(self) -> None:
        """Read the matches again (background)."""
        self.text_timer.stop()
        key, text, db = self.key, self.text.strip() or None, self.db
        if key is None or (isinstance(key, str) and not key.strip()):
            self.tasks.run(lambda _p: None, owner=self, latest="matches")  # drops a read under way
            self._show(None)
            return
        today = today_in_shanghai()

        def read(_progress: object) -> tuple[int, list[Match]] | None:
            from xuhui_desk.services.company_file import company_file
            from xuhui_desk.services.policies import matches_for_company

            if isinstance(key, int):
                enterprise_id = key
            else:
                try:
                    enterprise_id = company_file(db, key, limit=1).profile.id
                except LookupError:  # a new company, or several match: nothing to match yet
                    return None
            return enterprise_id, matches_for_company(db, enterprise_id, today=today, text=text)

        def failed(exc: BaseException) -> None:
            log.warning("policies could not be matched: %s", exc)
            self._show(None, error=str(exc))

        self.tasks.run(read, on_success=self._show, on_failure=failed, owner=self, latest="matches")

    # --- showing --------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _clear_cards(self) -> None:
        for card in self.cards:
            if card.checkbox is not None:
                self._chosen[card.match.policy.id] = card.checkbox.isChecked()
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        for layout in (self.list_layout, self.others_layout):
            while layout.count():
                item = layout.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None and widget not in (self.others_button, self.others):
                    widget.setParent(None)
                    widget.deleteLater()

    def _section(self, text: str) -> QLabel:
        label = _label(text, "policySection")
        self.list_layout.addWidget(label)
        return label

    def _show(self, found: tuple[int, list[Match]] | None, *, error: str = "") -> None:
        self._clear_cards()
        self._reads += 1
        if found is None:
            self.enterprise_id = None if not isinstance(self.key, int) else self.key
            self.matches = []
            self._say(self.tr("The policies could not be matched: {error}").format(error=error) if error else
                      self.tr("Choose or type a company to see the policies it may qualify for.")
                      if self.key is None else self.tr("Not in the directory yet: no policies to match."))
            self.others_button.hide()
            self._update_buttons()
            self.loaded.emit(0)
            return
        self.enterprise_id, matches = found
        self.matches = list(matches)
        groups: dict[str, list[Match]] = {"eligible": [], "possible": [], "not_eligible": []}
        for match in self.matches:
            groups.setdefault(_outcome(match), []).append(match)
        eligible, possible, others = groups["eligible"], groups["possible"], groups["not_eligible"]
        self.heading.setText(self.tr("Policies for this company: {eligible} eligible, {possible} possible").format(
            eligible=len(eligible), possible=len(possible)))
        if not self.matches:
            self._say(self.tr("No current policies at this station yet (they arrive with the sync)."))
        elif not eligible and not possible:
            self._say(self.tr("None of the current policies fits this company."))
        else:
            self._say("")
        for title, group in ((self.tr("Eligible ({count})"), eligible),
                             (self.tr("May be eligible ({count}): ask the company"), possible)):
            if not group:
                continue
            self._section(title.format(count=len(group)))
            for match in group:
                card = PolicyCard(match, choosable=True, compact=self.compact)
                assert card.checkbox is not None
                card.checkbox.setChecked(self._chosen.get(match.policy.id,
                                                          _outcome(match) == "eligible"))
                card.toggled.connect(self._update_buttons)
                self.list_layout.addWidget(card)
                self.cards.append(card)
        self.others_button.setText(self.tr("Not eligible ({count})").format(count=len(others)))
        self.others_button.setVisible(bool(others))
        self.list_layout.addWidget(self.others_button)
        self.list_layout.addWidget(self.others)
        for match in others:
            card = PolicyCard(match, choosable=False, compact=self.compact)
            self.others_layout.addWidget(card)
            self.cards.append(card)
        self.list_layout.addStretch(1)
        self._update_buttons()
        self.loaded.emit(len(eligible) + len(possible))

    def _toggle_others(self, shown: bool) -> None:
        self.others.setVisible(shown)
        self.others_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def visible_titles(self) -> dict[str, list[str]]:
        """The titles listed, by outcome (what a person reads; for tests)."""
        out: dict[str, list[str]] = {}
        for card in self.cards:
            out.setdefault(str(card.property("outcome")), []).append(card.match.policy.title)
        return out

    # --- handing over ---------------------------------------------------------------------------

    def chosen(self) -> list[tuple[str, int]]:
        """The (id, version) of the policies ticked, in list order."""
        return [(c.match.policy.id, c.match.policy.version) for c in self.cards if c.chosen()]

    def set_chosen(self, policy_ids: set[str]) -> None:
        for card in self.cards:
            if card.checkbox is not None:
                card.checkbox.setChecked(card.match.policy.id in policy_ids)

    def _update_buttons(self) -> None:
        enabled = self.enterprise_id is not None and bool(self.chosen())
        for widget in (self.print_button, self.told_button):
            widget.setEnabled(enabled)
        visible = bool(self.cards) and any(c.checkbox is not None for c in self.cards)
        shown: tuple[QWidget, ...] = (self.print_button, self.told_button, self.layout_combo)
        for part in shown:
            part.setVisible(visible)

    def print_list(self, layout: str | None = None) -> None:
        """Print the chosen policies for the company (the layout in the combo unless given)."""
        chosen = self.chosen()
        if self.enterprise_id is None or not chosen:
            return
        layout = layout if layout in LAYOUTS else str(self.layout_combo.currentData())
        print_policy_list(self, self.db, self.tasks, self.enterprise_id, [pid for pid, _v in chosen], layout,
                          request=self.push_request, on_preview=self._preview_opened,
                          on_recorded=lambda record: self._recorded(record, f"print_{layout}"))

    def _preview_opened(self, dialog: PolicyListPreviewDialog) -> None:
        self.previewOpened.emit(dialog)

    def record_told(self) -> None:
        """Record that the chosen policies were explained to the company, without printing."""
        chosen = self.chosen()
        if self.enterprise_id is None or not chosen:
            return
        record_push(self.db, self.tasks, self, self.enterprise_id, chosen, "told", request=self.push_request,
                    on_recorded=lambda record: self._recorded(record, "told"))

    def _recorded(self, record: PushRecord, channel: str) -> None:
        from xuhui_desk.ui.policies.labels import channel_label

        at: Any = record.pushed_at
        when = at.astimezone(SHANGHAI).strftime("%H:%M") if isinstance(at, datetime) and at.tzinfo else ""
        self.done.setText(self.tr("Recorded: {count} policies handed over ({how}, {who} {when}).").format(
            count=len(record.policies), how=channel_label(channel), who=record.pushed_by, when=when).replace(" )", ")"))
        self.done.show()
        self.pushed.emit(channel)
