"""Company names in pinyin order, as a Chinese user expects a list of names sorted.

What it promises:

* :func:`pinyin_sort_key` turns a name into a plain string whose code-point order is the
  pinyin order of the name: each Chinese character becomes its toneless pinyin syllable
  (the most common reading of a heteronym: 乐 → le, 重 → zhong), one syllable per token,
  so 东 (dong) < 光 (guang) < 乐 (le) < 五 (wu) < 优 (you) < 余 (yu) < 云 (yun). Other
  characters keep their order, Latin letters lowercased and full-width forms made narrow
  (ＡＢＣ → abc); a run of them is one token. Tokens are separated by a space, which sorts
  before any letter or digit, so a name is compared syllable by syllable (西安 before 先).
* The key is stored beside the name (``enterprises.name_sort``, migration 0008) by every
  service that writes a name, and the queue and the directory sort by it (with the name
  itself, then the id, breaking ties), so paging through a sorted list stays a plain
  indexed ``ORDER BY``.

Only the single-character reading table of ``pypinyin`` is read, straight from its data
file: importing the ``pypinyin`` package loads its phrase dictionary too (0.4–1.1 s and
+57 MB of memory here), which a workstation does not need to sort names. The table is read
once, when the first name is written (about 0.15 s, +5 MB), never at GUI start-up.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: Where pypinyin keeps its single-character readings (code point → "zhǎng,cháng"; the most common first).
PINYIN_TABLE = "pinyin_dict.json"


def pinyin_table_path() -> Path:
    """The pypinyin data file, found without importing the package (see the module documentation)."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pypinyin is not installed (a dependency of xuhui-desk)")
    return Path(next(iter(spec.submodule_search_locations))) / PINYIN_TABLE


def _toneless(reading: str) -> str:
    # "zhǎng" → "zhang", "lǜ" → "lv" (the usual keyboard spelling, which also sorts lü after lu).
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


#: The common Chinese characters (CJK Extension A and the Unified Ideographs) are looked up in a
#: list by code point (a reference each, about 0.2 MB); the rare rest in a dict.
_BLOCK_START, _BLOCK_END = 0x3400, 0xA000


@dataclass(frozen=True)
class _Readings:
    block: list[str | None]
    rest: dict[int, str]

    def get(self, code: int) -> str | None:
        if _BLOCK_START <= code < _BLOCK_END:
            return self.block[code - _BLOCK_START]
        return self.rest.get(code)


@cache
def _readings() -> _Readings:
    """Code point → toneless syllable of its most common reading (read once per process)."""
    path = pinyin_table_path()
    if not path.is_file():  # a pypinyin release that keeps its table elsewhere: its public module
        from pypinyin.pinyin_dict import pinyin_dict as raw_table

        raw: dict[str, str] = {str(k): v for k, v in raw_table.items()}
    else:
        raw = json.loads(path.read_text(encoding="utf-8"))
    syllables: dict[str, str] = {}
    block: list[str | None] = [None] * (_BLOCK_END - _BLOCK_START)
    rest: dict[int, str] = {}
    for key, readings in raw.items():
        first = readings.split(",", 1)[0]
        if first not in syllables:
            # About 1,500 toned readings share 400 syllables: one string object each.
            syllables[first] = sys.intern(_toneless(first))
        code = int(key)
        if _BLOCK_START <= code < _BLOCK_END:
            block[code - _BLOCK_START] = syllables[first]
        else:
            rest[code] = syllables[first]
    return _Readings(block, rest)


def pinyin_sort_key(name: str) -> str:
    """The key that sorts ``name`` in pinyin order (see the module documentation)."""
    table = _readings()
    tokens: list[str] = []
    run: list[str] = []
    for char in unicodedata.normalize("NFKC", name).strip():
        syllable = table.get(ord(char))
        if syllable is None:
            if char.isspace():
                if run:
                    tokens.append("".join(run))
                    run = []
            else:
                run.append(char.lower())
            continue
        if run:
            tokens.append("".join(run))
            run = []
        tokens.append(syllable)
    if run:
        tokens.append("".join(run))
    return " ".join(tokens)
