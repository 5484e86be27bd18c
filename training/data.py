"""The training table: sentence texts with label targets and a mask of which labels each sentence is labelled for.

Technique labels come from corpus spans (SemEval-2023, optionally PTC); the project devices from
data/annotations. A sentence labelled by one source only is masked out of the other source's labels' loss.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.annotations import PROJECT_LABELS, load_annotations
from training.config import TrainConfig
from training.corpora import Article, corpora_root, load_ptc, load_semeval2023, project_file, technique_labels
from training.examples import article_sentences, is_validation, split_articles
from training.news_corpora import load_news
from training.written import load_written_devices


@dataclass
class Table:
    """Parallel columns of one split."""

    texts: list[str]
    targets: np.ndarray  # (n, n_labels) 0/1
    mask: np.ndarray  # (n, n_labels) 1 where the label is known for the sentence
    doc: list[str]  # "corpus/doc_id"
    paragraph: list[int]  # paragraph index in its article, -1 if none

    def __len__(self) -> int:
        return len(self.texts)


def technique_articles(config: TrainConfig, root: Path) -> list[Article]:
    articles = load_semeval2023(root) if "semeval2023" in config.sources else []
    if "ptc" in config.sources:
        known = {a.doc_id for a in articles}
        articles += [a for a in load_ptc(root) if a.doc_id not in known]
    unknown = set(config.sources) - {"semeval2023", "ptc"}
    if unknown:
        raise ValueError(f"Unknown sources {sorted(unknown)}: expected semeval2023 and/or ptc")
    return articles


def _technique_rows(articles: list[Article], labels: list[str]) -> list[tuple]:
    index = {label: j for j, label in enumerate(labels)}
    rows = []
    for article in articles:
        for ex in article_sentences(article):
            target = np.zeros(len(labels))
            target[[index[x] for x in ex.labels if x in index]] = 1
            mask = np.array([label not in PROJECT_LABELS for label in labels], dtype=float)
            rows.append((ex.text, target, mask, f"{ex.corpus}/{ex.doc_id}", ex.paragraph))
    return rows


def _annotation_rows(sentences, labels: list[str]) -> list[tuple]:
    rows = []
    for s in sentences:
        target = np.array([float(label in s.labels) for label in labels])
        mask = np.array([label in PROJECT_LABELS for label in labels], dtype=float)
        rows.append((s.text, target, mask, f"{s.corpus}/{s.doc_id}", -1))
    return rows


def to_table(rows: list[tuple], n_labels: int) -> Table:
    if not rows:
        return Table([], np.zeros((0, n_labels)), np.zeros((0, n_labels)), [], [])
    texts, targets, masks, docs, paragraphs = zip(*rows)
    return Table(list(texts), np.stack(targets), np.stack(masks), list(docs), list(paragraphs))


def annotation_splits(config: TrainConfig, root: Path):
    """Project annotations as (train, validation, test) lists; empty lists when config.annotations is empty."""
    if not config.annotations:
        return [], [], []
    path = project_file(config.annotations, "annotations", "pass --annotations=PATH, or --annotations= to train "
                        "the persuasion techniques only")
    news = load_news(root)
    sentences = load_annotations(path, news)
    test = [s for s in sentences if s.split == "test"]
    rest = [s for s in sentences if s.split != "test"]
    in_val = {s.id: is_validation(news[(s.corpus, s.doc_id)], config.val_fraction, config.seed) for s in rest}
    seen: set[str] = set()
    train = distinct_texts([s for s in rest if not in_val[s.id]], seen)
    val = distinct_texts([s for s in rest if in_val[s.id]], seen)
    return train, val, distinct_texts(test, seen)


def distinct_texts(sentences: list, seen: set[str]) -> list:
    """The sentences whose text is not in ``seen`` nor earlier in the list; adds their texts to ``seen``.
    One wire sentence or boilerplate line printed in several articles (the annotations hold one poll notice
    102 times) then counts once, and a validation or test sentence never repeats a training one word for word."""
    kept = []
    for sentence in sentences:
        key = " ".join(sentence.text.split())
        if key not in seen:
            seen.add(key)
            kept.append(sentence)
    return kept


def written_devices(config: TrainConfig, held_out: list) -> list:
    """The project-written device sentences (training only), less any whose text a held-out sentence has."""
    if not config.written:
        return []
    seen = {" ".join(s.text.split()) for s in held_out}
    return distinct_texts(load_written_devices(config.written), seen)


def build_tables(config: TrainConfig) -> tuple[list[str], Table, Table, dict]:
    """(labels, train, validation, info): labels in schema order, those without training positives left out."""
    root = corpora_root(config.data or None)
    train_articles, val_articles = split_articles(technique_articles(config, root), config.val_fraction, config.seed)
    ann_train, ann_val, ann_test = annotation_splits(config, root)
    candidates = (list(PROJECT_LABELS) if ann_train else []) + technique_labels()
    train_rows = _technique_rows(train_articles, candidates)
    if config.max_train_sentences:
        train_rows = train_rows[:config.max_train_sentences]
    train_rows += _annotation_rows(ann_train, candidates) * config.annotation_repeat
    if config.written and not ann_train:
        raise ValueError("--written needs --annotations: the devices are trained only with the project's "
                         "annotations; pass both, or --written= to train the techniques only")
    written = written_devices(config, ann_val + ann_test)
    train_rows += _annotation_rows(written, candidates) * config.written_repeat
    positives = np.sum([r[1] * r[2] for r in train_rows], axis=0) if train_rows else np.zeros(len(candidates))
    keep = [j for j, n in enumerate(positives) if n >= config.min_train_positives]
    labels = [candidates[j] for j in keep]
    untrained = [label for label in list(PROJECT_LABELS) + technique_labels() if label not in labels]

    def select(rows):
        return [(t, y[keep], m[keep], d, p) for t, y, m, d, p in rows]

    train = to_table(select(train_rows), len(labels))
    val = to_table(select(_technique_rows(val_articles, candidates) + _annotation_rows(ann_val, candidates)),
                   len(labels))
    info = {"train_articles": len(train_articles), "val_articles": len(val_articles),
            "annotations": {"train": len(ann_train), "validation": len(ann_val), "test": len(ann_test)},
            "written_devices": len(written),
            "train_positives": {candidates[j]: int(positives[j]) for j in range(len(candidates))},
            "untrained_labels": untrained}
    return labels, train, val, info
