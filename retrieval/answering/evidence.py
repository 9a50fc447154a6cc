"""Which sentences answer: the lead and its support, or the decision that the evidence is too weak.

The answer abstains when the rare terms of the question are missing from the best article or
a name the question depends on is absent: quoting something loosely related is worse than
saying the archive does not say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from config.settings import AnswerSettings
from retrieval.answering.confidence import Calibration, decision_features
from retrieval.answering.scoring import (
    TYPED_KINDS,
    ScoredSentence,
    lexical_coverage,
    missing_names,
    missing_terms,
    reports_result,
)
from retrieval.question.profile import QuestionProfile
from retrieval.results import Passage
from retrieval.text.sentences import content_words, split_sentences

_FAR_FUTURE = date(9999, 12, 31)
_LONG_AGO = date(1, 1, 1)  # undated articles come last in "the latest"
NOTHING_MATCHED = "nothing in the archive matched the question"
LATEST = "latest"  # the reason of an Evidence that lists the newest articles first
# An article's best sentence must score this share of the lead's: a "latest" question names a
# topic, not a fact, so the articles about it score alike but not as one.
LATEST_SUPPORT = 0.6
LEDE_WORDS = 6  # a shorter opening is a dateline or a caption, not the lede
# Choosing the lead among typed candidates: how much the fit of its type and the coverage by
# its own words (not its title) count next to its score.
LEAD_FIT_WEIGHT = 0.2
LEAD_OWN_WEIGHT = 0.3
SAME_ARTICLE_PENALTY = 0.03  # extra sentences from other articles are preferred by this much
MAX_OVERLAP = 0.6  # share of content words above which a sentence repeats one already chosen


@dataclass(frozen=True)
class Evidence:
    """The chosen sentences and why the answer is (or is not) trusted.

    `decision` holds what the calibrated decision read (its features and `probability`), when
    it was taken."""

    chosen: tuple[ScoredSentence, ...]
    confident: bool
    reason: str
    decision: Mapping[str, float] | None = None


def choose(
    prof: QuestionProfile,
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    settings: AnswerSettings,
    article_text: Callable[[Passage], str],
    fits_kind: Callable[[ScoredSentence], float] | None = None,
    calibration: Calibration | None = None,
) -> Evidence:
    """Pick up to `max_sentences` sentences, or decide the evidence is too weak.

    A question that asks for a kind of thing (a date, a number, a name) is answered only by a
    sentence that holds one: the best such sentence leads, and when none of the strong
    candidates has one the archive does not answer it. Whether the lead is good enough is then
    one calibrated decision (`calibration`), or, without one, fixed thresholds on its support,
    its article's coverage of the question and the names it mentions.
    """
    if not scored:
        return Evidence((), False, NOTHING_MATCHED)
    if prof.outcome:
        # "Who won?" is answered by a sentence that reports a result, and not by "whoever wins
        # on Sunday will ...": a preview written before the result is evidence of the contest,
        # not of its outcome.
        scored = [c for c in scored if reports_result(prof, c.text)]
        if not scored:
            return Evidence((), False, "the closest passages do not report the outcome")
    if prof.kind in TYPED_KINDS and fits_kind is not None:
        bar = max(settings.min_support, scored[0].score * settings.typed_support)
        fits = [(c, fits_kind(c)) for c in scored if c.score >= bar]
        typed = [(c, fit) for c, fit in fits if fit > 0]
        if not typed:
            return Evidence((), False, f"the closest passages do not give {TYPED_KINDS[prof.kind]}")
        # The lead must hold the answer and say so itself: of the typed sentences, the one
        # whose own words (not just its article's title) carry the question's terms.
        lead, lead_fit = max(
            typed, key=lambda t: t[0].score + LEAD_FIT_WEIGHT * t[1] + LEAD_OWN_WEIGHT * t[0].own
        )
        scored = [lead, *[c for c in scored if c is not lead]]
    else:
        lead_fit = 0.0
    best = scored[0]
    passage = passages[best.passage_index]
    refusal, decision = _judge(
        prof, scored, passage, f"{passage.title}\n{article_text(passage)}", lead_fit,
        settings, calibration,
    )  # fmt: skip
    if refusal is not None:
        return Evidence((), False, refusal, decision)
    chosen = [best]
    floor = max(settings.min_support, best.score * settings.relative_support)
    # Prefer other articles for the extra sentences: several outlets beat several chunks of one.
    rest = sorted(
        scored[1:],
        key=lambda c: (
            -(c.score - (SAME_ARTICLE_PENALTY if c.passage_index == best.passage_index else 0.0))
        ),
    )
    for candidate in rest:
        if len(chosen) >= settings.max_sentences or candidate.score < floor:
            break
        if any(_overlap(candidate.text, c.text) > MAX_OVERLAP for c in chosen):
            continue
        chosen.append(candidate)
    return Evidence(tuple(chosen), True, "supported", decision)


def _judge(
    prof: QuestionProfile,
    scored: Sequence[ScoredSentence],
    passage: Passage,
    context: str,
    lead_fit: float,
    settings: AnswerSettings,
    calibration: Calibration | None,
) -> tuple[str | None, dict[str, float] | None]:
    """Is the lead (`scored[0]`, from `passage`, whose article is `context`) good enough?

    The fixed gates first (every name present, support and coverage above their floors), then,
    with a `calibration`, the fitted decision over the lead's features, which refuses what the
    gates let through but labelled data says is more often wrong than right. The refusal
    reason (None: answer) and what the calibrated decision read, if it was taken.
    """
    best = scored[0]
    absent = missing_names(prof, context)
    coverage = lexical_coverage(prof, context)
    if absent:
        return f"the closest article does not mention {', '.join(absent)}", None
    if best.score < settings.min_support or coverage < settings.min_coverage:
        return "the closest passages do not answer the question", None
    if calibration is None:
        return None, None
    decision = decision_features(
        score=best.score,
        semantic=best.semantic,
        lead_coverage=best.lexical,
        own_coverage=best.own,
        article_coverage=coverage,
        names=prof.names,
        names_absent=absent,
        term_weights={t: prof.weight(t) for t in prof.terms},
        lead_missing=missing_terms(prof, f"{passage.title}. {best.text}"),
        next_score=scored[1].score if len(scored) > 1 else None,
        typed_fit=lead_fit,
        rank=best.passage_index,
    )
    decision["probability"] = calibration.probability(decision)
    if decision["probability"] >= calibration.threshold:
        return None, decision
    return "the closest passages may not answer it (low confidence)", decision


def combine(
    answers: Sequence[tuple[Evidence, str | None]], max_sentences: int
) -> tuple[Evidence, str | None]:
    """One reply for a compound question: the lead sentence of each answered part first, then
    their other sentences while there is room; short answers joined with "; "."""
    answered = [(e, short) for e, short in answers if e.confident]
    if not answered:
        return answers[0][0], None
    chosen: list[ScoredSentence] = []
    for evidence, _ in answered:
        if evidence.chosen[0].text not in {c.text for c in chosen}:
            chosen.append(evidence.chosen[0])
    for evidence, _ in answered:
        for extra in evidence.chosen[1:]:
            if len(chosen) >= max(max_sentences, len(answered)):
                break
            if extra.text not in {c.text for c in chosen}:
                chosen.append(extra)
    shorts = [short for _, short in answered if short]
    decision = answered[0][0].decision
    return Evidence(tuple(chosen), True, "supported", decision), "; ".join(shorts) or None


def choose_timeline(
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    settings: AnswerSettings,
    steps: int = 6,
) -> Evidence:
    """The best sentence of each of several dated articles, oldest first: one line per step."""
    if not scored or scored[0].score < settings.min_support:
        return Evidence((), False, "the closest passages do not tell this story")
    floor = max(settings.min_support * 0.9, scored[0].score * 0.75)
    per_article: dict[str, ScoredSentence] = {}
    for candidate in scored:
        article = passages[candidate.passage_index].article_id
        if candidate.score >= floor and article not in per_article:
            per_article[article] = candidate
    chosen = sorted(
        list(per_article.values())[:steps],
        key=lambda c: (passages[c.passage_index].published or _FAR_FUTURE, c.passage_index),
    )
    return Evidence(tuple(chosen), True, "timeline")


def choose_latest(
    prof: QuestionProfile,
    evidence: Evidence,
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    settings: AnswerSettings,
    article_text: Callable[[Passage], str],
) -> Evidence:
    """ "The latest on X": of the articles whose best sentence answers nearly as well as the
    lead (and that mention every name asked about), the newest first, one sentence each.

    Recency orders only what answers: a newer article about something else never leads."""
    if not evidence.confident:
        return evidence
    floor = max(settings.min_support, evidence.chosen[0].score * LATEST_SUPPORT)
    per_article: dict[str, ScoredSentence] = {}
    for candidate in scored:
        passage = passages[candidate.passage_index]
        if candidate.score < floor or passage.article_id in per_article:
            continue
        context = f"{passage.title}\n{article_text(passage)}"
        if missing_names(prof, context) or lexical_coverage(prof, context) < settings.min_coverage:
            continue
        per_article[passage.article_id] = _lede(candidate, passages)
    if not per_article:
        return evidence
    newest = sorted(
        per_article.values(),
        key=lambda c: (-(passages[c.passage_index].published or _LONG_AGO).toordinal(), -c.score),
    )
    return Evidence(tuple(newest[: settings.max_sentences]), True, LATEST, evidence.decision)


def _lede(candidate: ScoredSentence, passages: Sequence[Passage]) -> ScoredSentence:
    """The first sentence of the candidate's article in its place, when the article's opening
    passage is among `passages`: news says what happened first, and "the latest on X" asks
    what happened."""
    article = passages[candidate.passage_index].article_id
    index = next(
        (i for i, p in enumerate(passages) if p.article_id == article and p.position == 0), None
    )
    if index is None:
        return candidate
    opening = next(
        (s for s in split_sentences(passages[index].text) if len(s.split()) >= LEDE_WORDS), None
    )
    if opening is None:
        return candidate
    return replace(candidate, text=opening, passage_index=index)


def _overlap(a: str, b: str) -> float:
    wa, wb = set(content_words(a)), set(content_words(b))
    return len(wa & wb) / max(1, min(len(wa), len(wb)))
