"""`make ship`: copy a trained model into model/shipped with int8 weights, and measure what int8 costs.

The shipped copy keeps the transformers layout (config.json with id2label, tokenizer files) with
model.int8.safetensors in place of model.safetensors. It refuses to replace a shipped model whose validation
paragraph micro-F1 (cross-fitted) is higher, unless --force: git keeps every blob forever.
Usage: python -m training.ship --model=runs/framing [--to=model/shipped] [--force]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from model.analyzer import FRAMING_FILE, SHIPPED_MODEL
from model.weights import INT8_FILE, load_state_dict, save_int8
from training.evaluate import evaluate_folder
from training.report import write_model_card

COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
          FRAMING_FILE, "training_config.json")


def headline(metrics: dict) -> float:
    return metrics["model"]["cross_fitted"]["paragraph"]["micro_f1"]


def build_int8_copy(source: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        if (source / name).is_file():
            shutil.copy2(source / name, dest / name)
    save_int8(load_state_dict(source), dest)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="runs/framing")
    parser.add_argument("--to", default=str(SHIPPED_MODEL))
    parser.add_argument("--data", default=None)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    source, dest = Path(args.model), Path(args.to)
    if not (source / "metrics.json").is_file():
        raise SystemExit(f"No evaluated model at {source}: run `make train` (it writes metrics.json) first")
    float_metrics = json.loads((source / "metrics.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        staged = Path(tmp) / "shipped"
        build_int8_copy(source, staged)
        metrics = evaluate_folder(staged, args.data, baseline=False)
        metrics["baseline"] = float_metrics.get("baseline")
        metrics = {k: v for k, v in metrics.items() if v is not None}
        metrics["int8_vs_float"] = {"float_paragraph_micro_f1": headline(float_metrics),
                                    "int8_paragraph_micro_f1": headline(metrics),
                                    "float_sentence_micro_f1": float_metrics["model"]["cross_fitted"]["sentence"]["micro_f1"],
                                    "int8_sentence_micro_f1": metrics["model"]["cross_fitted"]["sentence"]["micro_f1"]}
        old = dest / "metrics.json"
        if old.is_file() and not args.force and headline(json.loads(old.read_text())) > headline(metrics):
            raise SystemExit(f"Not shipped: {dest} has paragraph micro-F1 {headline(json.loads(old.read_text())):.3f} "
                             f"> {headline(metrics):.3f}; pass --force to replace it anyway")
        (staged / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        write_model_card(staged, metrics)
        if dest.exists():
            shutil.rmtree(dest)
        staged.replace(dest)
    size = sum(p.stat().st_size for p in dest.iterdir()) / 2**20
    print(json.dumps(metrics["int8_vs_float"], indent=2))
    print(f"shipped {dest} ({size:.1f} MiB; weights {(dest / INT8_FILE).stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
