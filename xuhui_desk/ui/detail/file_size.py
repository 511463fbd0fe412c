"""A file's size as people read it (B, KB, MB; the same in Chinese), for the attachments strip
and the timeline."""

from __future__ import annotations


def file_size_text(size: object) -> str:
    """``size`` bytes as "512 B", "12 KB" or "3.4 MB"; "—" when unknown."""
    if not isinstance(size, int) or size < 0:
        return "—"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"
