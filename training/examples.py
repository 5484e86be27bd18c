"""Sentence examples: articles split into sentences, technique spans projected onto them, split by story."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from model.sentences import split_sentences
from training.corpora import Article, story_key

MIN_OVERLAP_CHARS = 2  # a span touching a sentence by a character or less is an offset artefact, not a label


@dataclass(frozen=True)
class SentenceExample:
    corpus: str
    doc_id: str
    start: int
    end: int
    text: str
    labels: tuple[str, ...]
    paragraph: int  # index of the paragraph (line) in the article; -1 when the corpus has no paragraph labels


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _paragraph_index(article: Article, start: int) -> int:
    for i, (p_start, p_end, _) in enumerate(article.paragraphs):
        if p_start <= start < max(p_end, p_start + 1):
            return i
    return -1


def article_sentences(article: Article) -> list[SentenceExample]:
    """Every sentence of ``article`` with the labels of the spans that overlap it."""
    examples = []
    for span in split_sentences(article.text):
        labels = sorted({label for label, s, e in article.spans
                         if _overlap(s, e, span.start, span.end) >= min(MIN_OVERLAP_CHARS, e - s)})
        examples.append(SentenceExample(article.corpus, article.doc_id, span.start, span.end,
                                        article.text[span.start:span.end], tuple(labels),
                                        _paragraph_index(article, span.start)))
    return examples


def hash_fraction(key: str) -> float:
    """A number in [0, 1) fixed by ``key``: deterministic splits that need no stored lists."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def is_validation(article: Article, val_fraction: float, seed: int) -> bool:
    """Deterministic split by story, so two ids of one story always land on the same side."""
    return hash_fraction(f"{seed}:{story_key(article)}") < val_fraction


def split_articles(articles: list[Article], val_fraction: float, seed: int) -> tuple[list[Article], list[Article]]:
    """(train, validation); an article id present in several corpora goes to one side only."""
    train, val = [], []
    side: dict[str, bool] = {}
    for article in articles:
        in_val = side.setdefault(article.doc_id, is_validation(article, val_fraction, seed))
        (val if in_val else train).append(article)
    return train, val
