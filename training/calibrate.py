"""Calibration of a trained model on the validation split: one temperature, then thresholds.

Techniques share one threshold tuned on paragraph-level micro-F1 (SemEval-2023 Task 3's unit and metric); the
project devices get a threshold each, tuned on sentence-level F1 of the annotations' validation documents.
Usage (re-calibrate a saved model): python -m training.calibrate --model=runs/framing
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from model.analyzer import FRAMING_FILE
from training.annotations import PROJECT_LABELS
from training.data import Table
from training.metrics import best_threshold, fit_temperature, paragraph_threshold


def fit_thresholds(labels: list[str], val: Table, probs: np.ndarray) -> dict[str, float]:
    techniques = [j for j, label in enumerate(labels) if label not in PROJECT_LABELS]
    rows = np.flatnonzero(val.mask[:, techniques].sum(1) > 0) if techniques else np.zeros(0, int)
    # paragraph level where the corpus has paragraphs; each sentence its own unit otherwise
    keys = [(val.doc[i], val.paragraph[i]) if val.paragraph[i] >= 0 else (val.doc[i], -1 - i) for i in rows]
    thresholds = {}
    if len(rows):
        shared = paragraph_threshold(val.targets[np.ix_(rows, techniques)], probs[np.ix_(rows, techniques)], keys)
        thresholds = {labels[j]: shared for j in techniques}
    for j, label in enumerate(labels):
        if label in PROJECT_LABELS:
            known = val.mask[:, j] > 0
            thresholds[label] = best_threshold(val.targets[known, j], probs[known, j])
    return thresholds


def calibrate(logits: np.ndarray, labels: list[str], val: Table) -> tuple[float, dict[str, float]]:
    """(temperature, thresholds) from validation logits (n, n_labels)."""
    temperature = fit_temperature(logits, val.targets, val.mask)
    probs = 1 / (1 + np.exp(-logits / temperature))
    return temperature, fit_thresholds(labels, val, probs)


def main(argv: list[str]) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from training.config import saved_train_config
    from training.data import build_tables
    from training.train import calibrate_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="runs/framing")
    args = parser.parse_args(argv)
    folder = Path(args.model)
    config = saved_train_config(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    labels, _, val, _ = build_tables(config)
    assert labels == [model.config.id2label[i] for i in range(model.config.num_labels)]
    temperature, thresholds = calibrate_model(model, val, tokenizer, config, torch.device("cpu"))
    settings = json.loads((folder / FRAMING_FILE).read_text(encoding="utf-8"))
    settings.update(temperature=temperature, thresholds=thresholds)
    (folder / FRAMING_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
    print(f"temperature {temperature:.3f}; thresholds {json.dumps(thresholds)}")


if __name__ == "__main__":
    main(sys.argv[1:])
