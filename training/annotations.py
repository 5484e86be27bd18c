"""The project's own stand-off annotations (data/annotations/*.jsonl): rows point into corpus articles by
corpus, document id and character offsets; the text is rebuilt from the unpacked corpus, never stored here."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from training.corpora import Article

PROJECT_LABELS = ("blame_shifting", "goodwill_claim", "victimhood")


@dataclass(frozen=True)
class AnnotatedSentence:
    id: str
    corpus: str
    doc_id: str
    start: int
    end: int
    labels: tuple[str, ...]
    split: str  # train | test (decided per document before annotation)
    sampling: str
    text: str


def read_rows(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{n}: not a JSON object ({err.msg}); fix or remove the line") from err
    return rows


def load_annotations(path: Path, articles: dict[tuple[str, str], Article]) -> list[AnnotatedSentence]:
    """Stand-off rows joined with their text (see standoff_text)."""
    out = []
    for row in read_rows(path):
        text = standoff_text(path, row, articles)
        unknown = set(row["labels"]) - set(PROJECT_LABELS)
        if unknown:
            raise ValueError(f"{path}: row {row['id']} has labels {sorted(unknown)}; expected {PROJECT_LABELS}")
        out.append(AnnotatedSentence(row["id"], row["corpus"], row["doc_id"], row["start"], row["end"],
                                     tuple(row["labels"]), row["split"], row.get("sampling", ""),
                                     text))
    return out


def standoff_text(path: Path, row: dict, articles: dict[tuple[str, str], Article]) -> str:
    """The text a stand-off row points at; a row that does not point into a known article is an error."""
    article = articles.get((row["corpus"], row["doc_id"]))
    if article is None or not 0 <= row["start"] < row["end"] <= len(article.text):
        raise ValueError(f"{path}: row {row.get('id')} points at {row['corpus']}/{row['doc_id']} "
                         f"[{row['start']}:{row['end']}], which the unpacked corpora do not have")
    return article.text[row["start"]:row["end"]]
