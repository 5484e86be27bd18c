"""Sentence-level framing and persuasion-technique analysis of news text.

    import model
    analyzer = model.load()                  # the shipped model; model.load("path/to/folder") for another
    docs = analyzer.predict(["full article text", ...])
    analyzer.score(["one sentence", "another"])
    model.predict([...])                     # == model.load().predict([...]) with a cached default analyzer
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything loads from local folders; never reach for a hub

from model.analyzer import SHIPPED_MODEL, Analyzer  # noqa: E402
from model.results import DocumentResult, SentenceResult  # noqa: E402

__all__ = ["Analyzer", "DocumentResult", "SentenceResult", "SHIPPED_MODEL", "load", "predict"]

_default: Analyzer | None = None


def load(path: str | os.PathLike | None = None, device: str = "auto", batch_size: int = 32) -> Analyzer:
    """An Analyzer from a model folder (default: the shipped model)."""
    return Analyzer.from_pretrained(path, device=device, batch_size=batch_size)


def predict(documents: list[str]) -> list[DocumentResult]:
    """Score documents with the shipped model, loaded once and cached."""
    global _default
    if _default is None:
        _default = load()
    return _default.predict(documents)
