"""The queue page's detail pane: one request in full (:class:`DetailView`), its actions
(:mod:`.actions`), its timeline (:mod:`.timeline`) and the narrow-pane form rows (:mod:`.forms`)."""

from xuhui_desk.ui.detail.view import DetailView

__all__ = ["DetailView"]
