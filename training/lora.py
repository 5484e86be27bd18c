"""Low-rank adapters (LoRA) for training: ``y = W x + b + scale * B (A x)`` with W frozen.

Written here rather than taken from peft: it is 40 lines, and the saved form (``lora.<layer>.A`` / ``.B``) is
what model/stance.py merges at load with torch alone, so inference needs no extra dependency.
"""
from __future__ import annotations

import math

import torch

# every linear layer of a BERT block: attention query/key/value/output, feed-forward in and out
ADAPTED_SUFFIXES = ("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense")


class LoRALinear(torch.nn.Module):
    def __init__(self, base: torch.nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.A = torch.nn.Parameter(torch.empty(rank, base.in_features))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))  # zero: training starts at W exactly
        torch.nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale  # (..., out)


def add_lora(encoder: torch.nn.Module, rank: int, alpha: float) -> list[str]:
    """Freeze ``encoder`` and wrap its adapted linear layers; returns the wrapped layers' names."""
    for parameter in encoder.parameters():
        parameter.requires_grad_(False)
    names = [name for name, module in encoder.named_modules()
             if isinstance(module, torch.nn.Linear) and name.endswith(ADAPTED_SUFFIXES) and ".layer." in name]
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = encoder.get_submodule(parent_name)
        setattr(parent, child, LoRALinear(getattr(parent, child), rank, alpha))
    return names


def lora_state(encoder: torch.nn.Module) -> dict[str, torch.Tensor]:
    """``lora.<layer>.A`` / ``.B`` for each wrapped layer, named as the layer is in the unwrapped encoder."""
    return {f"lora.{name}.{part}": getattr(module, part).detach().cpu().clone()
            for name, module in encoder.named_modules() if isinstance(module, LoRALinear) for part in ("A", "B")}
