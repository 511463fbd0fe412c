"""The policy core (xuhui_desk/policies.py): catalogue parsing, company profiles, and matching
with every condition met, failed and unknown — the rules the hub and every station share."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuhui_desk import policies as P
from xuhui_desk.policies import CompanyProfile, Outcome
from xuhui_desk.resources import resource_path
from xuhui_desk.validation import Issue

TODAY = date(2026, 12, 6)


def policy(conditions: dict, **fields) -> P.Policy:
    body = {"id": "P-2027-001", "title": "中小企业贷款贴息", "department": "finance_center",
            "valid_from": "2026-01-01", "valid_to": "2027-12-31", "apply": "online",
            "summary": "为中小企业贷款提供贴息。", "conditions": conditions, **fields}
    return P.parse_policy(body)


FULL = CompanyProfile(industry_code="I6513", established=date(2019, 5, 20), registered_in_xuhui=True,
                      size="small", qualifications=frozenset({"高新技术企业", "科技型中小企业"}),
                      employees=42, revenue_wan=3500.0)

# condition, a value the FULL profile meets, a value it fails, the fact it reads
CASES = [
    ("industry_prefix", ["I65", "M73"], ["C"], "industry_code"),
    ("registered_in_xuhui", True, False, "registered_in_xuhui"),
    ("min_age_years", 5, 10, "established"),
    ("max_age_years", 10, 5, "established"),
    ("size", ["small", "micro"], ["large"], "size"),
    ("qualifications_any", ["专精特新", "高新技术企业"], ["专精特新"], "qualifications"),
    ("qualifications_all", ["高新技术企业", "科技型中小企业"], ["高新技术企业", "专精特新"], "qualifications"),
    ("min_employees", 10, 100, "employees"),
    ("max_employees", 100, 10, "employees"),
    ("min_revenue_wan", 1000, 5000, "revenue_wan"),
    ("max_revenue_wan", 5000, 1000, "revenue_wan"),
]


def test_the_cases_cover_every_condition_but_keywords() -> None:
    assert {c[0] for c in CASES} == set(P.CONDITION_KEYS) - {"keywords_any"}


@pytest.mark.parametrize(("key", "ok", "bad", "fact"), CASES, ids=[c[0] for c in CASES])
def test_each_condition_met_failed_and_unknown(key, ok, bad, fact) -> None:
    met = P.match_policy(FULL, policy({key: ok}), today=TODAY)
    assert met.outcome is Outcome.ELIGIBLE and met.missing == ()
    assert [r.state for r in met.reasons] == ["met"]

    failed = P.match_policy(FULL, policy({key: bad}), today=TODAY)
    assert failed.outcome is Outcome.NOT_ELIGIBLE
    assert [(r.condition, r.state, r.fact) for r in failed.reasons] == [(key, "failed", fact)]

    unknown = P.match_policy(replace(FULL, **{fact: None}), policy({key: ok}), today=TODAY)
    assert unknown.outcome is Outcome.POSSIBLE and unknown.missing == (fact,)
    assert [r.state for r in unknown.reasons] == ["unknown"]
    # Unknown is never false: even the failing requirement gives "possible", not "not eligible".
    assert P.match_policy(replace(FULL, **{fact: None}), policy({key: bad}), today=TODAY).outcome is Outcome.POSSIBLE

    for language in ("zh_CN", "en"):
        for m in (met, failed, unknown):
            text = m.reasons[0].text(language)
            assert text and f"{key}:" not in text and "{" not in text, text


def test_reasons_name_the_values_in_words() -> None:
    m = P.match_policy(FULL, policy({"size": ["medium", "large"], "min_employees": 100}), today=TODAY)
    texts = [r.text() for r in m.reasons]
    assert texts[0] == "企业规模为小型，政策面向中型、大型企业"
    assert texts[1] == "从业人数 42 人，少于政策要求的 100 人"
    assert m.reasons[1].text("en") == "42 employees, fewer than the 100 asked"


def test_age_counts_whole_years_to_the_day() -> None:
    p = policy({"min_age_years": 3})
    assert P.match_policy(replace(FULL, established=date(2023, 12, 6)), p, today=TODAY).outcome is Outcome.ELIGIBLE
    assert P.match_policy(replace(FULL, established=date(2023, 12, 7)), p, today=TODAY).outcome is Outcome.NOT_ELIGIBLE


def test_a_failure_wins_over_unknown_facts_and_missing_lists_what_to_ask() -> None:
    p = policy({"size": ["small"], "min_employees": 10, "min_revenue_wan": 100, "registered_in_xuhui": True})
    partial = CompanyProfile(size="small")
    m = P.match_policy(partial, p, today=TODAY)
    assert m.outcome is Outcome.POSSIBLE
    assert m.missing == ("registered_in_xuhui", "employees", "revenue_wan")
    assert [P.fact_label(f) for f in m.missing] == ["是否注册在徐汇", "从业人数", "营业收入（万元）"]
    assert P.match_policy(replace(partial, employees=3), p, today=TODAY).outcome is Outcome.NOT_ELIGIBLE
    assert P.match_policy(CompanyProfile(), policy({}), today=TODAY).outcome is Outcome.ELIGIBLE


def test_known_empty_qualifications_fail_unknown_ones_do_not() -> None:
    p = policy({"qualifications_any": ["专精特新"]})
    assert P.match_policy(replace(FULL, qualifications=frozenset()), p, today=TODAY).outcome is Outcome.NOT_ELIGIBLE
    assert P.match_policy(replace(FULL, qualifications=None), p, today=TODAY).outcome is Outcome.POSSIBLE


def test_keywords_decide_relevance_never_eligibility() -> None:
    p = policy({"size": ["small"], "keywords_any": ["贷款", "融资"]})
    without = P.match_policy(FULL, p, today=TODAY)
    assert without.relevant is None and without.reasons[0].condition == "size" and len(without.reasons) == 1
    hit = P.match_policy(FULL, p, today=TODAY, text="想申请银行贷款，用于扩大生产")
    assert hit.relevant is True and hit.outcome is Outcome.ELIGIBLE
    assert hit.reasons[-1].text() == "与本次诉求相关（提到：贷款）"
    miss = P.match_policy(FULL, p, today=TODAY, text="办公室漏水需要物业维修")
    assert miss.relevant is False and miss.outcome is Outcome.ELIGIBLE
    assert miss.reasons[-1].state == "failed"


def test_match_policies_keeps_current_ones_in_order() -> None:
    def make(pid: str, conditions: dict, **kw) -> P.Policy:
        return policy(conditions, id=pid, **kw)

    catalogue = [
        make("A-not", {"size": ["large"]}),
        make("B-possible", {"min_revenue_wan": 10}),
        make("C-eligible", {"size": ["small"]}),
        make("D-eligible-relevant", {"size": ["small"], "keywords_any": ["租金"]}),
        make("E-expired", {}, valid_to="2026-06-30"),
        make("F-future", {}, valid_from="2027-01-01", valid_to=None),
    ]
    profile = replace(FULL, revenue_wan=None)
    ids = [m.policy.id for m in P.match_policies(profile, catalogue, today=TODAY, text="房屋租金补贴")]
    assert ids == ["D-eligible-relevant", "C-eligible", "B-possible", "A-not"]
    assert catalogue[5].current(date(2027, 1, 1)) and not catalogue[5].current(TODAY)
    assert catalogue[4].current(date(2026, 6, 30)) and not catalogue[4].current(date(2026, 7, 1))


def test_to_json_round_trips_and_the_cli_form_has_the_contract_keys() -> None:
    p = policy({"industry_prefix": ["65", "M"], "size": ["micro", "small"], "min_employees": 10})
    assert p.conditions["industry_prefix"] == ("I65", "M")
    assert P.parse_policy(json.loads(json.dumps(p.to_json()))) == p
    out = P.match_policy(FULL, p, today=TODAY).to_json()
    assert {"policy_id", "outcome", "reasons", "missing"} <= set(out)
    assert out["outcome"] == "eligible" and all(isinstance(r, str) for r in out["reasons"])


def test_catalogue_problems_are_all_collected_with_their_place() -> None:
    bad = {"policies": [
        {"id": "P-1", "title": "", "department": "finance_center", "valid_from": "2026-13-01",
         "apply": "post", "conditions": {"size": ["tiny"], "min_age": 3, "min_employees": -1}},
        {"id": "P-2", "title": "ok", "department": "finance_center", "valid_from": "2026-01-01",
         "valid_to": "2025-01-01", "apply": "window", "link": "javascript:alert(1)",
         "conditions": {"min_revenue_wan": 500, "max_revenue_wan": 100, "industry_prefix": ["Z99"]}},
        {"id": "P-3", "title": "ok", "department": "d", "valid_from": "2026-01-01", "apply": "window"},
        {"id": "P-3", "title": "again", "department": "d", "valid_from": "2026-01-01", "apply": "window"},
    ]}
    with pytest.raises(P.CatalogueError) as caught:
        P.parse_catalogue(bad)
    text = "\n".join(caught.value.problems)
    for where in ("policies[0].title", "policies[0].valid_from", "policies[0].apply",
                  "policies[0].conditions.size", "policies[0].conditions.min_age",
                  "policies[0].conditions.min_employees", "policies[1].valid_to", "policies[1].link",
                  "policies[1].conditions: min_revenue_wan", "policies[1].conditions.industry_prefix[0]",
                  "policies[3].id: P-3 is already policies[2]"):
        assert where in text, where
    with pytest.raises(P.CatalogueError):
        P.parse_catalogue({"policies": []})
    with pytest.raises(P.CatalogueError):
        P.parse_catalogue([1, 2])


def test_industry_codes_are_normalised_to_their_section() -> None:
    assert P.normalize_industry_code("6513") == "I6513"
    assert P.normalize_industry_code(" i6513 ") == "I6513"
    assert P.normalize_industry_code("Ｉ６５") == "I65"
    assert P.normalize_industry_code("m") == "M"
    for bad in ("C6513", "99", "I65131", "x", ""):
        with pytest.raises(P.ProfileError):
            P.normalize_industry_code(bad)


def test_profile_from_json_unknown_stays_unknown_and_bad_facts_are_named() -> None:
    profile = CompanyProfile.from_json({"industry_code": "6513", "established": "2019-05-20",
                                        "registered_in_xuhui": "否", "size": "小型",
                                        "qualifications": "高新技术企业、专精特新", "employees": "42",
                                        "revenue_wan": 3500.5})
    assert profile == CompanyProfile("I6513", date(2019, 5, 20), False, "small",
                                     frozenset({"高新技术企业", "专精特新"}), 42, 3500.5)
    assert CompanyProfile.from_json(profile.to_json()) == profile
    assert CompanyProfile.from_json({"registered_in_xuhui": None, "size": ""}) == CompanyProfile()
    assert CompanyProfile.from_json({"qualifications": []}).qualifications == frozenset()
    assert CompanyProfile().to_json() == {}

    with pytest.raises(P.ProfileError) as caught:
        CompanyProfile.from_json({"employees": -3, "size": "huge", "established": "2090-01-01",
                                  "registered_in_xuhui": "maybe", "revenue_wan": float("nan"), "colour": 1},
                                 today=TODAY)
    fields = {i.field for i in caught.value.issues}
    assert fields == {"employees", "size", "established", "registered_in_xuhui", "revenue_wan", "colour"}
    for issue in caught.value.issues:
        for language in ("zh_CN", "en"):
            message = Issue(issue.field, issue.code, params=dict(issue.params)).message(language)
            assert message != issue.code and "{" not in message


def test_parse_fact_reads_form_and_roster_cells() -> None:
    assert P.parse_fact("registered_in_xuhui", "未知") is None
    assert P.parse_fact("registered_in_xuhui", "是") is True
    assert P.parse_fact("employees", " ") is None
    assert P.parse_fact("revenue_wan", "1,200.5") == 1200.5
    assert P.parse_fact("established", "2020-02-29") == date(2020, 2, 29)


def test_every_condition_and_state_has_words_in_both_languages() -> None:
    with resource_path("messages", "policies.toml").open("rb") as fh:
        catalog = tomllib.load(fh)
    assert set(catalog["zh_CN"]) == set(catalog["en"])
    for key in P.CONDITION_KEYS:
        states = ("met", "failed") if key == "keywords_any" else ("met", "failed", "unknown")
        for state in states:
            assert f"{key}.{state}" in catalog["zh_CN"], f"{key}.{state}"
    for fact in P.PROFILE_FACTS:
        assert f"fact.{fact}" in catalog["zh_CN"], fact


facts = st.fixed_dictionaries({}, optional={
    "industry_code": st.sampled_from(["I6513", "M7320", "C3911", "I"]),
    "established": st.dates(date(1990, 1, 1), TODAY),
    "registered_in_xuhui": st.booleans(),
    "size": st.sampled_from(P.SIZES),
    "qualifications": st.frozensets(st.sampled_from(P.QUALIFICATIONS[:5]), max_size=3),
    "employees": st.integers(0, 5000),
    "revenue_wan": st.floats(0, 1e6, allow_nan=False),
})
conditions = st.fixed_dictionaries({}, optional={
    "industry_prefix": st.lists(st.sampled_from(["I65", "M", "C39"]), min_size=1, max_size=2),
    "registered_in_xuhui": st.booleans(),
    "min_age_years": st.integers(0, 20), "max_age_years": st.integers(20, 40),
    "size": st.lists(st.sampled_from(P.SIZES), min_size=1, max_size=3),
    "qualifications_any": st.lists(st.sampled_from(P.QUALIFICATIONS[:5]), min_size=1, max_size=2),
    "min_employees": st.integers(0, 300), "min_revenue_wan": st.integers(0, 5000),
})


@settings(max_examples=200, deadline=None)
@given(facts, conditions, st.sampled_from(P.PROFILE_FACTS))
def test_forgetting_a_fact_never_makes_a_company_ineligible(known, conds, forget) -> None:
    """Unknown is never false: dropping a fact can only move not-eligible → possible or
    eligible → possible, never towards "not eligible"; and the same input gives the same match."""
    full = CompanyProfile(**known)
    less = replace(full, **{forget: None})
    p = policy(conds)
    before, after = P.match_policy(full, p, today=TODAY), P.match_policy(less, p, today=TODAY)
    assert before == P.match_policy(full, p, today=TODAY)
    if before.outcome is not Outcome.NOT_ELIGIBLE:
        assert after.outcome is not Outcome.NOT_ELIGIBLE
    if after.outcome is Outcome.ELIGIBLE:
        assert before.outcome is Outcome.ELIGIBLE
    assert set(after.missing) <= set(P.PROFILE_FACTS) - set(less.known())


@settings(max_examples=200, deadline=None)
@given(facts, conditions)
def test_the_quick_outcome_is_the_full_match_s(known, conds) -> None:
    profile, p = CompanyProfile(**known), policy(conds)
    assert P.outcome(profile, p, today=TODAY) is P.match_policy(profile, p, today=TODAY).outcome
    assert P.outcomes(profile, [p, p], today=TODAY) == [P.match_policy(profile, p, today=TODAY).outcome] * 2


def test_catalogue_problems_read_in_either_language() -> None:
    """The console shows a coordinator's mistakes in the page's language; every kind of problem
    the core and the hub name has its words in both (resources/messages/policies.toml)."""
    import re
    from pathlib import Path

    with pytest.raises(P.CatalogueError) as caught:
        P.parse_catalogue({"policies": [{"id": "P 1", "title": "", "department": "d", "valid_from": "2026-13-01",
                                         "apply": "post", "conditions": {"size": ["tiny"], "min_age": 3}}]})
    zh, en = caught.value.texts("zh_CN"), caught.value.problems
    assert len(zh) == len(en) >= 5
    for chinese, english in zip(zh, en, strict=True):
        assert chinese != english and "{" not in chinese and re.search(r"[\u4e00-\u9fff]", chinese), chinese
    with resource_path("messages", "policies.toml").open("rb") as fh:
        catalog = tomllib.load(fh)
    root = Path(P.__file__).parent
    source = (root / "policies.py").read_text() + (root / "hub" / "policy_catalogue.py").read_text()
    codes = set(re.findall(r'_problem\(problems, [^,]+, "(\w+)"', source))
    codes |= set(re.findall(r'Problem\([^,]+, "(\w+)"', source))
    codes |= {"whole_number", "number", "required_text", "text"}  # chosen by a condition in the call
    assert len(codes) > 20
    for code in codes:
        for language in ("zh_CN", "en"):
            assert f"problem.{code}" in catalog[language], (language, code)
