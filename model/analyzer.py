"""The Analyzer: a fine-tuned encoder that scores sentences for framing devices and persuasion techniques."""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

from model.devices import DeviceScorer, has_devices
from model.results import DocumentResult, SentenceResult
from model.sentences import split_sentences, tokenized_batches
from model.stance import StanceScorer, has_stance, normalize_targets, roll_up, stance_results
from model.weights import PLAIN_FILE, load_state_dict

SHIPPED_MODEL = Path(__file__).resolve().parent / "shipped"
FRAMING_FILE = "framing.json"  # our own settings beside config.json: thresholds, temperature, label groups


def resolve_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


class Analyzer:
    """Scores sentences and documents. Build it with :meth:`from_pretrained`; the constructor only stores."""

    def __init__(self, model, tokenizer, thresholds: dict[str, float], temperature: float = 1.0,
                 max_length: int = 128, batch_size: int = 32, settings: dict | None = None,
                 stance: StanceScorer | None = None, devices: DeviceScorer | None = None):
        self.model = model
        self.stance = stance
        self.devices = devices  # when set, its scores and thresholds replace the framing head's for its labels
        self.tokenizer = tokenizer
        self.thresholds = thresholds
        self.temperature = temperature
        self.max_length = max_length
        self.batch_size = batch_size
        self.settings = settings or {}

    @property
    def labels(self) -> list[str]:
        """The framing labels the model scores, in output order (``id2label``)."""
        return [self.model.config.id2label[i] for i in range(self.model.config.num_labels)]

    @property
    def untrained_labels(self) -> list[str]:
        """Labels of the schema that the model was given no training examples for: never predicted."""
        return list(self.settings.get("untrained_labels", []))

    @classmethod
    def from_pretrained(cls, path: str | os.PathLike | None = None, device: str = "auto",
                        batch_size: int = 32) -> "Analyzer":
        folder = Path(path) if path is not None else SHIPPED_MODEL
        if not (folder / "config.json").is_file() or not (folder / FRAMING_FILE).is_file():
            raise FileNotFoundError(f"No model at {folder} (expected config.json and {FRAMING_FILE}): "
                                    "run `make train` or pass the folder of a trained model")
        config = AutoConfig.from_pretrained(folder)
        model = AutoModelForSequenceClassification.from_config(config)
        model.load_state_dict(load_state_dict(folder), strict=False)
        model.to(resolve_device(device)).eval()
        tokenizer = AutoTokenizer.from_pretrained(folder)
        settings = json.loads((folder / FRAMING_FILE).read_text(encoding="utf-8"))
        stance = (StanceScorer.from_pretrained(folder, model.base_model, tokenizer, batch_size)
                  if has_stance(folder) else None)
        devices = (DeviceScorer.from_pretrained(folder, model.base_model, tokenizer, batch_size)
                   if has_devices(folder) else None)
        thresholds = dict(settings["thresholds"])
        if devices is not None:
            missing = [label for label in devices.labels if label not in config.label2id]
            if missing:
                raise ValueError(f"The device adapter in {folder} scores {missing}, which the framing model "
                                 f"({', '.join(config.label2id)}) has no output for: train it on a framing model "
                                 "that was trained with the annotations")
            thresholds.update(devices.thresholds)
        return cls(model, tokenizer, thresholds, settings.get("temperature", 1.0),
                   settings.get("max_length", 128), batch_size, settings, stance, devices)

    @torch.inference_mode()
    def probabilities(self, sentences: list[str]) -> torch.Tensor:
        """Calibrated probabilities, (n_sentences, n_labels), in ``self.labels`` order."""
        if not sentences:
            return torch.zeros(0, len(self.labels))
        device = next(self.model.parameters()).device
        out = torch.empty(len(sentences), len(self.labels))
        for idx, batch in tokenized_batches(self.tokenizer, sentences, self.batch_size, self.max_length, device):
            logits = self.model(**batch).logits.float()  # (batch, n_labels)
            out[idx] = torch.sigmoid(logits / self.temperature).cpu()
        if self.devices is not None:
            out[:, [self.labels.index(label) for label in self.devices.labels]] = self.devices.probabilities(sentences)
        return out

    def check_targets(self, targets: list[str] | None) -> list[str]:
        """The validated targets (see model/stance.py normalize_targets); an error if the model has no stance."""
        names = normalize_targets(targets, self.tokenizer)
        if names and self.stance is None:
            raise ValueError("targets were given but this model has no stance files (stance.json, "
                             "stance.safetensors): use the shipped model or run `make train-stance`")
        return names

    def _results(self, texts: list[str], spans: list[tuple[int, int]], targets: list[str]) -> list[SentenceResult]:
        labels, probs = self.labels, self.probabilities(texts)  # probs: (n_sentences, n_labels)
        threshold = torch.tensor([self.thresholds[label] for label in labels])  # (n_labels,)
        chosen = probs >= threshold  # (n_sentences, n_labels)
        stances = (stance_results(self.stance.grid(texts, targets), targets, self.stance.labels)
                   if targets else [{} for _ in texts])
        return [SentenceResult(text, start, end,
                               [labels[j] for j in range(len(labels)) if chosen[i, j]],
                               {label: round(float(probs[i, j]), 4) for j, label in enumerate(labels)},
                               stances[i])
                for i, (text, (start, end)) in enumerate(zip(texts, spans))]

    def score(self, sentences: list[str], targets: list[str] | None = None) -> list[SentenceResult]:
        """Score each string as one sentence (no splitting); with ``targets``, also its stance toward each."""
        _check_texts(sentences, "score")
        names = self.check_targets(targets)
        return self._results(sentences, [(0, len(s)) for s in sentences], names)

    def predict(self, documents: list[str], targets: list[str] | None = None) -> list[DocumentResult]:
        """Split each document into sentences and score them; an empty document gives no sentences. With
        ``targets``, each sentence gets its stance toward each target and each document a roll-up."""
        _check_texts(documents, "predict")
        names = self.check_targets(targets)
        spans = [split_sentences(doc) for doc in documents]
        flat = [(d, s.start, s.end) for d, doc_spans in enumerate(spans) for s in doc_spans]
        texts = [documents[d][start:end] for d, start, end in flat]
        results = self._results(texts, [(start, end) for _, start, end in flat], names)
        per_doc: list[list[SentenceResult]] = [[] for _ in documents]
        for (d, _, _), result in zip(flat, results):
            per_doc[d].append(result)
        return [DocumentResult(sentences, _count_labels(sentences), roll_up([s.stance for s in sentences], names))
                for sentences in per_doc]

    def export(self, path: str | os.PathLike) -> Path:
        """Write a plain transformers folder (float32 safetensors) that other tools load directly."""
        folder = Path(path)
        self.model.save_pretrained(folder)
        self.tokenizer.save_pretrained(folder)
        (folder / FRAMING_FILE).write_text(json.dumps(self.settings, indent=2), encoding="utf-8")
        if self.stance is not None:
            self.stance.save(folder)
        if self.devices is not None:
            self.devices.save(folder)
        assert (folder / PLAIN_FILE).is_file()
        return folder


def _check_texts(texts: list[str], method: str) -> None:
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise TypeError(f"{method}() expects a list of strings, got {type(texts).__name__}: wrap one text in a list")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"{method}() expects strings; item {bad[0]} is {type(texts[bad[0]]).__name__}")


def _count_labels(sentences: list[SentenceResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sentence in sentences:
        for label in sentence.labels:
            counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items()))
