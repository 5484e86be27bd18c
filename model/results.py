"""Result types. Frozen dataclasses; later fields (stance, voice, speaker) arrive with defaults, so callers that
read the existing fields keep working."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SentenceResult:
    """One sentence: its text, character offsets into its document (``document[start:end] == text``; for
    ``score()``, offsets into the sentence itself), the framing labels over their thresholds, and every label's
    calibrated probability."""

    text: str
    start: int
    end: int
    labels: list[str]
    scores: dict[str, float]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DocumentResult:
    """One document: its sentences in order, and the framing labels found anywhere in it with their counts."""

    sentences: list[SentenceResult]
    label_counts: dict[str, int] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return sorted(self.label_counts)
