"""The taxonomy file loads, is valid, is Simplified Chinese, and a broken copy is refused clearly."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from xuhui_desk.resources import resource_path
from xuhui_desk.services.taxonomy import (
    CategoryCode,
    Taxonomy,
    TaxonomyError,
    default_taxonomy_path,
    load_taxonomy,
    normalize_text,
)

TAXONOMY_FILE = default_taxonomy_path()
# Same rule as shared/tools/zh-normalize: a reading aid is "(pinyin)" right after a Chinese character.
PINYIN = re.compile(r"(?<=[\u3400-\u9fff])\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)")


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def traditional_characters() -> set[str]:
    table = resource_path("taxonomy", "t2s_chars.tsv").read_text(encoding="utf-8")
    return {chr(int(line.split("\t")[0], 16)) for line in table.splitlines() if line and not line.startswith("#")}


# --------------------------------------------------------------------------- the shipped file


def test_loads_with_version_and_date(taxonomy: Taxonomy) -> None:
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", taxonomy.version)
    assert isinstance(taxonomy.updated, dt.date)
    assert taxonomy.path == TAXONOMY_FILE


def test_default_taxonomy_is_cached(taxonomy: Taxonomy) -> None:
    assert load_taxonomy() is taxonomy
    assert load_taxonomy(TAXONOMY_FILE) is not taxonomy  # an explicit path is always read afresh


def test_has_exactly_the_design_categories_in_order(taxonomy: Taxonomy) -> None:
    assert [c.value for c in taxonomy.codes] == [
        "finance", "talent", "legal", "credit", "policy", "space", "permit", "other",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "zh", "en_word"),
    [
        ("finance", "融资服务", "Financ"),
        ("talent", "人才服务", "Talent"),
        ("legal", "法律服务", "Legal"),
        ("credit", "信用服务", "Credit"),
        ("policy", "政策服务", "Polic"),
        ("space", "物业载体", "space"),
        ("permit", "政务办事", "Permit"),
        ("other", "其他诉求", "Other"),
    ],
)
def test_labels_follow_design(taxonomy: Taxonomy, code: str, zh: str, en_word: str) -> None:
    assert taxonomy.label(code) == zh
    assert taxonomy.label(CategoryCode(code), "zh_CN") == zh
    assert en_word in taxonomy.label(code, "en")
    assert en_word in taxonomy.label(code, "en_US")


def test_every_category_has_department_sla_subcategories_and_rules(taxonomy: Taxonomy) -> None:
    for category in taxonomy.categories:
        assert category.department.zh_CN and category.department.en
        assert category.sla["normal"] > 0
        assert category.subcategories, category.code
        positive = [r for r in category.rules if r.weight > 0]
        assert len(positive) >= 40, f"{category.code} has a thin lexicon ({len(positive)} rules)"


def test_departments_of_the_action_plan(taxonomy: Taxonomy) -> None:
    names = {c.code.value: c.department.zh_CN for c in taxonomy.categories}
    assert "随申融" in names["finance"]
    assert "光启人才" in names["talent"]
    assert "公共法律服务" in names["legal"]
    assert "信用修复" in names["credit"]
    assert "免申即享" in names["policy"]
    assert "一件事" in names["permit"]
    assert "企业服务中心" in names["other"]
    assert taxonomy.department_for("legal", "mediation").code == "commercial_mediation"
    assert taxonomy.department_for("legal", "contract").code == "legal_center"
    assert taxonomy.department_for("legal").code == "legal_center"


def test_sla_days_by_urgency(taxonomy: Taxonomy) -> None:
    for code in taxonomy.codes:
        normal = taxonomy.sla_days(code)
        assert taxonomy.sla_days(code, "normal") == normal
        assert 0 < taxonomy.sla_days(code, "urgent") <= normal
        assert taxonomy.sla_days(code, "no-such-urgency") == normal  # falls back to normal
    assert taxonomy.sla_days("space", "urgent") == 1


def test_lookups(taxonomy: Taxonomy) -> None:
    assert taxonomy.category("credit").code is CategoryCode.CREDIT
    sub = taxonomy.subcategory("credit_repair")
    assert sub.category is CategoryCode.CREDIT
    assert taxonomy.label("credit_repair", "zh_CN") == sub.zh_CN  # subcategory code
    assert taxonomy.label("finance_center", "en") == taxonomy.department("finance_center").en
    for bad in (lambda: taxonomy.category("misc"), lambda: taxonomy.subcategory("x"), lambda: taxonomy.label("x")):
        with pytest.raises(KeyError):
            bad()


def test_subcategory_codes_are_unique_and_owned(taxonomy: Taxonomy) -> None:
    codes = [s.code for c in taxonomy.categories for s in c.subcategories]
    assert len(codes) == len(set(codes))
    for category in taxonomy.categories:
        for sub in category.subcategories:
            assert sub.category == category.code
        for rule in category.rules:
            assert rule.category == category.code
            assert rule.subcategory is None or taxonomy.subcategory(rule.subcategory).category == category.code


def test_terms_are_stored_in_normal_form(taxonomy: Taxonomy) -> None:
    displays = {r.display: r.term for r in taxonomy.rules if r.term}
    assert displays["VC"] == "vc"
    assert displays["IPO"] == "ipo"
    assert all(r.term == normalize_text(r.term) for r in taxonomy.rules if r.term)


def test_taxonomy_text_is_simplified_chinese_without_reading_aids() -> None:
    """DESIGN §7: taxonomy labels and keyword rules are Simplified Chinese without pinyin."""
    traditional = traditional_characters()
    problems = []
    for number, line in enumerate(TAXONOMY_FILE.read_text(encoding="utf-8").splitlines(), 1):
        found = sorted({ch for ch in line if ch in traditional})
        if found or PINYIN.search(line):
            problems.append(f"line {number}: {''.join(found)} {line.strip()[:60]}")
    assert not problems, "\n".join(problems)


def test_t2s_table_matches_opencc_when_available() -> None:
    opencc = pytest.importorskip("opencc")
    simplified = "贷款担保权利与义务经营异常处罚记录资讯网络营业执照补贴奖励办公楼电梯注销许可证"
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    assert set(traditional) - set(simplified) <= traditional_characters()
    assert normalize_text(traditional) == opencc.OpenCC("t2s").convert(traditional) == simplified


def test_normalize_text() -> None:
    assert normalize_text("ＶＣ投资，ＩＰＯ！") == "vc投资 ipo"
    assert normalize_text("信用 修复  申请") == "信用修复申请"
    assert normalize_text("「随申融」平台——贷款？") == "随申融 平台 贷款"
    # \u8cb8\u6b3e = Traditional 贷款, \u71df\u696d\u57f7\u7167 = Traditional 营业执照
    assert normalize_text("\u8cb8\u6b3e") == "贷款"
    assert normalize_text("\u71df\u696d\u57f7\u7167") == "营业执照"
    assert normalize_text("  ") == ""


# --------------------------------------------------------------------------- broken copies


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = TAXONOMY_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"test fixture out of date: {old!r} occurs {text.count(old)} times"
    path = tmp_path / "taxonomy.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


OTHER_HEADER = 'code = "other"\nzh_CN = "其他诉求"'


@pytest.mark.parametrize(
    ("old", "new", "category", "field", "message"),
    [
        (OTHER_HEADER, 'code = "misc"\nzh_CN = "其他诉求"', "misc", "code", "unknown category code"),
        (OTHER_HEADER, 'code = "finance"\nzh_CN = "其他诉求"', "finance", "code", "duplicate category code"),
        ('zh_CN = "人才服务"\n', "", "talent", "zh_CN", "is missing"),
        ('en = "Legal services"', 'en = ""', "legal", "en", "non-empty"),
        (
            "sla_days = { normal = 5, urgent = 3 }",
            "sla_days = { normal = 0 }",
            "talent",
            "sla_days.normal",
            "between 1 and 365",
        ),
        (
            "sla_days = { normal = 3, urgent = 1 }",
            'sla_days = { normal = "three" }',
            "space",
            "sla_days.normal",
            "whole number",
        ),
        (
            "sla_days = { normal = 10, urgent = 5 }",
            "sla_days = { normal = 2, urgent = 5 }",
            "policy",
            "sla_days.urgent",
            "cannot be longer",
        ),
        ("sla_days = { normal = 7, urgent = 3 }", "sla_days = { urgent = 3 }", "other", "sla_days.normal", "normal"),
        ('department = "legal_center"', 'department = "nowhere"', "legal", "department", "unknown department"),
        ('department = "legal_center"\n', "", "legal", "department", "owning department"),
        (
            "regex = '影响[^ ]{0,6}(信用|征信|评级|信用评价)'",
            "regex = '影响[^ ]{0,6}(信用'",
            "credit",
            "regex",
            "invalid regular expression",
        ),
        (
            "regex = '影响[^ ]{0,6}(信用|征信|评级|信用评价)'",
            "regex = '(影响)?'",
            "credit",
            "regex",
            "matches the empty text",
        ),
        ('weight = 5\nterms = ["随申融"', 'weight = 0\nterms = ["随申融"', "finance", "weight", "non-zero"),
        ('weight = 5\nterms = ["随申融"', 'weight = "high"\nterms = ["随申融"', "finance", "weight", "number"),
        ('terms = ["随申融", ', 'terms = ["随申融", "随申融", ', "finance", "rules", "listed twice"),
        ('terms = ["随申融", ', 'terms = ["！！", ', "finance", "terms[0]", "only punctuation"),
        ('code = "mediation"', 'code = "contract"', "legal", "code", "duplicate subcategory code"),
    ],
)
def test_broken_copy_names_file_category_and_field(
    tmp_path: Path, old: str, new: str, category: str, field: str, message: str
) -> None:
    path = write_variant(tmp_path, old, new)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    error = caught.value
    text = str(error)
    assert text.startswith("taxonomy.toml: "), text
    assert f"category '{category}'" in text, text
    assert field in (error.field or ""), text
    assert message in text, text
    assert error.path == path
    assert error.category == category


def test_missing_category_is_reported(tmp_path: Path) -> None:
    text = TAXONOMY_FILE.read_text(encoding="utf-8")
    cut = text.index("# " + "=" * 75 + " other")
    path = tmp_path / "taxonomy.toml"
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(TaxonomyError, match="categories missing from the file: other"):
        load_taxonomy(path)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('version = "', 'edition = "', "version", "is missing"),
        ("\nupdated = ", '\nupdated = "last week"  # was: ', "updated", "date"),
        ("temperature = 1.6", "temperature = 0", "router.temperature", "greater than 0"),
        ("learning_min_share = 0.7", "learning_min_share = 1.5", "router.learning_min_share", "between 0 and 1"),
        (
            'keyword = "关键词「{term}」→ {category}"',
            'keyword = "关键词「{word}」"',
            "reasons.zh_CN.keyword",
            "bad placeholder",
        ),
        ('code = "finance_center"', 'code = "talent_service"', "departments[1].code", "duplicate department"),
    ],
)
def test_broken_top_level_fields(tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    path = write_variant(tmp_path, old, new)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="file not found"):
        load_taxonomy(tmp_path / "nope.toml")
    bad = tmp_path / "taxonomy.toml"
    bad.write_text("version = \n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid TOML"):
        load_taxonomy(bad)


def test_an_edited_copy_with_a_new_term_is_used(tmp_path: Path) -> None:
    """A station lead's edit takes effect: a new term routes text that matched nothing before."""
    from xuhui_desk.services.routing import Router

    text = "想咨询一下咕噜咕噜计划的申请条件"
    assert Router(load_taxonomy()).suggest(text).category is CategoryCode.OTHER
    path = write_variant(tmp_path, 'terms = ["随申融", ', 'terms = ["咕噜咕噜计划", "随申融", ')
    result = Router(load_taxonomy(path)).suggest(text)
    assert result.category is CategoryCode.FINANCE
    assert any("咕噜咕噜计划" in reason for reason in result.reasons)
