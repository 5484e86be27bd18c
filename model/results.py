"""Result types. Frozen dataclasses; later fields (voice, speaker) arrive with defaults, so callers that read the
existing fields keep working."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class StanceResult:
    """The stance of one sentence toward one target: ``favor``, ``against`` or ``none``, and all three
    probabilities."""

    label: str
    scores: dict[str, float]


@dataclass(frozen=True)
class TargetStance:
    """A document's stance toward one target, rolled up over its sentences.

    ``counts`` has the number of sentences labelled favor/against/none; ``favor`` and ``against`` are the mean
    probabilities over the sentences that concern the target (labelled favor or against); ``label`` is the side
    with the larger mean, or ``none`` when no sentence concerns the target."""

    label: str
    counts: dict[str, int]
    favor: float
    against: float


@dataclass(frozen=True)
class SentenceResult:
    """One sentence: its text, character offsets into its document (``document[start:end] == text``; for
    ``score()``, offsets into the sentence itself), the framing labels over their thresholds, every label's
    calibrated probability, and (when targets were given) its stance toward each target."""

    text: str
    start: int
    end: int
    labels: list[str]
    scores: dict[str, float]
    stance: dict[str, StanceResult] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DocumentResult:
    """One document: its sentences in order, the framing labels found anywhere in it with their counts, and
    (when targets were given) its rolled-up stance toward each target."""

    sentences: list[SentenceResult]
    label_counts: dict[str, int] = field(default_factory=dict)
    stance: dict[str, TargetStance] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return sorted(self.label_counts)

    def to_dict(self) -> dict:
        return asdict(self)
