"""Sentence splitting with exact character offsets.

News text is split first on line breaks (headlines, captions, bylines and paragraphs are separate lines),
then each line by pySBD, a rule-based splitter that copes with "U.S.", "Mr.", "Feb. 11" and quotations.
Offsets are computed here, by locating each sentence in the original text, so that
``text[start:end] == sentence`` always holds whatever the splitter does to whitespace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Span:
    """A sentence's character offsets into its document."""

    start: int
    end: int


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _line_sentences(line: str, offset: int) -> list[Span]:
    spans = []
    cursor = 0
    for piece in _segmenter().segment(line):
        piece = piece.strip()
        if not piece:
            continue
        found = line.find(piece, cursor)
        if found < 0:  # the splitter changed the text: keep the rest of the line whole
            rest = line[cursor:]
            stripped = rest.strip()
            if stripped:
                start = cursor + rest.index(stripped)
                spans.append(Span(offset + start, offset + start + len(stripped)))
            return spans
        spans.append(Span(offset + found, offset + found + len(piece)))
        cursor = found + len(piece)
    return spans


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text``: non-empty, in order, never overlapping, stripped of surrounding whitespace."""
    if not isinstance(text, str):
        raise TypeError(f"split_sentences expects a str, got {type(text).__name__}")
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        if line.group().strip():
            spans.extend(_line_sentences(line.group(), line.start()))
    return spans


def tokenized_batches(tokenizer, sentences: list[str], batch_size: int, max_length: int, device):
    """Yields (indices, encoded batch) over ``sentences`` in batches of similar length: padding costs CPU time."""
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        yield idx, tokenizer([sentences[j] for j in idx], padding=True, truncation=True, max_length=max_length,
                             return_tensors="pt").to(device)
