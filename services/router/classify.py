"""Category, level and urgency of a report from its words, with the reasons shown.

Chinese text is cut into words with jieba, English into lower-cased word stems. Each
catalogue keyword found adds its weight to its category, divided among the categories
that share it. Confidence is the winner's share of the evidence: its squared score over
the sum of every category's squared score plus a squared prior that stands for "none of
these". Squaring lets a clear leader stand out from stray matches, while two close
categories, or one weak keyword alone, stay below the threshold and go to manual triage
instead of being guessed.
"""

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import jieba
from pydantic import BaseModel, Field

from shared.registry import Category, Grid, Level, Registry
from shared.registry.urgency import EMERGENCY_TERMS_EN, EMERGENCY_TERMS_ZH, NOT_A_FIRE

logger = logging.getLogger(__name__)

CONFIDENCE_THRESHOLD = 0.5
"""Below this the category is left to manual triage."""

# Score of "none of these": a little less than one plain keyword, so a lone plain
# keyword (weight 1.0) gets 0.61 and a lone single Chinese character (0.6) gets 0.36.
EVIDENCE_PRIOR = 0.8

PARTIAL_MATCH_FACTOR = 0.7
"""Weight kept by a keyword found inside a longer word or within one typo."""

# Only keywords this long match with a typo, and only words at most one letter shorter:
# "light" is one letter away from "fight", but "rubish" can only be "rubbish".
FUZZY_MIN_LENGTH = 7

# Multiplier for a keyword that is part of an emergency word found in the text:
# missing a real fire costs far more than a false alarm.
EMERGENCY_TERM_FACTOR = 2.0

LEVEL_RAISING_TAGS = frozenset({"school", "hospital"})
"""Grid tags that make any report there one level more serious."""

NEGATIONS_ZH = frozenset(
    {"没", "没有", "无", "未", "不", "没人", "无人", "并未", "暂无", "不是"}
)
NEGATIONS_EN = frozenset(
    {"no", "not", "nobody", "noone", "none", "without", "never", "isnt", "wasnt", "werent"}
)
HYPOTHETICAL_ZH = frozenset(
    {
        "会",
        "可能",
        "容易",
        "怕",
        "担心",
        "万一",
        "以免",
        "避免",
        "防止",
        "恐怕",
        "随时",
        "小心",
    }
)
HYPOTHETICAL_EN = frozenset(
    {
        "could",
        "might",
        "may",
        "will",
        "would",
        "if",
        "before",
        "until",
        "risk",
        "danger",
        "avoid",
    }
)
# How many words before an emergency term, within its clause, are searched for a
# negation ("nobody hurt") or a worry ("in case someone gets hurt").
CONTEXT_WINDOW = 6

Language = Literal["zh", "en", "mixed", "unknown"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ENGLISH_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
_CLAUSE_BREAK = re.compile(r"[，。！？；：、,.!?;:\n]+")


class KeywordHit(BaseModel):
    """One catalogue keyword found in the text, and what it was worth."""

    category: str
    keyword: str
    matched: str
    weight: float


class CategoryScore(BaseModel):
    """A category's total keyword score."""

    category: str
    score: float


class Explanation(BaseModel):
    """Why the classifier decided what it did, in enough detail to audit it."""

    language: Language
    source: Literal["hint", "keywords", "none"]
    hint: str | None = None
    scores: list[CategoryScore] = Field(default_factory=list)
    hits: list[KeywordHit] = Field(default_factory=list)
    emergency_terms: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)

    @property
    def summary(self) -> str:
        """The reasons as one line."""
        return "; ".join(self.reasons)


class Classification(BaseModel):
    """The classifier's answer: no category means manual triage."""

    category: str | None
    confidence: float = Field(ge=0, le=1)
    level: Level | None
    emergency: bool
    explanation: Explanation

    @property
    def needs_triage(self) -> bool:
        """Whether a person has to pick the category."""
        return self.category is None


@dataclass(frozen=True)
class _Entry:
    """A keyword as indexed: its category and its weight after sharing."""

    category: str
    keyword: str
    weight: float


@dataclass(frozen=True)
class _Index:
    """Catalogue keywords ready for matching, built once per catalogue."""

    zh: dict[str, list[_Entry]]
    en: dict[tuple[str, ...], list[_Entry]]
    zh_longest: int
    en_longest: int
    en_fuzzy: tuple[tuple[str, str], ...]


_Fingerprint = tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]

_jieba_lock = threading.Lock()
_jieba: Any = None
_jieba_words: set[str] = set()


def _segmenter(words: Iterable[str] = ()) -> Any:
    """jieba, loaded on first use, silenced, and taught ``words`` as whole words."""
    global _jieba

    with _jieba_lock:
        if _jieba is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for term in EMERGENCY_TERMS_ZH:
                if len(term) > 1:
                    tokenizer.add_word(term)
            _jieba = tokenizer
            logger.info("jieba dictionary loaded")

        for word in words:
            if word not in _jieba_words and len(word) > 1:
                _jieba.add_word(word)
                _jieba_words.add(word)
        return _jieba


def english_lemma(word: str) -> str:
    """A crude stem, applied alike to keywords and text, so word forms still match."""
    # Plurals, -ed, -ing and a final e go; verb forms keep a trailing "~", so
    # "blocked" matches "blocking" but not the noun in "block 4".
    word = word.replace("'", "").replace("’", "")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]

    stem = ""
    if len(word) > 5 and word.endswith("ing"):
        stem = word[:-3]
    elif len(word) > 4 and word.endswith("ied"):
        stem = word[:-3] + "y"
    elif len(word) > 4 and word.endswith("ed"):
        stem = word[:-2]
    if stem:
        doubled = len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz"
        word = stem[:-1] if doubled else stem

    if len(word) >= 4 and word.endswith("e"):
        word = word[:-1]
    return word + "~" if stem else word


def english_words(text: str) -> list[str]:
    """Lower-cased English word tokens, apostrophes kept inside words."""
    return _ENGLISH_WORD.findall(unicodedata.normalize("NFKC", text).lower())


def chinese_words(text: str) -> list[str]:
    """jieba's words for the Chinese runs of ``text``."""
    return [word for word in _segmenter().lcut(text, HMM=False) if _CJK.search(word)]


def detect_language(text: str) -> Language:
    """Chinese, English or mixed, counting about two characters per Chinese word."""
    chinese = len(_CJK.findall(text)) / 2
    english = sum(1 for word in english_words(text) if not word.isdigit())
    if chinese + english == 0:
        return "unknown"

    share = chinese / (chinese + english)
    if share >= 0.8:
        return "zh"
    return "en" if share <= 0.2 else "mixed"


def _zh_weight(keyword: str) -> float:
    """Longer Chinese keywords are more specific, single characters least."""
    return {1: 0.6, 2: 1.0, 3: 1.2}.get(len(keyword), 1.4)


def _en_weight(phrase: tuple[str, ...]) -> float:
    """Each extra word in an English phrase makes it more specific."""
    return 1.0 + 0.4 * (len(phrase) - 1)


def _fingerprint(categories: Sequence[Category]) -> _Fingerprint:
    """What the index depends on, so an edited catalogue gets a fresh index."""
    return tuple(
        (category.code, tuple(category.keywords_zh), tuple(category.keywords_en))
        for category in categories
    )


@lru_cache(maxsize=8)
def _index(fingerprint: _Fingerprint) -> _Index:
    """Keyword tables with each keyword's weight divided among the categories sharing it."""
    zh_owners: dict[str, set[str]] = {}
    en_owners: dict[tuple[str, ...], set[str]] = {}
    en_spelling: dict[tuple[str, ...], str] = {}
    for code, keywords_zh, keywords_en in fingerprint:
        for keyword in keywords_zh:
            zh_owners.setdefault(keyword, set()).add(code)

        for keyword in keywords_en:
            phrase = tuple(english_lemma(word) for word in english_words(keyword))
            if phrase:
                en_owners.setdefault(phrase, set()).add(code)
                en_spelling.setdefault(phrase, keyword)

    _segmenter(zh_owners)

    zh = {
        keyword: [_Entry(code, keyword, _zh_weight(keyword) / len(codes)) for code in codes]
        for keyword, codes in zh_owners.items()
    }
    en = {
        phrase: [
            _Entry(code, en_spelling[phrase], _en_weight(phrase) / len(codes))
            for code in codes
        ]
        for phrase, codes in en_owners.items()
    }
    fuzzy = tuple(
        (spelling, phrase[0])
        for phrase, spelling in en_spelling.items()
        if len(phrase) == 1 and len(spelling) >= FUZZY_MIN_LENGTH
    )

    logger.debug("keyword index built: %d zh, %d en", len(zh), len(en))
    return _Index(
        zh=zh,
        en=en,
        zh_longest=max((len(keyword) for keyword in zh), default=1),
        en_longest=max((len(phrase) for phrase in en), default=1),
        en_fuzzy=fuzzy,
    )


def _within_one_edit(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b

    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        first = diffs[0]
        swapped = len(diffs) == 2 and diffs[1] == first + 1
        return swapped and a[first] == b[first + 1] and a[first + 1] == b[first]

    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _spans(count: int, longest: int) -> Iterable[tuple[int, int]]:
    """Word spans, longest first, so a phrase wins over the words inside it."""
    for size in range(min(longest, count), 0, -1):
        for start in range(count - size + 1):
            yield start, start + size


def _match_chinese(words: list[str], index: _Index) -> list[tuple[_Entry, str, float]]:
    """Keywords equal to runs of words, then keywords inside longer unmatched words."""
    hits: list[tuple[_Entry, str, float]] = []
    used = [False] * len(words)
    for start, end in _spans(len(words), index.zh_longest):
        if any(used[start:end]):
            continue

        joined = "".join(words[start:end])
        if joined in index.zh:
            hits.extend((entry, joined, 1.0) for entry in index.zh[joined])
            used[start:end] = [True] * (end - start)

    for position, word in enumerate(words):
        if used[position] or len(word) < 3:
            continue

        for keyword, entries in index.zh.items():
            if 1 < len(keyword) < len(word) and keyword in word:
                hits.extend((entry, word, PARTIAL_MATCH_FACTOR) for entry in entries)
    return hits


def _match_english(words: list[str], index: _Index) -> list[tuple[_Entry, str, float]]:
    """Keyword phrases over word stems, then single words within one typo."""
    lemmas = [english_lemma(word) for word in words]
    bare = [lemma.rstrip("~") for lemma in lemmas]
    hits: list[tuple[_Entry, str, float]] = []
    used = [False] * len(lemmas)
    for start, end in _spans(len(lemmas), index.en_longest):
        if any(used[start:end]):
            continue

        phrase = tuple(lemmas[start:end])
        if phrase not in index.en:
            phrase = tuple(bare[start:end])
        if phrase not in index.en:
            continue

        hits.extend((entry, " ".join(words[start:end]), 1.0) for entry in index.en[phrase])
        used[start:end] = [True] * (end - start)

    for position, word in enumerate(words):
        if used[position] or len(word) < FUZZY_MIN_LENGTH - 1:
            continue

        for spelling, lemma in index.en_fuzzy:
            if _within_one_edit(word, spelling):
                entries = index.en[(lemma,)]
                hits.extend((entry, word, PARTIAL_MATCH_FACTOR) for entry in entries)
                break
    return hits


def _score(
    hits: list[tuple[_Entry, str, float]], emergencies: Sequence[str]
) -> tuple[dict[str, float], list[KeywordHit]]:
    """Sum per category, counting each keyword once at its best match."""
    best: dict[tuple[str, str], KeywordHit] = {}
    for entry, matched, factor in hits:
        spoken = matched.lower()
        urgent = any(spoken in term or term in spoken for term in emergencies)
        boost = EMERGENCY_TERM_FACTOR if urgent else 1.0
        weight = round(entry.weight * factor * boost, 3)
        key = (entry.category, entry.keyword)
        if key not in best or best[key].weight < weight:
            best[key] = KeywordHit(
                category=entry.category,
                keyword=entry.keyword,
                matched=matched,
                weight=weight,
            )

    scores: dict[str, float] = {}
    for hit in best.values():
        scores[hit.category] = scores.get(hit.category, 0.0) + hit.weight
    return scores, sorted(best.values(), key=lambda hit: -hit.weight)


def _qualified(
    before: Sequence[str], negations: frozenset[str], maybes: frozenset[str]
) -> bool:
    """Whether words just before a term deny it ("nobody hurt") or make it a worry."""
    window = before[-CONTEXT_WINDOW:]
    return any(word in negations or word in maybes for word in window)


@dataclass(frozen=True)
class _Words:
    """A text cut into clauses and words once, for keywords and emergency words alike."""

    zh_clauses: list[list[str]]
    en_clauses: list[list[str]]

    @property
    def zh(self) -> list[str]:
        """All Chinese words, in order."""
        return [word for clause in self.zh_clauses for word in clause]

    @property
    def en(self) -> list[str]:
        """All English words, in order."""
        return [word for clause in self.en_clauses for word in clause]


def _words(text: str) -> _Words:
    """Chinese and English words of each clause of a text."""
    clauses = [clause for clause in _CLAUSE_BREAK.split(text) if clause.strip()]
    return _Words(
        zh_clauses=[chinese_words(clause) for clause in clauses],
        en_clauses=[english_words(clause) for clause in clauses],
    )


def emergency_terms(text: str) -> list[str]:
    """Emergency words in the text that are neither denied nor only feared."""
    return _emergency_terms(_words(text))


def _emergency_terms(words: _Words) -> list[str]:
    """Emergency words among already cut words, skipping denied or feared ones."""
    found: list[str] = []
    for clause in words.zh_clauses:
        for position, word in enumerate(clause):
            term = next(
                (t for t in EMERGENCY_TERMS_ZH if t == word or (len(t) > 1 and t in word)),
                None,
            )
            if term and not _qualified(clause[:position], NEGATIONS_ZH, HYPOTHETICAL_ZH):
                found.append(term)

    for clause in words.en_clauses:
        english = [word.replace("'", "").replace("’", "") for word in clause]
        for start, end in _spans(len(english), 4):
            phrase = tuple(english[start:end])
            if phrase not in EMERGENCY_TERMS_EN:
                continue

            if phrase == ("fire",) and end < len(english) and english[end] in NOT_A_FIRE:
                continue

            if not _qualified(english[:start], NEGATIONS_EN, HYPOTHETICAL_EN):
                found.append(" ".join(phrase))
    return sorted(set(found))


def _hinted(hint: str | None, registry: Registry) -> Category | None:
    """The category a hint names, by category code or Open311 service code."""
    if not hint or not hint.strip():
        return None

    code = hint.strip()
    return registry.category(code) or registry.category_by_service_code(code)


def _keyword_category(
    words: _Words,
    index: _Index,
    registry: Registry,
    emergencies: Sequence[str],
    reasons: list[str],
) -> tuple[Category | None, float, list[CategoryScore], list[KeywordHit]]:
    """The best-scoring category, if its lead is convincing, with scores and hits."""
    hits = _match_chinese(words.zh, index) + _match_english(words.en, index)
    totals, keyword_hits = _score(hits, emergencies)

    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    scores = [
        CategoryScore(category=code, score=round(score, 3)) for code, score in ranked[:5]
    ]
    if not ranked:
        reasons.append("no catalogue keyword found: sent to manual triage")
        return None, 0.0, scores, []

    top, first = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    evidence = sum(score**2 for _, score in ranked) + EVIDENCE_PRIOR**2
    confidence = round(first**2 / evidence, 3)
    shown = {score.category for score in scores}
    hits_shown = [hit for hit in keyword_hits if hit.category in shown]

    matched = ", ".join(hit.matched for hit in keyword_hits if hit.category == top)
    reasons.append(
        f"best {top} {first:.2f} ({matched}), runner-up {second:.2f}; "
        f"confidence {first:.2f}² / ({' + '.join(f'{v:.2f}²' for _, v in ranked[:4])}"
        f"{' + …' if len(ranked) > 4 else ''} + {EVIDENCE_PRIOR}²) = {confidence:.2f}"
    )
    if confidence < CONFIDENCE_THRESHOLD:
        reasons.append(f"confidence below {CONFIDENCE_THRESHOLD}: sent to manual triage")
        return None, confidence, scores, hits_shown
    return registry.category(top), confidence, scores, hits_shown


def _level(
    category: Category | None, emergency: bool, grid: Grid | None, reasons: list[str]
) -> Level | None:
    """The category's level, 3 in an emergency, one up near schools and hospitals."""
    level: Level | None = category.default_level if category else None
    if category is not None:
        reasons.append(f"{category.code} defaults to level {category.default_level}")

    if emergency and level != 3:
        level = 3
        reasons.append("emergency: level 3")

    sensitive = sorted(LEVEL_RAISING_TAGS.intersection(grid.tags)) if grid else []
    if grid is not None and sensitive and level is not None and level < 3:
        raised: Level = 2 if level == 1 else 3
        reasons.append(f"grid {grid.code} is tagged {', '.join(sensitive)}: level {raised}")
        level = raised
    return level


def classify(
    text: str, hint: str | None, registry: Registry, grid: Grid | None = None
) -> Classification:
    """Decide a report's category, level and urgency from its hint and its text."""
    index = _index(_fingerprint(registry.categories))
    words = _words(text)
    language = detect_language(text)
    reasons = [f"language {language}"]

    terms = _emergency_terms(words)
    category = _hinted(hint, registry)
    scores: list[CategoryScore] = []
    hits: list[KeywordHit] = []
    if category is not None:
        confidence = 1.0
        source: Literal["hint", "keywords", "none"] = "hint"
        reasons.append(f"hint {hint!r} names category {category.code}: taken as given")
    else:
        if hint:
            reasons.append(f"hint {hint!r} is not a known category: ignored")
        category, confidence, scores, hits = _keyword_category(
            words, index, registry, terms, reasons
        )
        source = "keywords" if category is not None else "none"

    if terms:
        reasons.append(f"emergency words: {', '.join(terms)}")
    elif category is not None and category.emergency:
        reasons.append(f"{category.code} is an emergency category")
    emergency = bool(terms) or (category is not None and category.emergency)

    level = _level(category, emergency, grid, reasons)
    return Classification(
        category=category.code if category else None,
        confidence=confidence,
        level=level,
        emergency=emergency,
        explanation=Explanation(
            language=language,
            source=source,
            hint=hint,
            scores=scores,
            hits=hits,
            emergency_terms=terms,
            reasons=reasons,
        ),
    )
