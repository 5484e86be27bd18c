"""Compact weight storage: int8 with one float32 scale per output channel (row), dequantized at load.

Matrices (embeddings and linear weights) are stored as int8 rows ``q`` with ``scale`` so that
``weight ≈ q * scale[:, None]``; vectors (biases, LayerNorm) stay float16. Plain safetensors, no pickle.
"""
from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

INT8_FILE = "model.int8.safetensors"
PLAIN_FILE = "model.safetensors"
SCALE_SUFFIX = ".__scale__"
MIN_QUANTIZED_ELEMENTS = 4096  # small matrices (the classifier head) are kept in float16


def quantize_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    packed: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        tensor = tensor.detach().float().cpu()
        if tensor.dim() == 2 and tensor.numel() >= MIN_QUANTIZED_ELEMENTS:
            scale = tensor.abs().amax(dim=1).clamp(min=1e-12) / 127.0  # (rows,)
            packed[name] = torch.round(tensor / scale[:, None]).clamp(-127, 127).to(torch.int8).contiguous()
            packed[name + SCALE_SUFFIX] = scale.contiguous()
        else:
            packed[name] = tensor.to(torch.float16).contiguous()
    return packed


def dequantize_state_dict(packed: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = {}
    for name, tensor in packed.items():
        if name.endswith(SCALE_SUFFIX):
            continue
        scale = packed.get(name + SCALE_SUFFIX)
        state[name] = tensor.float() * scale[:, None] if scale is not None else tensor.float()
    return state


def save_int8(state: dict[str, torch.Tensor], folder: Path) -> Path:
    path = Path(folder) / INT8_FILE
    save_file(quantize_state_dict(state), str(path), metadata={"format": "pt", "quantization": "int8-per-row"})
    return path


def load_state_dict(folder: Path) -> dict[str, torch.Tensor]:
    """The float32 state dict of a model folder, from its plain or its int8 safetensors."""
    folder = Path(folder)
    if (folder / PLAIN_FILE).is_file():
        return {k: v.float() for k, v in load_file(str(folder / PLAIN_FILE)).items()}
    if (folder / INT8_FILE).is_file():
        return dequantize_state_dict(load_file(str(folder / INT8_FILE)))
    raise FileNotFoundError(f"No weights in {folder}: expected {PLAIN_FILE} or {INT8_FILE}; "
                            "run `make train` or pass the folder of a trained model")
