"""`make ship-stance`: copy a trained stance adapter (stance.json, stance.safetensors) into model/shipped.

The adapter was trained over one exact encoder, so it is only copied beside the same weights: the run folder's
model.int8.safetensors must be byte-identical to the shipped one. It refuses to replace a shipped stance model
with a better dev mean of the headline figures (SemEval-2016 F_avg, VAST macro-F1, BASIL F1, news_targets macro-F1;
the mean is over the dev sets both models were evaluated on) unless --force.
Usage: python -m training.ship_stance --model=runs/stance [--to=model/shipped] [--force]
"""
from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
from pathlib import Path

from model.analyzer import SHIPPED_MODEL
from model.stance import STANCE_FILE, STANCE_WEIGHTS, has_stance, read_stance_settings
from model.weights import INT8_FILE
from training.report import write_stance_card_section

HEADLINE_SETS = ("semeval2016", "vast", "basil", "news_targets")


def headline_mean(settings: dict, names: list[str]) -> float:
    metrics = settings["metrics"]
    return sum(metrics[name][metrics[name]["headline"]] for name in names) / len(names)


def shared_headline_sets(new: dict, old: dict) -> list[str]:
    """The headline dev sets both stance models report (an older model may predate a dev set)."""
    return [name for name in HEADLINE_SETS if name in new["metrics"] and name in old["metrics"]]


def missing_headline_sets(new: dict, old: dict) -> list[str]:
    """The headline dev sets ``old`` reports and ``new`` does not (a second stage evaluated on its own corpora)."""
    return [name for name in HEADLINE_SETS if name in old["metrics"] and name not in new["metrics"]]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="runs/stance")
    parser.add_argument("--to", default=str(SHIPPED_MODEL))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    source, dest = Path(args.model), Path(args.to)
    settings = read_stance_settings(source) if has_stance(source) else {}
    if "metrics" not in settings:
        raise SystemExit(f"No evaluated stance model at {source}: run `make train-stance` first")
    if settings["mode"] != "lora":
        raise SystemExit(f"{source} holds a whole encoder (mode=full): too large to ship beside the framing model")
    if not filecmp.cmp(source / INT8_FILE, dest / INT8_FILE, shallow=False):
        raise SystemExit(f"{source} was trained over another encoder than {dest}'s: retrain with --base={dest}")
    shipped = read_stance_settings(dest) if has_stance(dest) else None
    names = shared_headline_sets(settings, shipped or settings)
    missing = missing_headline_sets(settings, shipped) if shipped else []
    if missing and not args.force:  # a news-only stage without --eval_corpora: its tweet figures are unknown
        raise SystemExit(f"Not shipped: {source} reports no dev figures for {', '.join(missing)}, which {dest} "
                         "reports; evaluate it there (--eval_corpora) or pass --force")
    new, old = headline_mean(settings, names), headline_mean(shipped, names) if shipped else None
    if old is not None and not args.force and old > new:
        raise SystemExit(f"Not shipped: {dest} has dev headline mean {old:.3f} > {new:.3f} over {', '.join(names)}; "
                         "pass --force to replace it anyway")
    for name in (STANCE_FILE, STANCE_WEIGHTS):
        shutil.copy2(source / name, dest / name)
    write_stance_card_section(dest)
    print(f"shipped the stance adapter of {source} into {dest} (dev headline mean {new:.3f} over {', '.join(names)}; "
          f"{(dest / STANCE_WEIGHTS).stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
