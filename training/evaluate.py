"""`make eval`: validation figures of a saved model beside the TF-IDF + logistic regression baseline.

Sentence level (spans projected onto sentences) and paragraph level (SemEval-2023 Task 3's unit: the union of a
paragraph's sentence labels against the official paragraph labels). Thresholds are the model's own (tuned on
this split, so optimistic) and cross-fitted (one threshold tuned on one half of the documents, applied to the
other): the cross-fitted figure is the honest one. The baseline's threshold is tuned the same way. The project
devices are scored on the annotation test split.
Usage: python -m training.evaluate [--model=runs/framing] [--data=DIR] [--baseline=false]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from model.analyzer import Analyzer
from model.stance import has_stance
from training.annotations import PROJECT_LABELS
from training.baseline import baseline_probabilities
from training.config import EvalConfig, build_config, saved_train_config
from training.data import annotation_splits, technique_articles
from training.corpora import corpora_root
from training.examples import article_sentences, split_articles
from training.report import format_metrics
from training.stance_eval import evaluate_stance, format_stance_metrics
from training.metrics import (cross_fitted_predictions, expected_calibration_error, paragraph_threshold,
                              positive_calibration_error, report)


def paragraph_matrices(sentences, pred: np.ndarray, articles, labels: list[str]):
    """Gold and predicted paragraph label matrices: a paragraph is predicted to carry a label when any of its
    sentences does."""
    index = {label: j for j, label in enumerate(labels)}
    keys = [(a.doc_id, i) for a in articles for i in range(len(a.paragraphs))]
    row = {k: n for n, k in enumerate(keys)}
    gold = np.zeros((len(keys), len(labels)), dtype=bool)
    for a in articles:
        for i, (_, _, para_labels) in enumerate(a.paragraphs):
            gold[row[(a.doc_id, i)], [index[x] for x in para_labels if x in index]] = True
    para_pred = np.zeros_like(gold)
    for s, p in zip(sentences, pred):
        if s.paragraph >= 0:
            para_pred[row[(s.doc_id, s.paragraph)]] |= p
    return gold, para_pred


def framing_tables(labels, gold, probs, thresholds, sentences, articles, keys: list) -> dict:
    """Sentence and paragraph reports with the given thresholds and with cross-fitted ones (one threshold tuned
    on paragraph micro-F1 of one half of the documents, applied to the other half), and calibration errors.
    ``keys``: each sentence's (document, paragraph)."""

    def tune(rows: np.ndarray) -> float:
        return paragraph_threshold(gold[rows], probs[rows], [keys[i] for i in rows])

    crossed = cross_fitted_predictions(probs, np.array([s.doc_id for s in sentences]), tune)
    out = {}
    for name, pred in (("cross_fitted", crossed), ("shipped_thresholds", probs >= thresholds)):
        pg, pp = paragraph_matrices(sentences, pred, articles, labels)
        out[name] = {"sentence": report(gold, pred, labels), "paragraph": report(pg, pp, labels)}
    out["ece"] = expected_calibration_error(probs, gold)
    out["ece_p_over_0.05"] = positive_calibration_error(probs, gold)
    return out


def evaluate_folder(folder: Path, data: str | None = None, baseline: bool = True, device: str = "auto") -> dict:
    analyzer = Analyzer.from_pretrained(folder, device=device, batch_size=64)
    config = saved_train_config(folder, data=data or "")
    root = corpora_root(data)
    train_articles, val_articles = split_articles(technique_articles(config, root), config.val_fraction, config.seed)
    techniques = [label for label in analyzer.labels if label not in PROJECT_LABELS]
    cols = [analyzer.labels.index(label) for label in techniques]
    sentences = [s for a in val_articles for s in article_sentences(a)]
    gold = np.array([[label in s.labels for label in techniques] for s in sentences])  # (n, n_techniques)
    probs = analyzer.probabilities([s.text for s in sentences]).numpy()[:, cols]
    thresholds = np.array([analyzer.thresholds[label] for label in techniques])
    keys = [(s.doc_id, s.paragraph) for s in sentences]
    metrics = {"model": framing_tables(techniques, gold, probs, thresholds, sentences, val_articles, keys),
               "labels": techniques, "untrained_labels": analyzer.untrained_labels,
               "val_articles": len(val_articles), "val_sentences": len(sentences)}
    if baseline:
        train_sentences = [s for a in train_articles for s in article_sentences(a)]
        base = baseline_probabilities([s.text for s in train_sentences],
                                      np.array([[label in s.labels for label in techniques] for s in train_sentences]),
                                      [s.text for s in sentences])
        base_threshold = paragraph_threshold(gold, base, keys)  # tuned like the model's, on this split
        metrics["baseline"] = framing_tables(techniques, gold, base, base_threshold, sentences, val_articles, keys)
    devices = [label for label in analyzer.labels if label in PROJECT_LABELS]
    if devices and config.annotations:
        _, _, test = annotation_splits(config, root)
        dev_gold = np.array([[label in s.labels for label in devices] for s in test])
        dev_cols = [analyzer.labels.index(label) for label in devices]
        dev_probs = analyzer.probabilities([s.text for s in test]).numpy()[:, dev_cols]
        dev_pred = dev_probs >= np.array([analyzer.thresholds[label] for label in devices])
        metrics["project_devices_test"] = report(dev_gold, dev_pred, devices)
    (Path(folder) / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    return metrics


def main(argv: list[str]) -> None:
    config = build_config(EvalConfig, argv)
    folder = Path(config.model)
    if not (folder / "training_config.json").is_file():
        raise SystemExit(f"No trained model at {folder}: run `make train` or pass --model=FOLDER")
    metrics = evaluate_folder(folder, config.data or None, config.baseline, config.device)
    print(format_metrics(metrics))
    if config.stance and has_stance(folder):
        print("\n## Stance, development sets (never trained on)\n")
        print(format_stance_metrics(evaluate_stance(folder, config.data or None)))
    elif config.stance:
        print(f"\n(no stance model in {folder}: `make train-stance` writes runs/stance; "
              "`make eval MODEL=model/shipped` reports the shipped one)")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f"error: {err}")
