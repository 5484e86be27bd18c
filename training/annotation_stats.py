"""Counts and inter-annotator agreement of the project's framing-device annotations (no corpus needed).

Usage: python -m training.annotation_stats [--annotations=data/annotations/framing_devices.jsonl]
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from training.annotations import PROJECT_LABELS, read_rows

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "annotations" / "framing_devices.jsonl"


def agreement(rows: list[dict], second: list[dict]) -> dict[str, dict]:
    """Cohen's kappa per label between the first annotator (before adjudication) and the second."""
    first = {r["id"]: r.get("first_labels", r["labels"]) for r in rows}
    out = {}
    for label in PROJECT_LABELS:
        a = [label in first[r["id"]] for r in second]
        b = [label in r["labels"] for r in second]
        # kappa is undefined when neither annotator marked the label: nan, printed as such
        kappa = cohen_kappa_score(a, b) if any(a) or any(b) else float("nan")
        out[label] = {"kappa": kappa, "first_positive": sum(a), "second_positive": sum(b),
                      "both": sum(x and y for x, y in zip(a, b)), "n": len(second)}
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", default=str(DEFAULT))
    args = parser.parse_args(argv)
    path = Path(args.annotations)
    rows = read_rows(path)
    print(f"{len(rows)} sentences from {len({(r['corpus'], r['doc_id']) for r in rows})} documents")
    for split in ("train", "test"):
        part = [r for r in rows if r["split"] == split]
        counts = Counter(label for r in part for label in r["labels"])
        print(f"  {split:5}: {len(part):5} sentences; " + ", ".join(f"{k} {counts[k]}" for k in PROJECT_LABELS)
              + f"; none {sum(1 for r in part if not r['labels'])}")
    print("by sampling method: " + ", ".join(f"{k} {v}" for k, v in
                                             sorted(Counter(r["sampling"].split(":")[0] for r in rows).items())))
    second_path = path.with_name(path.stem + ".second_annotator.jsonl")
    if second_path.is_file():
        second = read_rows(second_path)
        print(f"double annotation: {len(second)} sentences, annotated independently")
        by_round: dict[str, list[dict]] = {}
        for r in second:
            by_round.setdefault(r.get("annotator", "").split("-")[0], []).append(r)
        for name, part in [("all", second)] + (sorted(by_round.items()) if len(by_round) > 1 else []):
            print(f" {name} ({len(part)} sentences)")
            for label, a in agreement(rows, part).items():
                print(f"  {label:15} kappa {a['kappa']:.3f}  (first {a['first_positive']}, second "
                      f"{a['second_positive']}, both {a['both']})")


if __name__ == "__main__":
    main(sys.argv[1:])
