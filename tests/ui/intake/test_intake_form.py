"""The intake form driven like a specialist drives it: keyboard only, real widgets, real database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from tests.ui.keyboard import type_text
from xuhui_desk.models import Enterprise, EventKind, Request, RoutingCorrection
from xuhui_desk.ui.intake import IntakeForm
from xuhui_desk.ui.tasks import TaskRunner
from xuhui_desk.validation import Issue, Severity, org_code_check_char, uscc_check_char

# The offscreen platform cannot raise windows, grab the keyboard for popups or pass size hints on;
# Qt says so as a warning, which is the platform's limit, not the program's.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
NAME = "上海云启智能科技有限公司"
LOAN = "公司计划扩大生产线，想申请500万元银行贷款，咨询有没有贴息。"


def valid_uscc(body8: str = "31245671") -> str:
    first17 = "91310104" + body8 + org_code_check_char(body8)
    return first17 + uscc_check_char(first17)


USCC = valid_uscc()


@pytest.fixture
def form(qtbot: Any, station_db: Any, tasks: TaskRunner) -> Iterator[IntakeForm]:
    widget = IntakeForm(station_db, tasks)
    qtbot.addWidget(widget)
    widget.resize(1180, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: widget.router is not None, timeout=10000)
    widget.name_edit.setFocus()
    qtbot.waitUntil(widget.name_edit.hasFocus)
    yield widget
    for timer in (widget.suggest_timer, widget.lookup_timer, widget.duplicate_timer):
        timer.stop()
    tasks.wait()


def focused() -> Any:
    return QApplication.focusWidget()


def type_and_tab(qtbot: Any, text: str) -> None:
    if text:
        type_text(qtbot, focused(), text)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def type_enterprise(qtbot: Any, form: IntakeForm, *, name: str = NAME, uscc: str = USCC,
                    contact: str = "陈晓峰", phone: str = "138 1662 0451", park: str = "漕河泾开发区",
                    building: str = "科技绿洲三期5号楼") -> None:
    assert focused() is form.name_edit
    for text in (name, uscc, contact, phone, park, building):
        type_and_tab(qtbot, text)


def count(db: Any, model: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def save_with_keyboard(qtbot: Any, form: IntakeForm) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL)


def test_intake_typed_with_the_keyboard_is_saved(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    type_enterprise(qtbot, form)
    # Tab order follows the paper form.
    assert focused() is form.channel_combo
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # walk-in → phone
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.description_edit
    type_text(qtbot, focused(), LOAN)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # Tab leaves the description instead of typing a tab
    assert "\t" not in form.description_edit.toPlainText()
    assert focused() is form.category_combo
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.urgency_combo
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # urgent
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.save_button

    qtbot.waitUntil(lambda: form.suggestion is not None, timeout=3000)
    assert form.suggestion is not None and form.suggestion.category.value == "finance"
    assert not form.suggestion_card.body.isHidden() and form.suggestion_card.reasons.text()

    save_with_keyboard(qtbot, form)
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    assert form.result is not None
    tracking_no = form.result.tracking_no
    assert re.fullmatch(r"XH03-\d{8}-001", tracking_no)
    assert form.saved_panel.tracking_label.text() == tracking_no
    assert not form.saved_panel.isHidden() and form.suggestion_card.isHidden()
    assert form.saved_panel.print_button.hasFocus()

    with station_db.session() as s:
        request = s.scalars(select(Request)).one()
        assert request.tracking_no == tracking_no
        assert request.enterprise.name == NAME
        assert request.enterprise.uscc == USCC
        assert request.enterprise.phone == "13816620451"
        assert request.enterprise.park == "漕河泾开发区"
        assert request.description == LOAN
        assert (request.category, request.suggested_category) == ("finance", "finance")
        assert (request.channel, request.urgency, request.status) == ("phone", "urgent", "new")
        assert request.specialist == "李敏"
        assert [e.kind for e in request.events] == [EventKind.CREATED]
    assert count(station_db, RoutingCorrection) == 0

    # Today's list shows it; Enter on it asks the window to open the request.
    qtbot.waitUntil(lambda: form.recent_list.count() == 1, timeout=5000)
    assert tracking_no in form.recent_list.item(0).text()
    form.recent_list.setFocus()
    form.recent_list.setCurrentRow(0)
    with qtbot.waitSignal(form.requestActivated, timeout=2000) as opened:
        qtbot.keyClick(form.recent_list, Qt.Key.Key_Return)
    assert opened.args == [form.result.uuid]


def test_accept_key_takes_the_suggestion(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    type_enterprise(qtbot, form)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), "新招的硕士想办理上海落户，咨询人才引进条件")
    qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    assert form.chosen_category() == "talent"
    assert focused() is form.urgency_combo
    save_with_keyboard(qtbot, form)
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    with station_db.session() as s:
        assert s.scalars(select(Request.category)).one() == "talent"
    assert count(station_db, RoutingCorrection) == 0


def test_bad_credit_code_is_shown_and_nothing_saved(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    type_and_tab(qtbot, NAME)
    type_and_tab(qtbot, "9131010452601815X4")
    expected = Issue("uscc", "uscc.checksum").message("en")
    assert form.issue_text("uscc") == expected
    assert form.messages["uscc"].objectName() == "fieldError"
    form.description_edit.setFocus()
    type_text(qtbot, form.description_edit, LOAN)
    save_with_keyboard(qtbot, form)
    assert form.issue_text("uscc") == expected
    assert focused() is form.uscc_edit  # the first wrong field gets the focus
    qtbot.wait(100)
    tasks_done = form.tasks.wait(5000)
    assert tasks_done
    assert form.result is None
    assert count(station_db, Request) == 0

    # Fixing the code clears the message as it is typed.
    form.uscc_edit.selectAll()
    type_text(qtbot, form.uscc_edit, USCC)
    assert form.issue_text("uscc") == ""


def test_required_fields_and_bad_phone(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    type_and_tab(qtbot, "")
    type_and_tab(qtbot, "")
    type_and_tab(qtbot, "")
    type_and_tab(qtbot, "12345")
    assert form.issue_text("phone") == Issue("phone", "phone.invalid").message("en")
    save_with_keyboard(qtbot, form)
    assert form.issue_text("enterprise_name") == Issue("enterprise_name", "text.required").message("en")
    assert form.issue_text("description") == Issue("description", "text.required").message("en")
    assert focused() is form.name_edit
    assert count(station_db, Request) == 0


def test_org_code_warning_is_amber_and_accepted_after_confirming(qtbot: Any, form: IntakeForm,
                                                                 station_db: Any) -> None:
    body = "31245671"
    wrong_org = body + ("0" if org_code_check_char(body) != "0" else "1")
    first17 = "91310104" + wrong_org
    code = first17 + uscc_check_char(first17)
    type_and_tab(qtbot, NAME)
    type_and_tab(qtbot, code)
    assert form.issue_text("uscc") == Issue("uscc", "uscc.org_code", Severity.WARNING).message("en")
    assert form.messages["uscc"].objectName() == "fieldWarning"
    form.description_edit.setFocus()
    type_text(qtbot, form.description_edit, LOAN)

    seen: list[str] = []

    def answer_with_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)  # the default button: check again (D21)

    QTimer.singleShot(0, answer_with_enter)
    save_with_keyboard(qtbot, form)
    assert seen and "organisation code" in seen[0]
    assert form.result is None and not form._saving  # Enter did not save past the warning

    def save_anyway() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        button = next(b for b in box.buttons() if b.text() == "Save anyway")
        button.click()

    QTimer.singleShot(0, save_anyway)
    form.save()
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    with station_db.session() as s:
        assert s.scalars(select(Enterprise.uscc)).one() == code


def test_code_of_another_company_is_found_even_with_an_org_code_warning(qtbot: Any, form: IntakeForm,
                                                                      station_db: Any) -> None:
    """D15: a code with the organisation-code warning that the directory has under another name:
    both warnings are shown, and saving asks about both."""
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request

    body = "31245671"
    wrong_org = body + ("0" if org_code_check_char(body) != "0" else "1")
    first17 = "91310104" + wrong_org
    code = first17 + uscc_check_char(first17)
    create_request(station_db, IntakeInput(EnterpriseInput("上海星辰数据科技有限公司", code), "咨询办公用房租金补贴"))
    type_and_tab(qtbot, "上海新客户有限公司")
    type_and_tab(qtbot, code)
    org = Issue("uscc", "uscc.org_code", Severity.WARNING).message("en")
    qtbot.waitUntil(lambda: "上海星辰数据科技有限公司" in form.issue_text("uscc"), timeout=5000)
    assert org in form.issue_text("uscc")
    assert form.messages["uscc"].objectName() == "fieldWarning"

    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    form.description_edit.setPlainText(LOAN)
    QTimer.singleShot(0, answer)
    form.save()
    assert seen and "上海星辰数据科技有限公司" in seen[0] and "organisation code" in seen[0]
    assert form.result is None
    # Another code: the conflict goes with the old code.
    form.uscc_edit.setText(USCC)
    form._check_field("uscc")
    assert "上海星辰" not in form.issue_text("uscc")


def test_override_is_recorded_as_a_correction(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    type_enterprise(qtbot, form)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), LOAN)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.category_combo
    legal = form.category_combo.findData("legal")
    for _ in range(legal):
        qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert form.chosen_category() == "legal"
    form.update_suggestion()
    assert form.suggestion is not None and form.suggestion.category.value == "finance"
    assert "correction" in form.fields.category_note.text()
    save_with_keyboard(qtbot, form)
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    with station_db.session() as s:
        request = s.scalars(select(Request)).one()
        assert (request.category, request.suggested_category) == ("legal", "finance")
        correction = s.scalars(select(RoutingCorrection)).one()
        assert (correction.suggested, correction.chosen, correction.text) == ("finance", "legal", LOAN)
        assert correction.specialist == "李敏"


def _existing_request(db: Any) -> str:
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request

    result = create_request(db, IntakeInput(EnterpriseInput(NAME, USCC), "想申请银行贷款，咨询担保的办法"))
    assert result.category == "finance"
    return result.uuid


def test_duplicate_banner_offers_a_link(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    existing = _existing_request(station_db)
    type_enterprise(qtbot, form, name="上海云启智能科技有限公司", uscc="")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, focused(), LOAN)
    qtbot.waitUntil(form.duplicate_banner_shown, timeout=5000)
    assert "XH03-" in form.duplicate_banner.text.text()
    qtbot.keyClick(focused(), Qt.Key.Key_L, ALT)
    assert form.linked_uuid == existing
    assert form.duplicate_banner.objectName() == "linkedBanner"
    save_with_keyboard(qtbot, form)
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    with station_db.session() as s:
        new = s.scalars(select(Request).where(Request.uuid == form.result.uuid)).one()  # type: ignore[union-attr]
        assert new.linked_request_uuid == existing
        assert new.enterprise.uscc == USCC  # the same company, recognised by name
    assert form.saved_panel.values["linked"].text().startswith("XH03-")


def test_duplicate_banner_can_be_dismissed(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    _existing_request(station_db)
    form.name_edit.setText(NAME)
    form.description_edit.setPlainText(LOAN)
    qtbot.waitUntil(form.duplicate_banner_shown, timeout=5000)
    form.duplicate_banner.ignore_button.click()
    assert not form.duplicate_banner_shown()
    form.save()
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    with station_db.session() as s:
        assert s.scalars(select(Request.linked_request_uuid).where(Request.uuid == form.result.uuid)).one() is None  # type: ignore[union-attr]


def test_lookup_as_you_type_fills_the_enterprise(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    from xuhui_desk.validation import name_key

    with station_db.write() as s:
        s.add(Enterprise(name=NAME, name_key=name_key(NAME), uscc=USCC, contact_name="陈晓峰", phone="13816620451",
                         park="漕河泾开发区", building="科技绿洲三期5号楼"))
        s.add(Enterprise(name="上海枫林生物医药有限公司", name_key=name_key("上海枫林生物医药有限公司")))
    type_text(qtbot, form.name_edit, "云启")
    popup = form.lookup.name_completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    assert form.lookup.name_model.rowCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert form.name_edit.text() == NAME
    assert form.uscc_edit.text() == USCC
    assert (form.contact_edit.text(), form.phone_edit.text()) == ("陈晓峰", "13816620451")
    assert (form.park_edit.text(), form.building_edit.text()) == ("漕河泾开发区", "科技绿洲三期5号楼")
    assert focused() is form.description_edit

    # By credit code too.
    form.start_new(confirm=False)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    type_text(qtbot, form.uscc_edit, USCC[:8])
    popup = form.lookup.uscc_completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert form.name_edit.text() == NAME


def test_emoji_and_huge_text(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    form.name_edit.setText("企" * 5000)
    assert len(form.name_edit.text()) == 100  # the field itself stops at the limit
    form.name_edit.setText("上海🚀火箭咖啡有限公司")
    huge = ("想申请贷款😀，" * 800)[:5000]
    form.description_edit.setPlainText(huge)
    assert "5000 / 4000" in form.fields.counter.text()
    form.update_suggestion()  # the router only reads what can be saved
    form.save()
    assert form.issue_text("description") == Issue("description", "text.too_long",
                                                   params={"limit": 4000, "length": 5000}).message("en")
    assert count(station_db, Request) == 0

    text = "想申请贷款 😀👍🏽 家庭 👨‍👩‍👧 还有 🇨🇳"
    form.description_edit.setPlainText(text)
    form.save()
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    with station_db.session() as s:
        request = s.scalars(select(Request)).one()
        assert request.description == text
        assert request.enterprise.name == "上海🚀火箭咖啡有限公司"


def test_print_receipt_and_new_intake(qtbot: Any, form: IntakeForm, station_db: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from xuhui_desk.ui import receipt_render

    shown: list[tuple[Any, str]] = []
    monkeypatch.setattr(receipt_render, "open_print_preview",
                        lambda parent, data, layout="thermal": shown.append((data, layout)) or 0)
    form.name_edit.setText(NAME)
    form.description_edit.setPlainText(LOAN)
    form.save()
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    assert form.result is not None
    with qtbot.waitSignal(form.receiptRequested, timeout=2000) as signal:
        qtbot.keyClick(focused(), Qt.Key.Key_P, CTRL)
    assert signal.args == [form.result.uuid]
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    data, layout = shown[0]
    assert data.tracking_no == form.result.tracking_no
    assert data.enterprise_name == NAME and data.station_name == "徐家汇服务站"
    assert layout == "thermal"

    # Saving again does nothing; "New intake" clears for the next company.
    form.save()
    assert count(station_db, Request) == 1
    form.saved_panel.new_button.click()
    assert form.result is None and form.name_edit.text() == "" and form.description_edit.toPlainText() == ""
    assert not form.name_edit.isReadOnly() and focused() is form.name_edit
    assert form.suggestion_card.isVisible() and form.saved_panel.isHidden()


def test_draft_survives_a_rebuild(qtbot: Any, form: IntakeForm, station_db: Any, tasks: TaskRunner) -> None:
    form.name_edit.setText(NAME)
    form.description_edit.setPlainText(LOAN)
    form.category_combo.setCurrentIndex(form.category_combo.findData("policy"))
    draft = form.draft()
    assert draft is not None
    other = IntakeForm(station_db, tasks)
    qtbot.addWidget(other)
    other.restore_draft(draft)
    qtbot.waitUntil(lambda: other.router is not None, timeout=10000)
    assert other.name_edit.text() == NAME
    assert other.description_edit.toPlainText() == LOAN
    assert other.chosen_category() == "policy"
    other.suggest_timer.stop()


def test_the_form_offers_every_channel_and_urgency_code(qapp: QApplication) -> None:
    """The lists come from xuhui_desk.codes (no copies to fall out of step with the models)."""
    from xuhui_desk.codes import Channel, Urgency
    from xuhui_desk.ui.intake.fields import IntakeFields

    fields = IntakeFields()
    try:
        assert [fields.channel_combo.itemData(i) for i in range(fields.channel_combo.count())] == list(Channel)
        assert [fields.urgency_combo.itemData(i) for i in range(fields.urgency_combo.count())] == list(Urgency)
    finally:
        fields.deleteLater()


def test_receipt_preview_stays_usable_past_the_progress_dialog_delay(qtbot: Any, form: IntakeForm) -> None:
    """D1: the real print path. The preview opens, stays usable for longer than QProgressDialog's own
    4-second auto-show, and closes; no progress box ever comes back over it."""
    from PySide6.QtWidgets import QProgressDialog

    from xuhui_desk.ui.receipt_render import ReceiptPreviewDialog

    form.name_edit.setText(NAME)
    form.description_edit.setPlainText(LOAN)
    form.save()
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)

    def previews() -> list[ReceiptPreviewDialog]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, ReceiptPreviewDialog) and w.isVisible()]

    def progress_boxes() -> list[QProgressDialog]:
        return [w for w in QApplication.allWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]

    seen: dict[str, Any] = {}

    def look_then_close() -> None:
        # Runs after 5.5 s whether or not the preview was opened in a nested event loop.
        seen["previews"] = len(previews())
        seen["progress"] = [box.labelText() for box in progress_boxes()]
        for dialog in previews():
            dialog.reject()

    QTimer.singleShot(5500, look_then_close)
    qtbot.keyClick(focused(), Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: "previews" in seen, timeout=15000)
    assert seen["previews"] == 1, "the receipt preview was not open after 5.5 s"
    assert seen["progress"] == [], f"a progress box came back over the preview: {seen['progress']}"
    qtbot.waitUntil(lambda: not previews(), timeout=5000)
    assert not progress_boxes()
    # The program is usable again: the form takes the next intake.
    form.saved_panel.new_button.click()
    assert form.result is None


def test_a_stale_lookup_never_overwrites_a_newer_one(qtbot: Any, form: IntakeForm, station_db: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The first search is slow and answers last: its matches are dropped (latest=), the newer ones stay."""
    import threading

    from xuhui_desk.services import intake as intake_service
    from xuhui_desk.validation import name_key

    with station_db.write() as s:
        for name in ("上海云启智能科技有限公司", "上海枫林生物医药有限公司"):
            s.add(Enterprise(name=name, name_key=name_key(name)))
    release = threading.Event()
    real = intake_service.lookup_enterprises

    def lookup(db: Any, typed: str, limit: int = 8) -> Any:
        if typed == "云启":
            release.wait(5)  # the older search hangs until the newer one has been shown
        return real(db, typed, limit)

    monkeypatch.setattr(intake_service, "lookup_enterprises", lookup)
    form.name_edit.setText("云启")
    form.lookup.schedule(form.name_edit)
    form.lookup.run()
    form.name_edit.setText("枫林")
    form.lookup.run()
    qtbot.waitUntil(lambda: form.lookup.name_model.rowCount() == 1, timeout=5000)
    assert "枫林" in form.lookup.name_model.item(0).text()
    # The field says 云启 again, as when the specialist types back: the old answer still must not show.
    form.name_edit.setText("云启")
    release.set()
    assert form.tasks.wait(5000)
    QApplication.processEvents()
    assert form.lookup.name_model.rowCount() == 1 and "枫林" in form.lookup.name_model.item(0).text()


def test_answers_for_a_closed_form_are_dropped(qtbot: Any, station_db: Any, tasks: TaskRunner,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """owner=: the router and today's list arrive after the form is gone; nothing runs on it."""
    import threading

    from xuhui_desk.services import intake as intake_service

    release = threading.Event()
    real = intake_service.load_station_router
    monkeypatch.setattr(intake_service, "load_station_router", lambda db: release.wait(5) and real(db))
    widget = IntakeForm(station_db, tasks)
    seen: list[str] = []
    widget.destroyed.connect(lambda: seen.append("destroyed"))
    widget.deleteLater()
    qtbot.waitUntil(lambda: seen == ["destroyed"], timeout=2000)
    release.set()
    assert tasks.wait(5000)
    QApplication.processEvents()  # would raise (RuntimeError: deleted C++ object) in a callback


def test_a_stale_duplicate_check_does_not_show_another_companys_banner(qtbot: Any, form: IntakeForm,
                                                                       station_db: Any) -> None:
    """The check for the first company answers after the name changed to one without duplicates."""
    _existing_request(station_db)
    form.description_edit.setPlainText(LOAN)
    form.update_suggestion()
    form.name_edit.setText(NAME)
    form.duplicate_timer.stop()
    form._run_duplicate_check()  # the company with an open request
    form.name_edit.setText("上海完全不同的公司")
    form.duplicate_timer.stop()
    form._run_duplicate_check()  # supersedes it
    assert form.tasks.wait(5000)
    QApplication.processEvents()
    assert not form.duplicate_banner_shown()


def test_the_company_strip_shows_the_open_requests_of_a_known_code(qtbot: Any, form: IntakeForm,
                                                                   station_db: Any) -> None:
    """Issue 14 §1: as soon as a known credit code is typed, the company's open requests show
    beside the form; Enter on one opens it; a new intake empties the strip."""
    uuid = _existing_request(station_db)
    type_and_tab(qtbot, "")  # the name stays empty: the code fills it
    form.uscc_edit.setFocus()
    type_and_tab(qtbot, USCC)
    strip = form.company_strip
    qtbot.waitUntil(lambda: strip.isVisible() and strip.lines.count() == 1, timeout=10000)
    assert form.name_edit.text() == NAME
    opened: list[str] = []
    form.requestActivated.connect(opened.append)
    strip.lines.setFocus()
    strip.lines.setCurrentRow(0)
    qtbot.keyClick(strip.lines, Qt.Key.Key_Return)
    assert opened == [uuid]
    form.start_new(confirm=False)
    qtbot.waitUntil(lambda: not strip.isVisible(), timeout=5000)


def test_ctrl_e_opens_the_file_of_the_company_typed(qtbot: Any, form: IntakeForm, station_db: Any) -> None:
    """Issue 14 §1: from intake, the company's whole file (profile, contacts, every request)."""
    from xuhui_desk.ui.company_file.dialog import CompanyFileDialog

    uuid = _existing_request(station_db)
    assert form.open_company_file() is None  # nothing typed yet: said in words, nothing opened
    form.uscc_edit.setFocus()
    type_and_tab(qtbot, USCC)
    qtbot.keyClick(form.description_edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = form.company_dialog
    assert isinstance(dialog, CompanyFileDialog)
    qtbot.waitUntil(lambda: dialog.file is not None, timeout=10000)
    assert dialog.file.profile.name == NAME and [r.uuid for r in dialog.file.requests] == [uuid]
    dialog.close()
