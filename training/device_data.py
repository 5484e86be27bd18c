"""Data and a small network shared by the device teacher (training/device_teacher.py) and the device student
(training/device_train.py): the annotation splits as label matrices, the unlabelled pool of training-document
sentences that the teacher labels, and a mean-pooled multi-label classifier over any encoder.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from model.sentences import tokenized_batches
from model.stance import mean_pool
from training.annotations import PROJECT_LABELS
from training.config import TrainConfig
from training.data import annotation_splits
from training.examples import article_sentences, is_validation
from training.news_corpora import load_news
from training.sample_annotations import document_split
from training.train import length_batches, log_progress, optimizer_and_schedule, take_step
from training.written import load_written_devices

DEVICE_LABELS = tuple(PROJECT_LABELS)


@dataclass
class DeviceSplits:
    """Annotated sentences (texts and 0/1 label rows in DEVICE_LABELS order) of each split."""

    train: tuple[list[str], np.ndarray]
    val: tuple[list[str], np.ndarray]
    test: tuple[list[str], np.ndarray]


def _matrix(sentences) -> tuple[list[str], np.ndarray]:
    return [s.text for s in sentences], np.array([[label in s.labels for label in DEVICE_LABELS]
                                                 for s in sentences], dtype=np.float32).reshape(-1, len(DEVICE_LABELS))


def device_splits(config: TrainConfig, root: Path) -> DeviceSplits:
    """The annotation splits as training/data.py draws them (distinct texts; validation by story; test by document)."""
    train, val, test = annotation_splits(config, root)
    return DeviceSplits(_matrix(train), _matrix(val), _matrix(test))


def with_written(train: tuple[list[str], np.ndarray], path: str, held_out: list[str]
                 ) -> tuple[list[str], np.ndarray]:
    """The annotated training sentences plus the project-written ones (data/written/devices.jsonl; none when
    ``path`` is empty), less any written text that a held-out sentence has."""
    if not path:
        return train
    held = {text_key(t) for t in held_out}
    texts, gold = _matrix([s for s in load_written_devices(path) if text_key(s.text) not in held])
    return train[0] + texts, np.concatenate([train[1], gold])


def text_key(text: str) -> str:
    return " ".join(text.split())


def pool_sentences(config: TrainConfig, root: Path, held_out: list[str]) -> list[dict]:
    """Every sentence (20–1,200 characters) of the news corpora's training documents, stand-off with its text: not
    an annotation test document, not a validation story, and no text that a held-out sentence has."""
    held = {text_key(t) for t in held_out}
    return [{"corpus": ex.corpus, "doc_id": ex.doc_id, "start": ex.start, "end": ex.end, "text": ex.text}
            for (corpus, doc_id), article in sorted(load_news(root).items())
            if document_split(corpus, doc_id) == "train" and not is_validation(article, config.val_fraction, config.seed)
            for ex in article_sentences(article)
            if 20 <= len(ex.text) <= 1200 and text_key(ex.text) not in held]


def write_pool(path: Path, rows: list[dict], probs: np.ndarray) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row, p in zip(rows, probs):
            f.write(json.dumps({**row, "teacher": [round(float(x), 4) for x in p]}) + "\n")


def read_pool(path: Path) -> list[dict]:
    if not path.is_file():
        raise FileNotFoundError(f"No teacher pool at {path}: run `make teacher TEACHER=/path/to/encoder` first, "
                                "or pass --teacher_pool=FILE")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class DeviceNet(torch.nn.Module):
    """An encoder, mean pooling over the tokens, dropout and a linear multi-label head."""

    def __init__(self, encoder, n_labels: int = len(DEVICE_LABELS)):
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(encoder.config.hidden_size, n_labels)

    def forward(self, input_ids, attention_mask) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # (b, seq, h)
        return self.head(self.dropout(mean_pool(hidden, attention_mask)))  # (batch, n_labels)


def positive_weight(targets: np.ndarray, cap: float = 8.0) -> torch.Tensor:
    """sqrt(negatives / positives) per label, capped: rare labels get more gradient. (n_labels,)"""
    positives = targets.sum(0).clip(min=1.0)
    return torch.tensor(np.sqrt((len(targets) - positives) / positives).clip(max=cap), dtype=torch.float32)


def train_device_net(net: DeviceNet, texts: list[str], targets: np.ndarray, tokenizer, config,
                     pos_weight: torch.Tensor | None = None) -> None:
    """Binary cross-entropy against ``targets`` (0/1 gold or a teacher's probabilities), length-bucketed batches;
    ``config`` has lr, weight_decay, warmup_ratio, batch_size, epochs, max_length and seed."""
    device = next(net.parameters()).device
    encoded = tokenizer(texts, truncation=True, max_length=config.max_length)["input_ids"]
    labels = torch.tensor(targets, dtype=torch.float32)  # (n, n_labels)
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer, schedule, steps = optimizer_and_schedule(trainable, config, len(texts))
    rng, step, started = random.Random(config.seed), 0, time.time()
    for epoch in range(config.epochs):
        net.train()
        for idx in length_batches([len(ids) for ids in encoded], config.batch_size, rng):
            batch = tokenizer.pad({"input_ids": [encoded[j] for j in idx]}, return_tensors="pt").to(device)
            logits = net(batch["input_ids"], batch["attention_mask"])  # (b, n_labels)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, labels[idx].to(device), pos_weight=None if pos_weight is None else pos_weight.to(device))
            step = take_step(loss, trainable, optimizer, schedule, step)
            log_progress(epoch, step, steps, loss, started)
    net.eval()


@torch.inference_mode()
def device_logits(net: DeviceNet, texts: list[str], tokenizer, max_length: int, batch_size: int = 64) -> np.ndarray:
    """(n, n_labels) logits, in batches of similar length."""
    device = next(net.parameters()).device
    out = np.zeros((len(texts), net.head.out_features), dtype=np.float32)
    for idx, batch in tokenized_batches(tokenizer, texts, batch_size, max_length, device):
        out[idx] = net(batch["input_ids"], batch["attention_mask"]).float().cpu().numpy()
    return out
