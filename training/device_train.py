"""`make train-devices`: the device adapter, a LoRA adapter and head over the shipped encoder, distilled from the
teacher (`make teacher`) and trained on the annotations' gold labels.

Targets: the teacher's probabilities for each pool sentence (sentences of the corpora's training documents), and
the gold labels of the annotated training sentences and the project-written ones (``gold_repeat`` times; a pool
sentence that is also annotated takes its gold labels). Then one temperature and a threshold per label are fitted on the validation split; the test
split is only reported. The out folder is the base model plus devices.json and devices.safetensors; the framing
head's technique scores and the stance adapter are unchanged (model/devices.py).
Usage: python -m training.device_train [--config FILE.toml] [--key=value ...]  (keys: DeviceConfig)
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from model.analyzer import Analyzer, resolve_device
from model.devices import DEVICES_FILE, DEVICES_WEIGHTS
from model.weights import quantize_state_dict
from training.config import DeviceConfig, build_config, saved_train_config
from training.corpora import corpora_root
from training.device_data import (DEVICE_LABELS, DeviceNet, device_splits, read_pool, text_key,
                                  train_device_net, with_written)
from training.lora import add_lora, lora_state
from training.metrics import best_threshold, fit_temperature, report
from training.train import start_job


def training_rows(pool: list[dict], gold_texts: list[str], gold: np.ndarray, repeat: int
                  ) -> tuple[list[str], np.ndarray]:
    """Pool sentences with the teacher's probabilities, then the annotated sentences ``repeat`` times with gold."""
    annotated = {text_key(t) for t in gold_texts}
    kept = [row for row in pool if text_key(row["text"]) not in annotated]
    texts = [row["text"] for row in kept] + gold_texts * repeat
    soft = np.array([row["teacher"] for row in kept], dtype=np.float32).reshape(-1, len(DEVICE_LABELS))
    return texts, np.concatenate([soft] + [gold] * repeat)


def save_devices(net: DeviceNet, config: DeviceConfig, out: Path, extra: dict) -> None:
    """The base model folder plus the device files (int8 adapter with per-row scales, fp16 head)."""
    if out.resolve() != Path(config.base).resolve():
        shutil.copytree(config.base, out, dirs_exist_ok=True)
    tensors = {**lora_state(net.encoder), **{f"head.{k}": v.detach().cpu() for k, v in net.head.state_dict().items()}}
    save_file(quantize_state_dict(tensors), str(out / DEVICES_WEIGHTS))  # int8 rows: half of fp16's size
    settings = {"labels": list(DEVICE_LABELS), "max_length": config.max_length, "lora_rank": config.lora_rank,
                "lora_alpha": config.lora_alpha, "temperature": 1.0,
                "thresholds": {label: 0.5 for label in DEVICE_LABELS}, "config": dataclasses.asdict(config), **extra}
    (out / DEVICES_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")


def calibrate_and_evaluate(out: Path, splits) -> dict:
    """Reload ``out`` as users will; temperature and thresholds on validation; P/R/F1 on validation and test."""
    scorer = Analyzer.from_pretrained(out, device="cpu").devices
    (val_texts, val_gold), (test_texts, test_gold) = splits.val, splits.test
    logits = scorer.logits(val_texts).numpy()  # (n_val, n_labels)
    temperature = fit_temperature(logits, val_gold)
    val_probs = 1 / (1 + np.exp(-logits / temperature))
    thresholds = {label: best_threshold(val_gold[:, j], val_probs[:, j]) for j, label in enumerate(DEVICE_LABELS)}
    cut = np.array([thresholds[label] for label in DEVICE_LABELS])
    test_probs = 1 / (1 + np.exp(-scorer.logits(test_texts).numpy() / temperature))
    metrics = {"validation": report(val_gold.astype(bool), val_probs >= cut, list(DEVICE_LABELS)),
               "test": report(test_gold.astype(bool), test_probs >= cut, list(DEVICE_LABELS))}
    settings = json.loads((out / DEVICES_FILE).read_text(encoding="utf-8"))
    settings.update(temperature=temperature, thresholds=thresholds, metrics=metrics)
    (out / DEVICES_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
    return metrics


def format_device_metrics(metrics: dict) -> str:
    lines = ["| label | split | precision | recall | F1 |", "|---|---|---|---|---|"]
    for split in ("validation", "test"):
        for label in DEVICE_LABELS:
            m = metrics[split]["labels"][label]
            lines.append(f"| {label} | {split} | {m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}** |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    config = build_config(DeviceConfig, argv)
    start_job(config)
    torch.manual_seed(config.seed)
    splits = device_splits(saved_train_config(config.base, data=config.data), corpora_root(config.data or None))
    gold_texts, gold = with_written(splits.train, config.written, splits.val[0] + splits.test[0])
    texts, targets = training_rows(read_pool(Path(config.teacher_pool)), gold_texts, gold, config.gold_repeat)
    print(f"{len(texts)} training sentences ({len(texts) - config.gold_repeat * len(gold_texts)} from the "
          f"teacher's pool)", file=sys.stderr)
    base = Analyzer.from_pretrained(config.base, device="cpu")
    net = DeviceNet(base.model.base_model)
    add_lora(net.encoder, config.lora_rank, config.lora_alpha)
    net.to(resolve_device(config.device))
    started = time.time()
    train_device_net(net, texts, targets, base.tokenizer, config)
    out = Path(config.out)
    save_devices(net.cpu(), config, out, {"train_sentences": len(texts),
                                          "train_minutes": round((time.time() - started) / 60, 1)})
    print(format_device_metrics(calibrate_and_evaluate(out, splits)))
    print(f"saved to {out}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f"error: {err}")
