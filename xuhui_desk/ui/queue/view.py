"""The request queue page: search, filters, counts and the table of requests.

Keyboard: Ctrl+F goes to the search box (Esc clears it, Enter or ↓ goes to the table;
a search with exactly one result opens it), Enter or a double click opens the selected
request, F5 reads the queue again. Searching waits until typing pauses
(:data:`SEARCH_DELAY_MS`) and runs in the background like every query of the queue.

Ctrl+E opens the selected request's company file (企业档案), Ctrl+P reprints its receipt
(thermal or A5, remembered), Ctrl+M shows only "my requests" (the current specialist's),
Ctrl+Shift+V saves the filters as a named view, Ctrl+Shift+E exports the list to Excel and
Ctrl+Shift+L prints it; the same actions are in the table's context menu (see ``lists``).

Signals: ``requestActivated(uuid)`` when a request is opened (Enter, double click),
``companyRequestActivated(uuid)`` when a request is opened from a company file (the main
window shows it), ``currentRequestChanged(uuid)`` when the selection moves to another request (also sent as
``request_signals().selected``, which the detail pane follows). The queue reads itself
again when ``request_signals().changed`` says a request was saved elsewhere.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QKeySequence,
    QPixmap,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from xuhui_desk.codes import Channel, Status
from xuhui_desk.db import Database
from xuhui_desk.services import labels
from xuhui_desk.services.followup import current_specialist
from xuhui_desk.services.saved_views import ViewFilter
from xuhui_desk.services.search import ATTENTION, OPEN, RequestFilter
from xuhui_desk.ui.flow_layout import wrapping_row
from xuhui_desk.ui.i18n import current_language
from xuhui_desk.ui.open_table import OpenOnEnterTable, setup_list_table
from xuhui_desk.ui.queue.columns import QueueColumns
from xuhui_desk.ui.queue.filters import DateRange, received_bounds
from xuhui_desk.ui.queue.lists import QueueLists
from xuhui_desk.ui.queue.model import (
    OVERDUE_BACKGROUND,
    SORT_KEYS,
    Column,
    RequestQueueModel,
    UuidRole,
    request_signals,
    sync_dot,
    taxonomy_label,
    urgent_badge,
)
from xuhui_desk.ui.queue.style import TABLE_STYLE, number_text, swatch
from xuhui_desk.ui.tasks import TaskRunner

SEARCH_DELAY_MS = 250
# The queue is read again this often while it is shown (overdue marks move with the clock).
AUTO_REFRESH_MS = 5 * 60 * 1000

class QueueView(QWidget):
    """The queue page (see the module documentation)."""

    requestActivated = Signal(str)
    companyRequestActivated = Signal(str)
    currentRequestChanged = Signal(str)
    # A new search, filter or sort is shown in full (from its top, nothing selected).
    listReplaced = Signal()

    def __init__(self, db: Database, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.tasks = tasks
        self.setObjectName("page")
        self.setStyleSheet(TABLE_STYLE)
        self._language = current_language()
        self.model = RequestQueueModel(db, tasks, self)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._open_single_result = False
        # A new list was asked for: show it from its top (and say so once it is complete).
        self._new_list = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 12, 12)
        layout.setSpacing(8)

        top = QHBoxLayout()
        top.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        top.addWidget(self.title)
        top.addStretch(1)
        self.counts = QLabel()
        self.counts.setObjectName("queueCounts")
        top.addWidget(self.counts)
        layout.addLayout(top)

        self.search = QLineEdit()
        self.search.setObjectName("queueSearch")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        layout.addWidget(self.search)

        # The filters wrap onto a second line when the queue is narrow (1024 px beside the detail pane).
        self.filters_row, filters = wrapping_row(spacing=6, stretch_last=True)
        self.status = QComboBox()
        self.category = QComboBox()
        self.range = QComboBox()
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
        self.date_from.setDate(QDate.currentDate().addDays(-30))
        self.dash = QLabel("–")
        self.overdue_only = QCheckBox()
        self.department = QComboBox()
        self.department.setObjectName("queueDepartment")
        self.urgency = QComboBox()
        self.channel = QComboBox()
        self.mine = QCheckBox()
        self.mine.setObjectName("queueMine")
        # The current specialist, for "my requests" (read again each time the switch is turned on).
        self._me = ""
        self.views = QComboBox()
        self.views.setObjectName("queueViews")
        self.views_button = QToolButton()
        self.views_button.setObjectName("queueViewsMenu")
        self.views_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        views_menu = QMenu(self.views_button)
        self.save_view_action = views_menu.addAction("")
        self.rename_view_action = views_menu.addAction("")
        self.delete_view_action = views_menu.addAction("")
        views_menu.addSeparator()
        self.export_action = views_menu.addAction("")
        self.print_list_action = views_menu.addAction("")
        self.views_button.setMenu(views_menu)
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("queueReset")
        for widget in (self.views, self.status, self.category, self.department, self.urgency, self.channel,
                       self.range, self.mine, self.overdue_only, self.views_button, self.reset_button):
            filters.addWidget(widget)
        layout.addWidget(self.filters_row)
        # "Between dates…": the two dates on their own line, shown only when chosen.
        self.dates_row = QWidget()
        dates = QHBoxLayout(self.dates_row)
        dates.setContentsMargins(0, 0, 0, 0)
        dates.setSpacing(6)
        self.dates_label = QLabel()
        for part in (self.dates_label, self.date_from, self.dash, self.date_to):
            dates.addWidget(part)
        dates.addStretch(1)
        layout.addWidget(self.dates_row)

        self.table = OpenOnEnterTable()
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        setup_list_table(self.table, row_height=self.fontMetrics().height() + 12)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(36)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.sectionClicked.connect(self._header_clicked)
        # Columns the user hid (header menu) and those hidden while the queue is too narrow for them.
        self.columns = QueueColumns(self, self.table, self.model)
        self._size_columns()
        self.table.viewport().installEventFilter(self)
        layout.addWidget(self.table, 1)

        self.legend_row, self.legend = wrapping_row(spacing=4, line_spacing=2)
        self.legend_row.setObjectName("queueLegend")
        self._legend_labels: list[QWidget] = []
        layout.addWidget(self.legend_row)

        self.empty = QLabel(self.table.viewport())
        self.empty.setObjectName("queueEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.hide()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filters)
        self._current_timer = QTimer(self)
        self._current_timer.setSingleShot(True)
        self._current_timer.setInterval(120)
        self._current_timer.timeout.connect(self._emit_current)
        self._auto_refresh = QTimer(self)
        self._auto_refresh.setInterval(AUTO_REFRESH_MS)
        self._auto_refresh.timeout.connect(self.refresh)
        # A request changed elsewhere (the detail pane, intake): read the queue again, once.
        self._changed_timer = QTimer(self)
        self._changed_timer.setSingleShot(True)
        self._changed_timer.setInterval(150)
        self._changed_timer.timeout.connect(self._refresh_if_shown)
        self._stale = False
        request_signals().changed.connect(self._request_changed)

        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_entered)
        self.status.currentIndexChanged.connect(self._apply_filters)
        self.category.currentIndexChanged.connect(self._apply_filters)
        self.overdue_only.toggled.connect(self._apply_filters)
        self.department.currentIndexChanged.connect(self._apply_filters)
        self.urgency.currentIndexChanged.connect(self._apply_filters)
        self.channel.currentIndexChanged.connect(self._apply_filters)
        self.mine.toggled.connect(self._mine_toggled)
        self.range.currentIndexChanged.connect(self._range_changed)
        self.date_from.dateChanged.connect(self._apply_filters)
        self.date_to.dateChanged.connect(self._apply_filters)
        self.reset_button.clicked.connect(self.clear_filters)
        self.table.opened.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._current_timer.start())
        self.model.countsChanged.connect(self._show_counts)
        self.model.loadingChanged.connect(lambda _busy: self._show_counts(self.model.total, self.model.overdue))
        self.model.refreshed.connect(self._refreshed)
        self.model.completed.connect(self._refreshed)  # Enter typed while the rest of a long list was read
        self.model.completed.connect(self._completed)
        self.model.failed.connect(self._failed)
        self.model.modelReset.connect(self._update_empty)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)

        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        shortcut.activated.connect(self.focus_search)
        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        refresh.activated.connect(self.refresh)
        self.lists = QueueLists(self)
        self.views.currentIndexChanged.connect(self.lists.picked)
        self.save_view_action.triggered.connect(self.lists.ask_save)
        self.rename_view_action.triggered.connect(self.lists.ask_rename)
        self.delete_view_action.triggered.connect(self.lists.ask_delete)
        self.export_action.triggered.connect(self.lists.ask_export)
        self.print_list_action.triggered.connect(self.lists.print_list)
        # The queue's own keys: active while the focus is in the queue (the detail pane beside it has its own).
        for keys, slot in (("Ctrl+E", self.open_company_file), ("Ctrl+P", self.reprint_receipt),
                           ("Ctrl+M", self.mine.toggle), ("Ctrl+Shift+V", self.lists.ask_save),
                           ("Ctrl+Shift+E", self.lists.ask_export), ("Ctrl+Shift+L", self.lists.print_list)):
            key = QShortcut(QKeySequence(keys), self)
            key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.activated.connect(slot)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)
        self.setFocusProxy(self.table)

        for combo in (self.status, self.category, self.range, self.department, self.urgency, self.channel,
                      self.views):
            # As wide as the current choice, so the filter row stays compact beside the detail
            # pane; the open list is as wide as its longest choice.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(1)
            combo.currentIndexChanged.connect(lambda _i, c=combo: self._fit(c))
        self._fill_choices()
        self.retranslate()
        self._range_changed()
        self.model.set_filter(self.current_filter())
        self.lists.load_views()
        tasks.run(lambda _p: current_specialist(db), on_success=self._set_me, owner=self, latest="me")

    # --- public -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the queue again in the background (keeps the place, the selection and the filters)."""
        self.model.refresh()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_filters(self) -> None:
        """Back to the default queue: open requests, every category, any date, no search."""
        self.views.blockSignals(True)
        self.views.setCurrentIndex(0)  # no view picked any more
        self.views.blockSignals(False)
        self.apply_view(ViewFilter())

    def current_filter(self) -> RequestFilter:
        """The filter the widgets describe (with the current sort)."""
        created_from, created_to = self._date_bounds()
        sort = SORT_KEYS[Column(self._sort_column)] if self._sort_column >= 0 else ATTENTION
        return RequestFilter(
            status=self.status.currentData() or None,
            category=self.category.currentData() or None,
            department=self.department.currentData() or None,
            urgency=self.urgency.currentData() or None,
            channel=self.channel.currentData() or None,
            specialist=(self._me or None) if self.mine.isChecked() else None,
            search=self.search.text().strip(),
            overdue_only=self.overdue_only.isChecked(),
            created_from=created_from,
            created_to=created_to,
            sort=sort,
            descending=self._sort_order == Qt.SortOrder.DescendingOrder if self._sort_column >= 0 else True,
        )

    def view_filter(self) -> ViewFilter:
        """The filter widgets as a saved view stores them."""
        custom = self.range.currentData() == DateRange.CUSTOM
        return ViewFilter(
            status=self.status.currentData() or "", category=self.category.currentData() or "",
            department=self.department.currentData() or "", urgency=self.urgency.currentData() or "",
            channel=self.channel.currentData() or "", mine=self.mine.isChecked(),
            overdue_only=self.overdue_only.isChecked(), received=self.range.currentData() or DateRange.ANY,
            date_from=self.date_from.date().toString("yyyy-MM-dd") if custom else "",
            date_to=self.date_to.date().toString("yyyy-MM-dd") if custom else "",
            search=self.search.text().strip())

    def apply_view(self, view: ViewFilter) -> None:
        """Set the filter widgets to ``view`` and read the queue once (a code no longer offered
        falls back to "all")."""
        combos = ((self.status, view.status), (self.category, view.category), (self.department, view.department),
                  (self.urgency, view.urgency), (self.channel, view.channel), (self.range, view.received))
        widgets = [self.search, self.mine, self.overdue_only, self.date_from, self.date_to,
                   *(combo for combo, _v in combos)]
        for widget in widgets:
            widget.blockSignals(True)
        for combo, value in combos:
            combo.setCurrentIndex(max(combo.findData(value), 0))
            self._fit(combo)
        for edit, text in ((self.date_from, view.date_from), (self.date_to, view.date_to)):
            day = QDate.fromString(text, "yyyy-MM-dd")
            if day.isValid():
                edit.setDate(day)
        self.search.setText(view.search)
        self.mine.setChecked(view.mine)
        self.overdue_only.setChecked(view.overdue_only)
        for widget in widgets:
            widget.blockSignals(False)
        if view.mine:
            self._mine_toggled(True)
        self._range_changed()

    def describe_filters(self) -> str:
        """The filters in words (the printed list's title)."""
        parts = [combo.currentText() for combo in (self.status, self.category, self.department, self.urgency,
                                                   self.channel, self.range) if combo.currentIndex() > 0
                 or combo is self.status]
        if self.range.currentData() == DateRange.CUSTOM:
            parts[-1] = f"{self.date_from.date().toString('yyyy-MM-dd')} – {self.date_to.date().toString('yyyy-MM-dd')}"
        if self.mine.isChecked():
            parts.append(self.tr("my requests ({name})").format(name=self._me))
        if self.overdue_only.isChecked():
            parts.append(self.overdue_only.text())
        if self.search.text().strip():
            parts.append(f"“{self.search.text().strip()}”")
        return "，".join(parts) if self._language == "zh_CN" else ", ".join(parts)

    def _set_me(self, name: str) -> None:
        self._me = name
        self.mine.setToolTip(self.tr("Only the requests {name} took in (Ctrl+M)").format(name=name or "—"))

    def _mine_toggled(self, on: bool) -> None:
        if not on:
            self._apply_filters()
            return

        def read_me(_progress: object) -> str:
            return current_specialist(self.db)

        def got(name: str) -> None:
            self._set_me(name)
            self._apply_filters()

        self.tasks.run(read_me, on_success=got, owner=self, latest="me")

    def say(self, text: str) -> None:
        """A short notice in the counts line (until the next count)."""
        self.counts.setText(text)

    def fit_combo(self, combo: QComboBox) -> None:
        combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
        self._fit(combo)

    # --- the selected request: its company file, its receipt ---------------------------------------------------

    def open_company_file(self) -> object | None:
        """Ctrl+E: the company file of the selected request's company (opened with ``open()``)."""
        uuid = self.current_uuid()
        if uuid is None:
            return None
        from xuhui_desk.services.request_company import company_id_of_request
        from xuhui_desk.ui.company_file.dialog import open_company_file

        db = self.db

        def opened(company: int | None) -> None:
            if company is None:
                return
            self.company_dialog = open_company_file(self, db, self.tasks, company)
            self.company_dialog.requestActivated.connect(self.companyRequestActivated)

        self.tasks.run(lambda _p: company_id_of_request(db, uuid), on_success=opened, owner=self, latest="company")
        return None

    def reprint_receipt(self) -> QMenu | None:
        """Ctrl+P: reprint the selected request's receipt (thermal or A5: a small menu, remembered)."""
        uuid = self.current_uuid()
        if uuid is None:
            return None
        from xuhui_desk.ui.reprint import choose_and_reprint

        rect = self.table.visualRect(self.table.currentIndex())
        self.reprint_menu = choose_and_reprint(self, self.db, self.tasks, uuid,
                                               self.table.viewport().mapToGlobal(rect.bottomLeft()))
        return self.reprint_menu

    def _row_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
        menu = QMenu(self)
        has_row = self.current_uuid() is not None
        for text, keys, slot, enabled in (
            (self.tr("Open"), "Enter", lambda: self._open_index(self.table.currentIndex()), has_row),
            (self.tr("Company file…"), "Ctrl+E", self.open_company_file, has_row),
            (self.tr("Reprint the receipt…"), "Ctrl+P", self.reprint_receipt, has_row),
            (None, "", None, False),
            (self.tr("Export the list to Excel…"), "Ctrl+Shift+E", self.lists.ask_export, True),
            (self.tr("Print the list…"), "Ctrl+Shift+L", self.lists.print_list, True),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.setShortcut(QKeySequence(keys))
            action.setEnabled(enabled)
            action.triggered.connect(slot)
        menu.popup(self.table.viewport().mapToGlobal(pos))
        self.row_menu = menu

    def current_uuid(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.uuid_at(index.row()) if index.isValid() else None

    def select_request(self, uuid: str) -> bool:
        """Select the request ``uuid`` when the current filter shows it."""
        row = self.model.row_of_uuid(uuid)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # --- filters ------------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        from xuhui_desk.services.taxonomy import load_taxonomy

        self.status.blockSignals(True)
        self.status.clear()
        self.status.addItem("", OPEN)
        self.status.addItem("", "")
        for status in Status:
            self.status.addItem("", status.value)
        self.status.blockSignals(False)
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem("", "")
        for category in load_taxonomy().categories:
            self.category.addItem("", str(category.code))
        self.category.blockSignals(False)
        taxonomy = load_taxonomy()
        for combo, codes in ((self.department, [str(d.code) for d in taxonomy.departments]),
                             (self.urgency, ["urgent", "normal"]),
                             (self.channel, [c.value for c in Channel])):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("", "")
            for code in codes:
                combo.addItem("", code)
            combo.blockSignals(False)
        self.range.blockSignals(True)
        self.range.clear()
        for key in (DateRange.ANY, DateRange.TODAY, DateRange.WEEK, DateRange.MONTH, DateRange.CUSTOM):
            self.range.addItem("", key)
        self.range.blockSignals(False)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Requests"))
        self.search.setPlaceholderText(self.tr("Search enterprise, credit code, tracking no. or text  (Ctrl+F)"))
        self.search.setToolTip(self.tr(
            "Every word must match. Two characters are enough (贷款, 落户). Enter goes to the results; "
            "Esc clears the search."))
        self.status.setItemText(0, self.tr("Open requests"))
        self.status.setItemText(1, self.tr("All statuses"))
        for i in range(2, self.status.count()):
            self.status.setItemText(i, labels.status_label(self.status.itemData(i), self._language))
        for i in range(1, self.category.count()):
            self.category.setItemText(i, taxonomy_label(self.category.itemData(i), self._language))
        self.status.setToolTip(self.tr("Status"))
        self.category.setItemText(0, self.tr("All categories"))
        self.category.setToolTip(self.tr("Category"))
        texts = [self.tr("Any date"), self.tr("Today"), self.tr("Last 7 days"), self.tr("Last 30 days"),
                 self.tr("Between dates…")]
        for i, text in enumerate(texts):
            self.range.setItemText(i, text)
        self.range.setToolTip(self.tr("Received"))
        self.date_from.setToolTip(self.tr("Received from (inclusive)"))
        self.date_to.setToolTip(self.tr("Received until (inclusive)"))
        self.dates_label.setText(self.tr("Received between"))
        self.overdue_only.setText(self.tr("Overdue only"))
        self.department.setItemText(0, self.tr("All departments"))
        for i in range(1, self.department.count()):
            self.department.setItemText(i, taxonomy_label(self.department.itemData(i), self._language))
        self.department.setToolTip(self.tr("Department"))
        self.urgency.setItemText(0, self.tr("Any urgency"))
        for i in range(1, self.urgency.count()):
            self.urgency.setItemText(i, labels.urgency_label(self.urgency.itemData(i), self._language))
        self.urgency.setToolTip(self.tr("Urgency"))
        self.channel.setItemText(0, self.tr("Any channel"))
        for i in range(1, self.channel.count()):
            self.channel.setItemText(i, labels.channel_label(self.channel.itemData(i), self._language))
        self.channel.setToolTip(self.tr("How the request came in"))
        self.mine.setText(self.tr("My requests"))
        self._set_me(self._me)
        if self.views.count():
            self.views.setItemText(0, self.tr("Saved views…"))
        self.views.setToolTip(self.tr("Pick a saved view: its filters are set at once"))
        self.views_button.setText(self.tr("Views && list"))
        self.views_button.setToolTip(self.tr("Save, rename or delete views; export or print the list"))
        self.save_view_action.setText(self.tr("Save the filters as a view…  (Ctrl+Shift+V)"))
        self.rename_view_action.setText(self.tr("Rename the view…"))
        self.delete_view_action.setText(self.tr("Delete the view…"))
        self.export_action.setText(self.tr("Export the list to Excel…  (Ctrl+Shift+E)"))
        self.print_list_action.setText(self.tr("Print the list…  (Ctrl+Shift+L)"))
        self.reset_button.setText(self.tr("Clear filters"))
        self.reset_button.setToolTip(self.tr("Open requests, all categories, any date, no search"))
        for combo in (self.status, self.category, self.range, self.department, self.urgency, self.channel,
                      self.views):
            combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
            self._fit(combo)
        self._show_counts(self.model.total, self.model.overdue)
        self._update_empty()
        self._fill_legend()

    def legend_groups(self) -> list[tuple[str, list[tuple[QPixmap, str]]]]:
        """What the legend under the table explains, in the current language: the three overdue
        shades, the sync dots and the urgent mark, as (caption, [(swatch, words)])."""
        from xuhui_desk.services.workdays import default_calendar

        first, second = (number_text(d) for d in default_calendar().escalation_after[:2])
        shades = [f"≤ {first}", f"{number_text(float(first) + 1)}–{second}", f"> {second}"]
        return [
            (self.tr("Overdue, working days:"),
             [(swatch(OVERDUE_BACKGROUND[level]), text) for level, text in enumerate(shades, start=1)]),
            (self.tr("Sync:"),
             [(sync_dot(state).pixmap(12, 12), labels.sync_label(state, self._language))
              for state in ("pending", "synced", "error")]),
            ("", [(urgent_badge().pixmap(14, 14), labels.urgency_label("urgent", self._language))]),
        ]

    def _fill_legend(self) -> None:
        for item in self._legend_labels:
            self.legend.removeWidget(item)
            item.deleteLater()
        self._legend_labels = []
        for caption, entries in self.legend_groups():
            # One unbreakable piece per group, so that a swatch never ends a line without its words.
            group = QWidget()
            row = QHBoxLayout(group)
            row.setContentsMargins(0, 0, 14, 0)
            row.setSpacing(4)
            if caption:
                title = QLabel(caption)
                title.setObjectName("queueLegendCaption")
                row.addWidget(title)
            for pixmap, text in entries:
                swatch = QLabel()
                swatch.setPixmap(pixmap)
                words = QLabel(text)
                words.setObjectName("queueLegendText")
                row.addWidget(swatch)
                row.addWidget(words)
            self._legend_labels.append(group)
            self.legend.addWidget(group)
        self.legend_row.setToolTip(self.tr(
            "Row shades: how many working days an open request is past its due time (escalation levels "
            "1–3). Dots: whether the district hub has the request."))

    def _fit(self, combo: QComboBox) -> None:
        combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance(combo.currentText()) + 66)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._language = current_language()
            self.retranslate()
            self.model.set_language(self._language)
            self._size_columns()
        super().changeEvent(event)

    def _range_changed(self) -> None:
        self.dates_row.setVisible(self.range.currentData() == DateRange.CUSTOM)
        self._apply_filters()

    def _date_bounds(self) -> tuple[datetime | None, datetime | None]:
        start, end = self.date_from.date().toPython(), self.date_to.date().toPython()
        assert isinstance(start, date) and isinstance(end, date)  # QDate.toPython() is typed as object
        return received_bounds(self.range.currentData(), start, end)

    def _apply_filters(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        if flt != self.model.filter:
            self._new_list = True
            self.model.set_filter(flt)

    def _search_entered(self) -> None:
        if self._search_timer.isActive() or self.model.loading:
            # Results are on their way: open the single one, or go to the table, once they arrive.
            self._open_single_result = True
            self._apply_filters()
            return
        self._go_to_results()

    def _go_to_results(self) -> None:
        self._open_single_result = False
        if self.model.rowCount() == 0:
            return
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.table.selectRow(0)
        if self.model.rowCount() == 1:
            self._open_index(self.model.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and hasattr(self, "table") and watched is self.table.viewport():
            self._fit_columns()
            return False
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self._apply_filters()
                return True
            if key == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                self.table.selectRow(max(self.table.currentIndex().row(), 0))
                return True
        return super().eventFilter(watched, event)

    # --- table --------------------------------------------------------------------------------

    def _size_columns(self) -> None:
        self.columns.size(self._language)

    def _fit_columns(self) -> None:
        self.columns.fit()

    def company_width_wanted(self) -> int:
        """The company column's width when there is room (see :class:`QueueColumns`)."""
        return self.columns.company_width_wanted()

    def set_column_shown(self, column: Column, shown: bool) -> None:
        """Show or hide a column (the header menu's choice, kept while the queue is open)."""
        self.columns.set_shown(column, shown)

    def _header_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setTitle(self.tr("Columns"))
        for column in Column:
            if column == Column.ENTERPRISE:
                continue
            action = QAction(self.model.column_title(column), menu)
            action.setCheckable(True)
            action.setChecked(int(column) not in self.columns.user_hidden)
            action.toggled.connect(lambda on, c=column: self.set_column_shown(c, on))
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction(self.tr("Queue order (overdue first)"))
        reset.triggered.connect(self._reset_sort)
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _header_clicked(self, column: int) -> None:
        """First click sorts ascending, the second descending, the third returns to the queue order."""
        header = self.table.horizontalHeader()
        if column != self._sort_column:
            self._sort_column, self._sort_order = column, Qt.SortOrder.AscendingOrder
        elif self._sort_order == Qt.SortOrder.AscendingOrder:
            self._sort_order = Qt.SortOrder.DescendingOrder
        else:
            self._reset_sort()
            return
        header.setSortIndicator(self._sort_column, self._sort_order)
        self._new_list = True
        self.model.sort(self._sort_column, self._sort_order)

    def _reset_sort(self) -> None:
        self._sort_column = -1
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._new_list = True
        self.model.reset_sort()

    def sort_by(self, column: Column, order: Qt.SortOrder) -> None:
        """Sort by ``column`` (as clicking its header does)."""
        self._sort_column, self._sort_order = int(column), order
        self.table.horizontalHeader().setSortIndicator(int(column), order)
        self._new_list = True
        self.model.sort(int(column), order)

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        uuid = self.model.data(index, UuidRole)
        if uuid:
            self.requestActivated.emit(uuid)

    def _emit_current(self) -> None:
        uuid = self.current_uuid()
        if uuid:
            self.currentRequestChanged.emit(uuid)
            request_signals().selected.emit(uuid)

    def _request_changed(self, _uuid: str) -> None:
        self._changed_timer.start()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    # --- counts, empty state ------------------------------------------------------------------

    def _show_counts(self, total: int, overdue: int) -> None:
        if self.model.loading and not self.model.rowCount():
            self.counts.setText(self.tr("Searching…"))
            self.counts.setProperty("overdue", False)
        else:
            locale = self.locale()
            self.counts.setText(self.tr("{total} requests, {overdue} overdue").format(
                total=locale.toString(total), overdue=locale.toString(overdue)))
            self.counts.setProperty("overdue", overdue > 0)
        self.counts.style().unpolish(self.counts)
        self.counts.style().polish(self.counts)

    def _refreshed(self) -> None:
        self._update_empty()
        if self._new_list:
            # A new search or filter starts at its top, not at the old list's scroll position.
            self.table.scrollToTop()
        if self._open_single_result:
            self._go_to_results()

    def _completed(self) -> None:
        if self._new_list:
            self._new_list = False
            self.listReplaced.emit()

    def shows_request(self, uuid: str) -> bool:
        """Whether the list shown (the whole of it, once complete) includes the request ``uuid``."""
        return self.model.row_of_uuid(uuid) >= 0

    def _failed(self, message: str) -> None:
        self.counts.setText(self.tr("The queue could not be read: {error}").format(error=message))

    def _update_empty(self, *_args: object) -> None:
        empty = self.model.rowCount() == 0 and not self.model.loading
        if empty:
            flt = self.model.filter
            filtered = bool(flt.search or flt.category or flt.overdue_only or flt.created_from or flt.status != OPEN
                            or flt.department or flt.urgency or flt.channel or flt.specialist)
            self.empty.setText(self.tr("No request matches these filters.") if filtered
                               else self.tr("No open requests. New intakes appear here."))
            self.empty.resize(self.table.viewport().size())
        self.empty.setVisible(empty)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.empty.resize(self.table.viewport().size())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._auto_refresh.start()
        if self._stale:
            self._stale = False
            self.refresh()

    def hideEvent(self, event: object) -> None:
        self._auto_refresh.stop()
        super().hideEvent(event)  # type: ignore[arg-type]
