"""The intake page: the form a walk-in company's request is typed into, and the cards beside it.

``form`` (:class:`IntakeForm`, the page), ``fields`` (its form card), ``lookup`` (the directory
offered as the name or credit code is typed), ``suggestion_card``, ``duplicate_banner``,
``saved_panel`` and ``recent_card``. Nothing here reads the database itself: the queries are
:mod:`xuhui_desk.services.intake`'s, run on the background task runner.
"""

from xuhui_desk.ui.intake.form import IntakeForm

__all__ = ["IntakeForm"]
