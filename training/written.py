"""Project-written example sentences (data/written/): invented news sentences, written by the project, that teach
contrasts the corpora lack. They train only: no validation, development or test figure is measured on them.

- devices.jsonl: groups of four sentences on one invented story: a device sentence (often a calm official's
  claim in reported speech), the same facts reported neutrally, a heated sentence that carries none of the three
  devices, and a free one. The corpora's device positives are mostly heated, so a model learned heat.
- stance.jsonl: groups of three sentences, each labelled toward every target of the group, where one sentence
  takes different sides toward different targets, often naming a state by an alias (Washington, Beijing). The
  public stance corpora give one target per text, so a model learned tone instead of the target.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model.stance import STANCE_LABELS
from training.annotations import PROJECT_LABELS, read_rows
from training.corpora import project_file

FOLDER = Path(__file__).resolve().parent.parent / "data" / "written"
DEVICE_ROLES = ("device", "neutral", "heated", "free")
STANCE_ROLES = ("contrast", "neutral", "swap", "free")


@dataclass(frozen=True)
class WrittenSentence:
    """One project-written device example; ``corpus``/``doc_id`` make it a row like an annotated sentence."""

    id: str
    group: str
    role: str
    text: str
    labels: tuple[str, ...]
    corpus: str = "written"

    @property
    def doc_id(self) -> str:
        return self.group


def resolve(path: str | Path) -> Path:
    return project_file(path, "written examples", "pass an existing file, or an empty value to train without them")


def load_written_devices(path: str | Path) -> list[WrittenSentence]:
    out = []
    for row in read_rows(resolve(path)):
        row = {"id": "", "labels": [], "role": "", "text": "", "group": "", **row}
        unknown = set(row["labels"]) - set(PROJECT_LABELS)
        if unknown or row["role"] not in DEVICE_ROLES or not row["text"].strip():
            raise ValueError(f"{path}: row {row.get('id')} has labels {row['labels']}, role {row['role']!r} and "
                             f"text {row['text'][:40]!r}; expected labels from {PROJECT_LABELS}, a role from "
                             f"{DEVICE_ROLES} and a text")
        out.append(WrittenSentence(row["id"], row["group"], row["role"], row["text"], tuple(row["labels"])))
    return out


def load_written_stance(path: str | Path) -> list[tuple[str, str, str, str]]:
    """(target, text, label, group) for every target of every row."""
    out = []
    for row in read_rows(resolve(path)):
        row = {"stance": {}, "role": "", "text": "", "group": "", **row}
        bad = {t: v for t, v in row["stance"].items() if v not in STANCE_LABELS or not t.strip()}
        if bad or not row["stance"] or row["role"] not in STANCE_ROLES or not row["text"].strip():
            raise ValueError(f"{path}: row {row.get('id')} has stance {bad or row['stance']}, role {row['role']!r} "
                             f"and text {row['text'][:40]!r}; expected labels from {STANCE_LABELS} toward at least "
                             f"one target, a role from {STANCE_ROLES} and a text")
        out += [(target, row["text"], label, row["group"]) for target, label in row["stance"].items()]
    return out
