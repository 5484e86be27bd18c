"""`make bench`: load time and scoring speed of a model on this machine (CPU unless a GPU is there).

Usage: python -m training.bench [--model=FOLDER] [--documents=40] [--batch-size=32]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from model.analyzer import Analyzer
from model.sentences import split_sentences

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_d0560581d8f2b1c6.txt"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    parser.add_argument("--documents", type=int, default=40, help="copies of the seed article to score")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    analyzer = Analyzer.from_pretrained(args.model, batch_size=args.batch_size)
    load_s = time.perf_counter() - started
    text = SEED.read_text(encoding="utf-8")
    documents = [text] * args.documents
    analyzer.predict(documents[:1])  # warm-up
    started = time.perf_counter()
    n_split = sum(len(split_sentences(d)) for d in documents)
    split_s = time.perf_counter() - started
    started = time.perf_counter()
    results = analyzer.predict(documents)
    total_s = time.perf_counter() - started
    n = sum(len(r.sentences) for r in results)
    assert n == n_split
    print(f"device {next(analyzer.model.parameters()).device}, torch threads {torch.get_num_threads()}")
    print(f"load            {load_s:8.2f} s")
    print(f"split only      {n / split_s:8.1f} sentences/s")
    print(f"predict (total) {n / total_s:8.1f} sentences/s  ({n} sentences, {args.documents} documents, "
          f"{total_s:.2f} s)")
    if analyzer.stance is not None:  # stance: one more encoder pass per (sentence, target) pair
        targets = ["United States", "North Korea"]
        started = time.perf_counter()
        analyzer.predict(documents, targets=targets)
        stance_s = time.perf_counter() - started - total_s
        print(f"+ stance        {n * len(targets) / stance_s:8.1f} pairs/s  ({len(targets)} targets; predict with "
              f"targets {n / (stance_s + total_s):.1f} sentences/s)")


if __name__ == "__main__":
    main(sys.argv[1:])
