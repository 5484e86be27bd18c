"""Plain news articles of BASIL and the narrative frames corpus, rebuilt as text for stand-off annotation.

The text is rebuilt the same way every time (the stand-off offsets in data/ depend on it): BASIL is the title,
then each body paragraph (its sentences joined by one space), separated by blank lines; the narrative frames
corpus is the `text` column of articles_metadata.tsv as it stands.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from training.corpora import Article, load_semeval2023

BASIL_DIR = "basil/articles"
NARRATIVE_TSV = "narrative_frames_corpus/data/articles_metadata.tsv"


def basil_text(record: dict) -> str:
    paragraphs = [" ".join(part.strip() for part in para) for para in record["body-paragraphs"]]
    return "\n\n".join([record["title"].strip(), *paragraphs])


def load_basil(root: Path) -> list[Article]:
    base = root / BASIL_DIR
    if not base.is_dir():
        raise FileNotFoundError(f"No BASIL folder at {base}: check --data / $FRAMING_CORPORA")
    articles = []
    for path in sorted(base.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        articles.append(Article("basil", f"{path.parent.name}/{path.stem}", basil_text(record)))
    return articles


def load_narrative(root: Path) -> list[Article]:
    path = root / NARRATIVE_TSV
    if not path.is_file():
        raise FileNotFoundError(f"No narrative frames corpus at {path}: check --data / $FRAMING_CORPORA")
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Article("narrative", row["ID"], row["text"]) for row in rows]


def load_news(root: Path) -> dict[tuple[str, str], Article]:
    """Every article that project annotations may point at, keyed by (corpus, document id)."""
    articles = load_semeval2023(root) + load_basil(root) + load_narrative(root)
    return {(a.corpus, a.doc_id): a for a in articles}
