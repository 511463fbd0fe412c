"""Regenerate the Chinese fonts shipped under ``resources/fonts/``.

The program must show Chinese on a machine where nobody installed a Chinese
font (the GUI, the PDF receipt, the PyInstaller bundle), so it carries its own:
a subset of Noto Sans CJK SC, Regular and Bold, cut down to

* ASCII, Latin-1, general punctuation, CJK symbols and punctuation, full-width forms
  (and a few symbol blocks a form or a receipt may use);
* every character of GB 2312 (6,763 hanzi plus its symbols), found by decoding every
  GB 2312 code point with Python's ``gb2312`` codec;
* every other character found in the repository's ``resources/**/*.toml``, ``*.ts``
  and ``*.tsv`` files, so that no label or translation falls back to a system font.

The subset is renamed (family ``Xuhui Desk Sans SC``) so it never clashes with a full
Noto Sans CJK that the user may have installed; the OFL allows that and names no
reserved font name for Noto Sans CJK.

Needs the Debian package ``fonts-noto-cjk`` (or ``--source-dir`` pointing at the
``NotoSansCJK-*.ttc`` files) and fontTools, a development tool only::

    .venv/bin/pip install fonttools
    .venv/bin/python scripts/make_font_subset.py
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "resources" / "fonts"
DEFAULT_SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")

FAMILY = "Xuhui Desk Sans SC"
POSTSCRIPT_PREFIX = "XuhuiDeskSansSC"
SOURCE_FACE = "Noto Sans CJK SC"
WEIGHTS = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
MAX_BYTES = 4 * 1024 * 1024

# Blocks kept whole (those glyphs the font has).
RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x214F),  # letterlike symbols (℃, №, ™)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ Ⅲ)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (● ○ ■ □ ▲)
    (0x2600, 0x26FF),  # miscellaneous symbols (★ ☆)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK letters and months (㈠)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)
RESOURCE_PATTERNS = ("*.toml", "*.ts", "*.tsv")


def gb2312_chars() -> set[str]:
    """Every character of GB 2312, by decoding each of its two-byte code points."""
    chars: set[str] = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    code = ord(char)
    return (
        name.startswith(("CJK ", "FULLWIDTH ", "HALFWIDTH ", "IDEOGRAPHIC "))
        or 0x3000 <= code <= 0x303F
        or 0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
    )


def resource_files(root: Path) -> Iterator[Path]:
    for pattern in RESOURCE_PATTERNS:
        yield from sorted(root.rglob(pattern))


def chars_in_files(paths: Iterable[Path]) -> set[str]:
    """The CJK characters (and any non-ASCII punctuation) used in ``paths``."""
    found: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(ch for ch in text if ord(ch) > 0x7F and (_is_cjk(ch) or not ch.isalnum()))
    found.discard("\ufffd")
    return found


def wanted_codepoints(extra_chars: set[str]) -> set[int]:
    codepoints = {code for start, end in RANGES for code in range(start, end + 1)}
    codepoints.update(ord(ch) for ch in gb2312_chars())
    codepoints.update(ord(ch) for ch in extra_chars)
    return codepoints


def load_face(ttc: Path, face: str) -> TTFont:
    collection = TTCollection(str(ttc))
    for font in collection.fonts:
        if font["name"].getDebugName(1) == face:
            return font
    raise SystemExit(f"{ttc} has no face named {face!r}")


def _feature_tags(font: TTFont) -> set[str]:
    tags: set[str] = set()
    for table in ("GSUB", "GPOS"):
        if table in font and font[table].table.FeatureList is not None:
            tags.update(record.FeatureTag for record in font[table].table.FeatureList.FeatureRecord)
    return tags


def rename(font: TTFont, weight: str) -> None:
    """Give the subset its own family name (nameIDs 1-6, 16-17 and the CFF top dict)."""
    ps_name = f"{POSTSCRIPT_PREFIX}-{weight}"
    full_name = f"{FAMILY} {weight}" if weight != "Regular" else FAMILY
    version = font["name"].getDebugName(5) or ""
    names = {
        1: FAMILY,
        2: weight,
        3: f"{version.split(';')[0]};{ps_name};subset of {SOURCE_FACE}",
        4: full_name,
        6: ps_name,
    }
    table = font["name"]
    for name_id in (16, 17):
        table.removeNames(nameID=name_id)
    for name_id, value in names.items():
        table.removeNames(nameID=name_id)
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff[cff.fontNames[0]]
        cff.fontNames = [ps_name]
        top.FullName = full_name
        top.FamilyName = FAMILY
        if hasattr(top, "FontName"):
            top.FontName = ps_name
        cff.topDictIndex[0] = top


def make_subset(source: Path, weight: str, codepoints: set[int], out: Path) -> int:
    font = load_face(source, SOURCE_FACE)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep copyright, licence and trademark strings
    options.name_languages = ["*"]
    # Every OpenType feature except 'locl': its default Latin entry swaps the digits for glyphs
    # that no character maps to, so Qt's PDF writer cannot map them back to text and the
    # digits of a tracking number vanish from copy-and-paste and search in the receipt PDF.
    options.layout_features = sorted(_feature_tags(font) - {"locl"})
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    rename(font, weight)
    font.recalcTimestamp = False  # keep the source's dates: the same input gives the same bytes
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument(
        "--extra", type=Path, nargs="*", default=[], help="more text files whose characters to keep"
    )
    args = parser.parse_args(argv)

    scanned = list(resource_files(REPO / "resources")) + list(args.extra)
    extra = chars_in_files(scanned)
    codepoints = wanted_codepoints(extra)
    gb = gb2312_chars()
    print(f"GB 2312: {len(gb)} characters; {len(extra - gb)} more from {len(scanned)} resource files")

    failed = False
    for weight, ttc_name in WEIGHTS.items():
        out = args.out_dir / f"NotoSansSC-{weight}.otf"
        size = make_subset(args.source_dir / ttc_name, weight, codepoints, out)
        cmap = TTFont(str(out))["cmap"].getBestCmap()
        missing = sorted(ch for ch in extra | gb if ord(ch) not in cmap)
        print(f"{out.relative_to(REPO) if out.is_relative_to(REPO) else out}: {size / 1e6:.2f} MB, "
              f"{len(cmap)} characters")
        if missing:
            print(f"  not in {SOURCE_FACE}: {''.join(missing)}")
        if size > MAX_BYTES:
            print(f"  larger than {MAX_BYTES / 1e6:.1f} MB", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
