"""Compatibility for ``ui/detail_view.py`` while it is being split (engineer "detail"): the
queue model moved to :mod:`xuhui_desk.ui.queue.model`. Import from there; this module goes
once detail_view imports the new path."""

from xuhui_desk.ui.queue.model import clock, request_signals, taxonomy_label, whole_workdays

__all__ = ["clock", "request_signals", "taxonomy_label", "whole_workdays"]
