"""Stance metrics on the development pairs (never trained on), through the saved model's inference path.

- SemEval-2016: F_avg, the mean of the favor and against F1 (the task's official metric).
- VAST: macro-F1 over favor, against and none.
- BASIL: target-polarity F1, the mean of the favor and against F1 over its pairs (none pairs included, so a
  model that calls everything polar is penalised); macro-F1 beside it.
- P-Stance: F_avg with the prediction restricted to favor/against (the corpus has no neutral class).
- BASIL related: accuracy (the share called none) on sentences that take a side toward one actor of a story,
  asked about another actor of it: a model that ignores the target scores low; read it beside BASIL F1.
- news_targets (the project's annotation): macro-F1 over favor, against and none on its dev documents, and
  ``against_ranked_first``: within a sentence whose targets differ in gold label, how often the `against` target
  gets a higher P(against) than the sentence's other targets (0.5: the model reads tone and ignores the target);
  and (`make eval-stance` and `make eval`, not at training) ``state_swap_changed``: how often the label of a pair toward a named state changes
  when another state is put in its place (0: no state prior).
Usage: python -m training.stance_eval --model=model/shipped [--data=DIR]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from model.stance import STANCE_LABELS
from training.stance_data import CORPORA, StancePair, allowed_mask, stance_splits, swap_candidates, swap_state

HEADLINE = {"semeval2016": "f_avg", "vast": "macro_f1", "basil": "f_avg", "pstance": "f_avg",
            "basil_related": "accuracy", "news_targets": "macro_f1"}


def class_f1(gold: list[str], pred: list[str], label: str) -> float:
    tp = sum(g == p == label for g, p in zip(gold, pred))
    n_pred, n_gold = pred.count(label), gold.count(label)
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


def stance_metrics(gold: list[str], pred: list[str]) -> dict:
    f1 = {label: class_f1(gold, pred, label) for label in STANCE_LABELS}
    present = [f1[label] for label in STANCE_LABELS if label in gold]
    return {"f_avg": (f1["favor"] + f1["against"]) / 2, "macro_f1": float(np.mean(present)) if present else 0.0,
            "accuracy": float(np.mean([g == p for g, p in zip(gold, pred)])) if gold else 0.0,
            "f1": f1, "n_pairs": len(gold)}


def predicted_labels(logits: torch.Tensor, allowed: list[tuple[str, ...]]) -> list[str]:
    """Argmax over each pair's allowed labels (P-Stance pairs can only be favor or against)."""
    best = logits.masked_fill(~allowed_mask(allowed), float("-inf")).argmax(-1)  # (n,)
    return [STANCE_LABELS[int(i)] for i in best]


def against_ranking(pairs: list[StancePair], logits: torch.Tensor) -> tuple[float, int]:
    """(share, count) of the (against target, other target) comparisons within one sentence in which the against
    target gets the higher P(against), a tie counting half; a model that ignores the target scores 0.5. Ranked at
    temperature 1: the fitted temperature rescales every pair alike and rarely reorders them."""
    against = torch.softmax(logits.float(), dim=-1)[:, STANCE_LABELS.index("against")].tolist()  # (n,)
    by_sentence = defaultdict(list)
    for pair, probability in zip(pairs, against):
        by_sentence[(pair.group, pair.text)].append((pair.label, probability))
    wins = [(a > o) + 0.5 * (a == o) for rows in by_sentence.values() for gold_a, a in rows if gold_a == "against"
            for gold_o, o in rows if gold_o != "against"]
    return (sum(wins) / len(wins) if wins else 0.0), len(wins)


def corpus_metrics(dev: dict[str, list[StancePair]], logits: dict[str, torch.Tensor]) -> dict:
    out = {}
    for name, pairs in dev.items():
        pred = predicted_labels(logits[name], [p.allowed for p in pairs])
        out[name] = stance_metrics([p.label for p in pairs], pred)
        out[name]["headline"] = HEADLINE[name]
        if name == "news_targets":
            out[name]["against_ranked_first"], out[name]["ranking_comparisons"] = against_ranking(pairs, logits[name])
    return out


def state_swap_changes(scorer, pairs: list[StancePair], labels: list[str], swaps: int = 3) -> tuple[float, int]:
    """(share, count) of the swapped pairs whose label differs from ``labels`` (the model's labels for ``pairs``,
    already predicted): each pair toward a state the sentence names, with up to ``swaps`` distinct other states
    in its place (training/stance_data.py swap_state; drawn with a seed from the pair). The gold side rarely
    depends on which state it is, so 0 is best; a model with state priors changes more."""
    before, swapped = [], []
    for pair, label in zip(pairs, labels):
        candidates = swap_candidates(pair)
        rng = random.Random(zlib.crc32(f"{pair.target}|{pair.text}".encode()))
        for other in rng.sample(candidates, min(swaps, len(candidates))):
            before.append(label)
            swapped.append(swap_state(pair, other))
    if not swapped:
        return 0.0, 0
    after = predicted_labels(scorer.logits([p.target for p in swapped], [p.text for p in swapped]),
                             [p.allowed for p in swapped])
    return sum(b != a for b, a in zip(before, after)) / len(after), len(after)


def dev_logits(scorer, dev: dict[str, list[StancePair]]) -> dict[str, torch.Tensor]:
    return {name: scorer.logits([p.target for p in pairs], [p.text for p in pairs]) for name, pairs in dev.items()}


def fit_softmax_temperature(logits: torch.Tensor, gold: list[str], allowed: list[tuple[str, ...]]) -> float:
    """One temperature minimising the NLL of the gold labels (P-Stance pairs: over favor/against only)."""
    if not gold:
        return 1.0
    mask = allowed_mask(allowed)  # (n, 3)
    target = torch.tensor([STANCE_LABELS.index(g) for g in gold])  # (n,)
    grid = torch.exp(torch.linspace(np.log(0.25), np.log(4.0), 81))

    def nll(t: float) -> float:
        scaled = (logits / t).masked_fill(~mask, float("-inf"))  # (n, 3)
        return float(torch.nn.functional.cross_entropy(scaled, target))

    return float(min(grid.tolist(), key=nll))


def format_stance_metrics(metrics: dict) -> str:
    lines = ["| dev set | pairs | headline | value | F1 favor | F1 against | F1 none | macro-F1 |",
             "|---|---|---|---|---|---|---|---|"]
    for name, m in metrics.items():
        f1 = m["f1"]
        lines.append(f"| {name} | {m['n_pairs']} | {m['headline']} | **{m[m['headline']]:.3f}** | "
                     f"{f1['favor']:.3f} | {f1['against']:.3f} | {f1['none']:.3f} | {m['macro_f1']:.3f} |")
    news = metrics.get("news_targets", {})
    if "against_ranked_first" in news:
        lines += ["", f"news_targets target conditioning: the against target ranked above the sentence's other "
                      f"targets in {news['against_ranked_first']:.3f} of {news['ranking_comparisons']} comparisons "
                      "(0.5: target ignored)"]
    if news.get("state_swap_pairs"):
        lines += [f"news_targets state swap: the label changed in {news['state_swap_changed']:.3f} of "
                  f"{news['state_swap_pairs']} pairs toward a named state when another state took its place "
                  "(0: the side comes from the sentence, not the state)"]
    return "\n".join(lines)


def evaluate_stance(folder: str | Path, data: str | None = None, corpora: tuple[str, ...] = CORPORA) -> dict:
    """Dev-set stance metrics of the stance model in ``folder``, split as at training time."""
    from model.analyzer import Analyzer
    from training.corpora import corpora_root

    analyzer = Analyzer.from_pretrained(folder, device="cpu")
    if analyzer.stance is None:
        raise FileNotFoundError(f"No stance model in {folder}: run `make train-stance`")
    config = analyzer.stance.settings.get("config", {})
    _, dev = stance_splits(corpora_root(data), corpora, config.get("dev_fraction", 0.15), config.get("seed", 13))
    logits = dev_logits(analyzer.stance, dev)
    metrics = corpus_metrics(dev, logits)
    if "news_targets" in metrics:
        pairs = dev["news_targets"]
        labels = predicted_labels(logits["news_targets"], [p.allowed for p in pairs])
        news = metrics["news_targets"]
        news["state_swap_changed"], news["state_swap_pairs"] = state_swap_changes(analyzer.stance, pairs, labels)
    return metrics


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="model/shipped")
    parser.add_argument("--data", default=None)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)
    metrics = evaluate_stance(args.model, args.data)
    print(json.dumps(metrics, indent=2) if args.json else format_stance_metrics(metrics))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f"error: {err}")
