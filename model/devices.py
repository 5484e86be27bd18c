"""The project framing devices from their own adapter over the shared encoder (optional files beside the model).

``devices.json`` and ``devices.safetensors`` hold a low-rank adapter (LoRA, stored as int8 rows with scales as in
model/weights.py, merged at load into a copy of the framing encoder, as the stance adapter is) and a head over the
mean-pooled tokens. When a folder has them, their
calibrated probabilities and thresholds replace the framing head's for these labels (blame_shifting,
goodwill_claim, victimhood); the technique scores and the stance adapter stay exactly as they were. The adapter is
trained on a larger teacher's soft labels (training/device_train.py), which the joint framing head could not use
without retraining the shared encoder, and with it the stance adapter.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from model.sentences import tokenized_batches
from model.stance import mean_pool, merge_lora
from model.weights import dequantize_state_dict

DEVICES_FILE = "devices.json"
DEVICES_WEIGHTS = "devices.safetensors"


def has_devices(folder: str | Path) -> bool:
    return (Path(folder) / DEVICES_FILE).is_file() and (Path(folder) / DEVICES_WEIGHTS).is_file()


class DeviceScorer:
    """Probabilities of the project devices for sentences. Build with :meth:`from_pretrained`."""

    def __init__(self, encoder, head: torch.nn.Linear, tokenizer, settings: dict, batch_size: int = 64,
                 files: dict[str, torch.Tensor] | None = None):
        self.encoder = encoder
        self.head = head
        self.tokenizer = tokenizer
        self.settings = settings  # labels, thresholds, temperature, max_length, lora shape, config, metrics
        self.batch_size = batch_size
        self.files = files or {}  # the stored adapter and head, unmerged, so that export can write them again

    @property
    def labels(self) -> list[str]:
        return list(self.settings["labels"])

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self.settings["thresholds"])

    @classmethod
    def from_pretrained(cls, folder: str | Path, base_encoder: torch.nn.Module, tokenizer,
                        batch_size: int = 64) -> "DeviceScorer":
        """The device files of ``folder`` applied to a copy of ``base_encoder`` (the framing model's encoder)."""
        folder = Path(folder)
        if not has_devices(folder):
            raise FileNotFoundError(f"No device adapter in {folder} (expected {DEVICES_FILE} and {DEVICES_WEIGHTS}): "
                                    "run `make train-devices` or use a model folder that has one")
        settings = json.loads((folder / DEVICES_FILE).read_text(encoding="utf-8"))
        stored = load_file(str(folder / DEVICES_WEIGHTS))
        weights = dequantize_state_dict(stored)  # int8 rows with scales, or plain float tensors
        head_shape = tuple(weights["head.weight"].shape)
        if head_shape != (len(settings["labels"]), base_encoder.config.hidden_size):
            raise ValueError(f"{folder / DEVICES_WEIGHTS} has a head of shape {head_shape}, but {DEVICES_FILE} names "
                             f"{len(settings['labels'])} labels over an encoder of width {base_encoder.config.hidden_size}: "
                             "the files come from different runs or another base model; copy both from one run")
        encoder = copy.deepcopy(base_encoder)
        merge_lora(encoder, weights, settings["lora_alpha"] / settings["lora_rank"])
        head = torch.nn.Linear(head_shape[1], head_shape[0])
        head.load_state_dict({"weight": weights["head.weight"].float(), "bias": weights["head.bias"].float()})
        device = next(base_encoder.parameters()).device
        return cls(encoder.eval(), head.to(device).eval(), tokenizer, settings, batch_size, stored)

    def save(self, folder: str | Path) -> None:
        """Write the device files (as loaded) into ``folder``, beside a framing model with the same encoder."""
        (Path(folder) / DEVICES_FILE).write_text(json.dumps(self.settings, indent=2), encoding="utf-8")
        save_file({k: v.contiguous() for k, v in self.files.items()}, str(Path(folder) / DEVICES_WEIGHTS))

    @torch.inference_mode()
    def logits(self, sentences: list[str]) -> torch.Tensor:
        """Raw logits, (n_sentences, n_labels) in ``self.labels`` order."""
        device = next(self.encoder.parameters()).device
        out = torch.empty(len(sentences), len(self.labels))
        batches = tokenized_batches(self.tokenizer, sentences, self.batch_size, self.settings["max_length"], device)
        for idx, batch in batches:
            hidden = self.encoder(input_ids=batch["input_ids"],
                                  attention_mask=batch["attention_mask"]).last_hidden_state  # (b, seq, hidden)
            out[idx] = self.head(mean_pool(hidden, batch["attention_mask"])).float().cpu()  # (b, n_labels)
        return out

    def probabilities(self, sentences: list[str]) -> torch.Tensor:
        """Calibrated probabilities, (n_sentences, n_labels) in ``self.labels`` order."""
        if not sentences:
            return torch.zeros(0, len(self.labels))
        return torch.sigmoid(self.logits(sentences) / self.settings.get("temperature", 1.0))
