"""Chinese text in the resources is Simplified Chinese without reading aids (DESIGN.md §7).

Text typed into a source file can come out in Traditional characters, or with pinyin in
brackets after some characters; ``../shared/tools/zh-normalize FILE`` fixes a file. This test
fails on either in the translations (.ts) and in every TOML and TSV file under resources/
(except the Traditional→Simplified map itself).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
# The Traditional→Simplified character map is Traditional text on purpose.
EXEMPT = {RESOURCES / "taxonomy" / "t2s_chars.tsv"}
# A pinyin annotation right after a Chinese character — a syllable in brackets, the pattern
# zh-normalize removes — and the same in full-width brackets when it carries a tone mark.
PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff])(?:\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)"
    r"|（[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]*）)"
)
CJK = re.compile(r"[\u3400-\u9fff]")


def zh_files() -> list[Path]:
    files = sorted(RESOURCES.glob("translations/*.ts"))
    files += sorted(RESOURCES.rglob("*.toml")) + sorted(RESOURCES.rglob("*.tsv"))
    return [p for p in files if p not in EXEMPT]


@pytest.fixture(scope="module")
def t2s():  # type: ignore[no-untyped-def]
    opencc = pytest.importorskip("opencc")
    return opencc.OpenCC("t2s")


def test_there_is_chinese_text_to_check() -> None:
    assert any(CJK.search(p.read_text(encoding="utf-8")) for p in zh_files())


@pytest.mark.parametrize("path", zh_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_traditional_characters(path: Path, t2s) -> None:  # type: ignore[no-untyped-def]
    bad = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if CJK.search(line) and t2s.convert(line) != line:
            bad.append(f"{path.name}:{number}: {line.strip()}  →  {t2s.convert(line).strip()}")
    assert not bad, "Traditional characters (fix with zh-normalize):\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("path", zh_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_pinyin_annotations(path: Path) -> None:
    bad = [
        f"{path.name}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PINYIN.search(line)
    ]
    assert not bad, "pinyin in brackets after Chinese characters (fix with zh-normalize):\n  " + "\n  ".join(bad)


def test_the_checks_catch_what_they_should(t2s) -> None:  # type: ignore[no-untyped-def]
    # Escapes keep this file itself free of what it looks for (zh-normalize runs on it too).
    traditional = "\u878d\u8cc7\u670d\u52d9"  # "financing services" in Traditional characters
    assert t2s.convert(traditional) != traditional
    assert PINYIN.search("融资(r\u00f3ng)服务")
    assert PINYIN.search("资\uff08z\u012b\uff09金")
    assert not PINYIN.search("服务站（XH03）")
    assert not PINYIN.search("企业(有限公司)")
    assert not PINYIN.search("人力资源（HR）")
