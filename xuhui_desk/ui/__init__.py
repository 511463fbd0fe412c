"""The desktop GUI (PySide6 widgets). Nothing outside ``xuhui_desk.ui`` imports it."""

# First, before any of the GUI's modules imports the rest of the program: without it PySide6
# keeps the source text of every module imported after it (about 20 MB; see source_scan).
from xuhui_desk.ui.source_scan import scan_sources_without_caching

scan_sources_without_caching()
