"""`make ship-devices`: copy a trained device adapter (devices.json, devices.safetensors) into model/shipped.

The adapter was trained over one exact encoder, so it is only copied beside the same weights (byte-identical
model.int8.safetensors). It ships only if its device macro-F1 on the annotations' validation split beats what
the shipped folder gives there now (the joint framing head, or an earlier adapter), both at their own
validation-tuned thresholds; --force ships anyway. The test split is reported, never compared.
Usage: python -m training.ship_devices --model=runs/devices [--to=model/shipped] [--force]
"""
from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from model.analyzer import SHIPPED_MODEL, Analyzer
from model.devices import DEVICES_FILE, DEVICES_WEIGHTS, has_devices
from model.stance import has_stance
from model.weights import INT8_FILE
from training.config import saved_train_config
from training.corpora import corpora_root
from training.device_data import DEVICE_LABELS, device_splits
from training.device_train import format_device_metrics
from training.metrics import report
from training.report import STANCE_CARD_MARK, write_model_card, write_stance_card_section

DEVICE_CARD_MARK = "## Project devices: the device adapter"


def validation_macro_f1(folder: Path, texts: list[str], gold: np.ndarray) -> float:
    """Device macro-F1 of ``folder`` as users get it (adapter if any, else the framing head), own thresholds."""
    analyzer = Analyzer.from_pretrained(folder, device="cpu")
    cols = [analyzer.labels.index(label) for label in DEVICE_LABELS]
    probs = analyzer.probabilities(texts).numpy()[:, cols]  # (n, 3)
    pred = probs >= np.array([analyzer.thresholds[label] for label in DEVICE_LABELS])
    return report(gold.astype(bool), pred, list(DEVICE_LABELS))["macro_f1"]


def write_device_card_section(folder: Path) -> None:
    """Put (or replace) the device section of the model card before its stance section."""
    settings = json.loads((folder / DEVICES_FILE).read_text(encoding="utf-8"))
    card_path = folder / "README.md"
    head, mark, stance = card_path.read_text(encoding="utf-8").partition(STANCE_CARD_MARK)
    section = "\n".join([
        DEVICE_CARD_MARK, "",
        "blame_shifting, goodwill_claim and victimhood come from their own rank-"
        f"{settings['lora_rank']} LoRA adapter over the same encoder and a head over the mean-pooled tokens "
        "(devices.safetensors, merged into a copy of the encoder at load), not from the framing head. It learned "
        "from a fine-tuned all-mpnet-base-v2 teacher's probabilities for the sentences of the corpora's training "
        f"documents and from the annotations' gold labels ({settings['train_sentences']} training rows). "
        f"Temperature {settings['temperature']:.3f} and thresholds "
        f"{json.dumps({k: round(v, 3) for k, v in settings['thresholds'].items()})} were tuned on the "
        "annotations' validation documents; the test documents were never used for training or tuning.", "",
        format_device_metrics(settings["metrics"]), ""])
    card = head.split(DEVICE_CARD_MARK)[0].rstrip() + "\n\n" + section + ("\n" + mark + stance if mark else "")
    card_path.write_text(card, encoding="utf-8")


def refresh_card(folder: Path) -> None:
    """The card and metrics.json with the adapter's device test figures (what `make eval` now reports there)."""
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    metrics["project_devices_test"] = json.loads((folder / DEVICES_FILE).read_text(encoding="utf-8"))["metrics"]["test"]
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    write_model_card(folder, metrics)
    if has_stance(folder):
        write_stance_card_section(folder)
    write_device_card_section(folder)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="runs/devices")
    parser.add_argument("--to", default=str(SHIPPED_MODEL))
    parser.add_argument("--data", default="")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    source, dest = Path(args.model), Path(args.to)
    if not has_devices(source) or "metrics" not in json.loads((source / DEVICES_FILE).read_text(encoding="utf-8")):
        raise SystemExit(f"No evaluated device adapter at {source}: run `make train-devices` first")
    if not filecmp.cmp(source / INT8_FILE, dest / INT8_FILE, shallow=False):
        raise SystemExit(f"{source} was trained over another encoder than {dest}'s: retrain with --base={dest}")
    splits = device_splits(saved_train_config(dest, data=args.data), corpora_root(args.data or None))
    new, old = (validation_macro_f1(folder, *splits.val) for folder in (source, dest))
    if old > new and not args.force:
        raise SystemExit(f"Not shipped: {dest} has device validation macro-F1 {old:.3f} > {new:.3f}; "
                         "pass --force to replace it anyway")
    for name in (DEVICES_FILE, DEVICES_WEIGHTS):
        shutil.copy2(source / name, dest / name)
    refresh_card(dest)
    print(f"shipped the device adapter of {source} into {dest} (validation macro-F1 {new:.3f}, was {old:.3f}; "
          f"{(dest / DEVICES_WEIGHTS).stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
