"""Explainable routing of a request's text to a category, that learns from the station's corrections.

Two sources of evidence are added up per category and turned into confidences with a softmax:

1. **Keyword rules** from the taxonomy file (terms and regular expressions with weights). The text
   and the terms are compared in normal form (:func:`normalize_text`: half-width, lower-case,
   Simplified, no punctuation). A term hides every shorter match inside it, whatever its category
   ("信用贷款" is finance, so its "信用" no longer counts for credit). Each rule counts once per
   text. 'other' starts with a small baseline score so it wins only when nothing else matches.
2. **Learned evidence** from corrections (text → category chosen by a specialist): a character
   uni/bi/tri-gram model in the spirit of naive Bayes. For each n-gram of the new text that also
   occurs in corrected texts, the smoothed share of each category among those texts gives a log
   ratio against the uniform share; the weighted sum, divided by the square root of the text's total
   n-gram weight, is added to the rule scores with a weight that grows with the number of
   corrections (``learning_max_weight * n / (n + learning_half_at)``). N-grams never seen in a
   correction say nothing, so unrelated requests are not pulled toward corrected categories.

Every suggestion carries human-readable reasons in the UI language (templates live in the taxonomy
file). See docs/routing.md for the measured accuracy and how to tune the taxonomy.

The router reads only the first 20,000 characters of a text's normal form (after the company name
is removed); a request description is at most 4,000 characters, so this never changes the answer
for a real request, but it bounds the work when ``xuhui-desk route`` or a caller that has not
validated its input passes megabytes. Matching is O(n log n) in the length it reads anyway.

A :class:`Router` is cheap to query (well under a millisecond for a typical request) but is not
thread-safe while :meth:`Router.learn` runs; give each worker its own or serialise learning.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from xuhui_desk.services.taxonomy import (
    CategoryCode,
    Department,
    KeywordRule,
    Subcategory,
    Taxonomy,
    load_taxonomy,
    normalize_text,
)

__all__ = ["CategoryScore", "Correction", "Reason", "Router", "RoutingResult", "normalize_text"]

_MAX_REASONS = 8
# The router reads at most this many characters of a normalised text (a request description is at
# most 4,000): the rest of a huge text is ignored, so ``xuhui-desk route`` on megabytes answers fast.
_MAX_TEXT_CHARS = 20_000
# A learned contribution smaller than this (in score units) is not worth a reason line.
_LEARNED_REASON_MIN = 0.5
_COMPANY_AFFIXES = re.compile(
    r"^(上海市|上海|徐汇区|徐汇)|(股份有限公司|有限责任公司|有限公司|集团公司|集团|公司|工作室|事务所)$"
)


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


@dataclass(frozen=True)
class Correction:
    """A specialist's decision: ``text`` belongs to ``category`` (``suggested`` is what the router said)."""

    text: str
    category: CategoryCode | str
    suggested: CategoryCode | str | None = None


@dataclass(frozen=True)
class CategoryScore:
    category: CategoryCode
    confidence: float
    score: float


@dataclass(frozen=True)
class Reason:
    """One explanation line, kept as data so it can be shown in any UI language."""

    kind: str  # a template name of the taxonomy's [reasons.*] tables
    category: CategoryCode
    values: tuple[tuple[str, str | tuple[str, ...]], ...] = ()

    def render(self, taxonomy: Taxonomy, language: str | None = "zh_CN") -> str:
        separator = ", " if str(language or "").lower().startswith("en") else "、"
        values = {k: separator.join(v) if isinstance(v, tuple) else v for k, v in self.values}
        return taxonomy.reason_template(self.kind, language).format(
            category=taxonomy.label(self.category, language), **values
        )


@dataclass(frozen=True)
class RoutingResult:
    """The router's answer: every category ranked best first, with confidences that sum to 1.

    ``reasons`` are rendered in the language asked of :meth:`Router.suggest`; use
    :meth:`reasons_in` or ``to_dict(language)`` for another one. ``subcategory`` is the best guess
    inside the top category (None when no subcategory term matched); ``department`` owns the
    top category (or that subcategory). ``learned`` is true when the station's corrections
    noticeably supported the top category.
    """

    ranked: list[CategoryScore]
    reasons: list[str]
    subcategory: Subcategory | None
    department: Department
    learned: bool = False
    language: str = "zh_CN"
    reason_items: tuple[Reason, ...] = field(default=(), repr=False)
    taxonomy: Taxonomy | None = field(default=None, repr=False, compare=False)

    @property
    def category(self) -> CategoryCode:
        return self.ranked[0].category

    @property
    def confidence(self) -> float:
        return self.ranked[0].confidence

    @property
    def alternatives(self) -> list[CategoryScore]:
        return self.ranked[1:]

    def reasons_in(self, language: str | None) -> list[str]:
        """The reasons rendered in another UI language ('zh_CN' or 'en')."""
        if self.taxonomy is None or language is None:
            return list(self.reasons)
        return [item.render(self.taxonomy, language) for item in self.reason_items]

    def reasons_for(self, category: CategoryCode, language: str | None = None) -> list[str]:
        """The reasons that speak for (or against) one category, rendered in ``language``."""
        if self.taxonomy is None:
            return []
        return [item.render(self.taxonomy, language or self.language) for item in self.reason_items
                if item.category == category]

    def to_dict(self, language: str | None = None) -> dict[str, Any]:
        """JSON-ready form used by ``xuhui-desk route --json`` (reasons in ``language`` if given)."""
        return {
            "category": self.category.value,
            "confidence": round(self.confidence, 4),
            "reasons": self.reasons_in(language),
            "alternatives": [
                {"category": item.category.value, "confidence": round(item.confidence, 4)} for item in self.alternatives
            ],
            "subcategory": self.subcategory.code if self.subcategory else None,
            "department": self.department.code,
        }


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    rule: KeywordRule
    rule_id: int
    matched: str


class _Cover:
    """Which spans hide a match: ``cover(start, end)`` is true when another, longer span of the set
    contains ``[start, end)``. Built in O(n log n), each question answered in O(log n).

    A span ``(s, e)`` with ``s <= start`` and ``end <= e`` is longer unless it is ``(start, end)``
    itself, so the question is: does a span starting at ``start`` end after ``end``, or does one
    starting before ``start`` end at ``end`` or later (the largest end among them is kept per prefix)?
    """

    def __init__(self, spans: Iterable[tuple[int, int]]):
        self._longest: dict[int, int] = {}  # start -> largest end of the spans starting there
        for start, end in spans:
            if end > self._longest.get(start, end - 1):
                self._longest[start] = end
        self._starts = sorted(self._longest)
        self._reach = list(accumulate((self._longest[s] for s in self._starts), max))

    def __call__(self, start: int, end: int) -> bool:
        if self._longest.get(start, end) > end:
            return True
        before = bisect_left(self._starts, start)  # spans starting strictly before ``start``
        return before > 0 and self._reach[before - 1] >= end


@dataclass(frozen=True)
class _Partial:
    fragment: str
    category: CategoryCode
    share: float
    example: str


@dataclass
class _Evidence:
    scores: dict[CategoryCode, float]
    hits: list[_Hit] = field(default_factory=list)
    partials: list[_Partial] = field(default_factory=list)


class _CorrectionModel:
    """Character n-gram statistics of corrected texts (see the module docstring)."""

    def __init__(self, taxonomy: Taxonomy):
        settings = taxonomy.router
        self._categories = taxonomy.codes
        self._weights = settings.ngram_weights
        self._smoothing = settings.learning_smoothing
        self._min_share = settings.learning_min_share
        self._stop = re.compile("|".join(re.escape(t) for t in settings.stop_terms)) if settings.stop_terms else None
        self._counts: dict[str, Counter[CategoryCode]] = defaultdict(Counter)
        self.size = 0

    def features(self, normal: str) -> set[str]:
        """Distinct character uni/bi/tri-grams of a normalised text, stop terms removed."""
        if self._stop is not None:
            normal = self._stop.sub(" ", normal)
        grams: set[str] = set()
        for run in normal.split():
            for n in (1, 2, 3):
                if self._weights[n - 1] <= 0:
                    continue
                for i in range(len(run) - n + 1):
                    grams.add(run[i : i + n])
        return grams

    def add(self, normal: str, category: CategoryCode) -> None:
        for gram in self.features(normal):
            self._counts[gram][category] += 1
        self.size += 1

    def evidence(self, normal: str) -> tuple[dict[CategoryCode, float], dict[str, dict[CategoryCode, float]]]:
        """Per-category log-evidence of the text, and each seen n-gram's contribution."""
        totals = dict.fromkeys(self._categories, 0.0)
        per_gram: dict[str, dict[CategoryCode, float]] = {}
        if not self.size:
            return totals, per_gram
        k = len(self._categories)
        alpha = self._smoothing
        norm = 0.0
        for gram in self.features(normal):
            weight = self._weights[len(gram) - 1]
            norm += weight
            counts = self._counts.get(gram)
            if not counts:
                continue
            seen = sum(counts.values())
            shares = {c: (counts.get(c, 0) + alpha / k) / (seen + alpha) for c in self._categories}
            if max(shares.values()) < self._min_share:
                continue  # the corrections disagree about this n-gram: it says nothing
            per_gram[gram] = {c: weight * math.log(share * k) for c, share in shares.items()}
        if not per_gram:
            return totals, per_gram
        scale = 1.0 / math.sqrt(norm)
        for contributions in per_gram.values():
            for category in contributions:
                contributions[category] *= scale
                totals[category] += contributions[category]
        return totals, per_gram


class Router:
    """Suggests a category for a request text, with confidences and reasons; learns from corrections.

    ``corrections`` is the station's corrected history (oldest first); more can be added with
    :meth:`learn`. Nothing is persisted here: the caller stores corrections and passes them back.
    """

    def __init__(self, taxonomy: Taxonomy | None = None, corrections: Iterable[Correction] = ()):
        self._taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self._rules: list[KeywordRule] = list(self._taxonomy.rules)
        index: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
        by_term: dict[str, list[int]] = defaultdict(list)
        self._patterns: list[tuple[int, KeywordRule]] = []
        for rule_id, rule in enumerate(self._rules):
            if rule.term is not None:
                by_term[rule.term].append(rule_id)
            else:
                self._patterns.append((rule_id, rule))
        for term, rule_ids in by_term.items():
            index[term[0]].append((term, rule_ids))
        for entries in index.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._index = dict(index)
        self._partial_index = self._build_partial_index()
        self._model = _CorrectionModel(self._taxonomy)
        for correction in corrections:
            self.learn(correction.text, correction.category)

    @property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy

    @property
    def corrections_count(self) -> int:
        return self._model.size

    def learn(self, text: str, category: CategoryCode | str) -> None:
        """Remember that ``text`` belongs to ``category``; later suggestions for similar texts follow it."""
        code = CategoryCode(str(category))
        normal = normalize_text(text)[:_MAX_TEXT_CHARS]
        if normal:
            self._model.add(normal, code)

    def _build_partial_index(self) -> dict[str, _Partial]:
        """Two-character pieces of keyword terms that point to one category clearly enough."""
        settings = self._taxonomy.router
        if settings.partial_weight <= 0:
            return {}
        stop = set(settings.stop_terms)
        mass: dict[str, dict[CategoryCode, float]] = defaultdict(dict)
        example: dict[tuple[str, CategoryCode], str] = {}
        for rule in self._rules:
            if rule.term is None or rule.weight <= 0 or len(rule.term) < 3:
                continue
            for i in range(len(rule.term) - 1):
                piece = rule.term[i : i + 2]
                if not (_is_cjk(piece[0]) and _is_cjk(piece[1])) or piece in stop:
                    continue
                if rule.weight > mass[piece].get(rule.category, 0.0):
                    mass[piece][rule.category] = rule.weight
                    example[piece, rule.category] = rule.display
        index: dict[str, _Partial] = {}
        for piece, per_category in mass.items():
            best = max(per_category, key=lambda c: per_category[c])
            share = per_category[best] / sum(per_category.values())
            if share >= settings.partial_min_share:
                index[piece] = _Partial(piece, best, share, example[piece, best])
        return index

    # ------------------------------------------------------------------------------ matching

    def _match(self, normal: str) -> list[_Hit]:
        hits: list[_Hit] = []
        length = len(normal)
        for start, char in enumerate(normal):
            for term, rule_ids in self._index.get(char, ()):
                end = start + len(term)
                if end > length or not normal.startswith(term, start):
                    continue
                if _is_ascii_alnum(term[0]) and start > 0 and _is_ascii_alnum(normal[start - 1]):
                    continue
                if _is_ascii_alnum(term[-1]) and end < length and _is_ascii_alnum(normal[end]):
                    continue
                hits.extend(_Hit(start, end, self._rules[rule_id], rule_id, term) for rule_id in rule_ids)
        # A term hides every shorter match inside it (terms and patterns alike).
        covered = _Cover({(h.start, h.end) for h in hits})
        kept = [h for h in hits if not covered(h.start, h.end)]
        for rule_id, rule in self._patterns:
            assert rule.pattern is not None
            for found in rule.pattern.finditer(normal):
                if found.end() <= found.start():
                    continue
                if not covered(found.start(), found.end()):
                    kept.append(_Hit(found.start(), found.end(), rule, rule_id, found.group(0)))
                    break  # a rule counts once per text
        return kept

    def _rule_evidence(self, normal: str) -> _Evidence:
        scores = dict.fromkeys(self._taxonomy.codes, 0.0)
        scores[CategoryCode.OTHER] += self._taxonomy.router.other_baseline
        counted: set[int] = set()
        evidence = _Evidence(scores)
        for hit in sorted(self._match(normal), key=lambda h: (h.start, -(h.end - h.start))):
            if hit.rule_id in counted:
                continue
            counted.add(hit.rule_id)
            scores[hit.rule.category] += hit.rule.weight
            evidence.hits.append(hit)
        self._partial_evidence(normal, evidence)
        return evidence

    def _partial_evidence(self, normal: str, evidence: _Evidence) -> None:
        """Weak evidence from pieces of keyword terms in the parts of the text no rule matched."""
        if not self._partial_index:
            return
        settings = self._taxonomy.router
        covered = [False] * len(normal)
        for hit in evidence.hits:
            for i in range(hit.start, hit.end):
                covered[i] = True
        added: dict[CategoryCode, float] = defaultdict(float)
        seen: set[str] = set()
        for i in range(len(normal) - 1):
            if covered[i] or covered[i + 1]:
                continue
            piece = normal[i : i + 2]
            partial = self._partial_index.get(piece)
            if partial is None or piece in seen:
                continue
            seen.add(piece)
            gain = min(settings.partial_weight * partial.share, settings.partial_cap - added[partial.category])
            if gain <= 0:
                continue
            added[partial.category] += gain
            evidence.scores[partial.category] += gain
            evidence.partials.append(partial)

    # ------------------------------------------------------------------------------ suggesting

    def _strip_enterprise(self, normal: str, enterprise_name: str | None) -> str:
        """Words of the company's own name are not evidence ("上海信用科技有限公司" asks for a loan)."""
        if not enterprise_name:
            return normal
        name = normalize_text(enterprise_name)
        names = {name}
        short = name
        for _ in range(2):
            short = _COMPANY_AFFIXES.sub("", short)
        if len(short) >= 2:
            names.add(short)
        for candidate in sorted(names, key=len, reverse=True):
            if candidate:
                normal = normal.replace(candidate, " ")
        return normal

    def learned_weight(self) -> float:
        """Weight of the learned evidence now: grows with the number of corrections, saturating."""
        settings = self._taxonomy.router
        n = self._model.size
        return settings.learning_max_weight * n / (n + settings.learning_half_at) if n else 0.0

    def suggest(self, text: str, enterprise_name: str | None = None, language: str = "zh_CN") -> RoutingResult:
        """Rank every category for ``text`` (confidences sum to 1, best first) and say why.

        ``enterprise_name`` is removed from the text before matching so the company's own name is
        not taken as evidence. ``language`` ('zh_CN' or 'en') is the language of the reasons. Only
        the first 20,000 characters of the normalised text (company name removed) are read; the
        rest of a longer text is ignored (a request description is at most 4,000 characters).
        """
        normal = self._strip_enterprise(normalize_text(text), enterprise_name)[:_MAX_TEXT_CHARS]
        evidence = self._rule_evidence(normal)
        scores = dict(evidence.scores)
        learned_totals: dict[CategoryCode, float] = {}
        per_gram: dict[str, dict[CategoryCode, float]] = {}
        weight = self.learned_weight()
        if weight > 0:
            learned_totals, per_gram = self._model.evidence(normal)
            for category, value in learned_totals.items():
                scores[category] += weight * value
        ranked = self._rank(scores)
        top = ranked[0].category
        subcategory = self._subcategory(top, evidence.hits)
        department = self._taxonomy.department_for(top, subcategory.code if subcategory else None)
        # How much learning lifted each category above the one it favoured least.
        floor = min(learned_totals.values(), default=0.0)
        learned_gain = {c: weight * (v - floor) for c, v in learned_totals.items()}
        items = tuple(self._reasons(normal, ranked, evidence, learned_gain, per_gram))
        learned = learned_gain.get(top, 0.0) >= _LEARNED_REASON_MIN
        return RoutingResult(
            ranked=ranked,
            reasons=[item.render(self._taxonomy, language) for item in items],
            subcategory=subcategory,
            department=department,
            learned=learned,
            language=language,
            reason_items=items,
            taxonomy=self._taxonomy,
        )

    def _rank(self, scores: Mapping[CategoryCode, float]) -> list[CategoryScore]:
        temperature = self._taxonomy.router.temperature
        order = list(self._taxonomy.codes)
        peak = max(scores.values())
        exps = {c: math.exp((scores[c] - peak) / temperature) for c in order}
        total = sum(exps.values())
        ranked = [CategoryScore(c, exps[c] / total, scores[c]) for c in order]
        # Stable sort: on equal scores the taxonomy's order decides, except that 'other' goes last
        # unless it is really ahead.
        ranked.sort(key=lambda item: (-round(item.score, 9), item.category == CategoryCode.OTHER))
        return ranked

    def _subcategory(self, category: CategoryCode, hits: list[_Hit]) -> Subcategory | None:
        totals: dict[str, float] = {}
        for hit in hits:
            if hit.rule.category == category and hit.rule.subcategory and hit.rule.weight > 0:
                totals[hit.rule.subcategory] = totals.get(hit.rule.subcategory, 0.0) + hit.rule.weight
        if not totals:
            return None
        # max() keeps the first of equal totals, in the order the rules matched (as most_common did)
        return self._taxonomy.subcategory(max(totals, key=totals.__getitem__))

    # ------------------------------------------------------------------------------ reasons

    def _reasons(
        self,
        normal: str,
        ranked: list[CategoryScore],
        evidence: _Evidence,
        learned_gain: Mapping[CategoryCode, float],
        per_gram: Mapping[str, Mapping[CategoryCode, float]],
    ) -> list[Reason]:
        """Reason items: the top category's evidence first, then learning, then the runners-up."""

        def hit_reason(hit: _Hit) -> Reason:
            weight = f"{hit.rule.weight:g}"
            category = hit.rule.category
            if hit.rule.weight < 0:
                return Reason("against", category, (("term", hit.matched), ("weight", weight)))
            if hit.rule.pattern is not None:
                values = (("rule", hit.rule.display), ("match", hit.matched), ("weight", weight))
                return Reason("pattern", category, values)
            return Reason("keyword", category, (("term", hit.rule.display), ("weight", weight)))

        def reasons_for(category: CategoryCode) -> list[Reason]:
            hits = sorted((h for h in evidence.hits if h.rule.category == category), key=lambda h: -abs(h.rule.weight))
            items = [hit_reason(h) for h in hits]
            items.extend(
                Reason("partial", p.category, (("fragment", p.fragment), ("term", p.example)))
                for p in evidence.partials
                if p.category == category
            )
            return items

        top = ranked[0].category
        reasons = reasons_for(top)[: _MAX_REASONS - 2]
        if learned_gain:
            best = max(learned_gain, key=lambda c: learned_gain[c])
            if learned_gain[best] >= _LEARNED_REASON_MIN:
                examples = tuple(self._learned_examples(normal, per_gram, best)) or ("…",)
                reasons.append(Reason("learned", best, (("count", str(self._model.size)), ("examples", examples))))
        for item in ranked[1:]:
            if item.score > 0:
                reasons.extend(reasons_for(item.category))
        if not reasons:
            reasons.append(Reason("no_match", top))
        return reasons[:_MAX_REASONS]

    @staticmethod
    def _learned_examples(
        normal: str, per_gram: Mapping[str, Mapping[CategoryCode, float]], category: CategoryCode
    ) -> list[str]:
        """Spans of the text covered by n-grams (2+ characters) that speak for ``category``."""
        covered = [False] * len(normal)
        for gram, contributions in per_gram.items():
            if len(gram) < 2 or contributions.get(category, 0.0) <= 0:
                continue
            start = normal.find(gram)
            while start >= 0:
                for i in range(start, start + len(gram)):
                    covered[i] = True
                start = normal.find(gram, start + 1)
        spans: list[str] = []
        current: list[str] = []
        for char, flag in zip(normal, covered, strict=True):
            if flag:
                current.append(char)
            elif current:
                spans.append("".join(current))
                current = []
        if current:
            spans.append("".join(current))
        spans = [s.strip() for s in spans if len(s.strip()) >= 2]
        return sorted(spans, key=len, reverse=True)[:3]
