"""Command line: `framescan score PATH... --out results.jsonl` (also `python -m model score ...`)."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

from model.analyzer import Analyzer
from model.documents import find_files, read_document, write_atomically
from model.results import DocumentResult

TABLE_TEXT_WIDTH = 90


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framescan", description="Sentence-level framing and persuasion "
                                     "techniques in news text.")
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score .txt/.md files or folders (recursed)")
    score.add_argument("paths", nargs="+", metavar="PATH")
    score.add_argument("--out", help="output file (default: JSON lines on stdout)")
    score.add_argument("--format", choices=("jsonl", "csv"), default=None,
                       help="output format (default: from --out's suffix, else jsonl)")
    score.add_argument("--table", action="store_true", help="print a readable per-sentence table to stdout")
    score.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    score.add_argument("--batch-size", type=int, default=32)
    score.add_argument("--device", default="auto", help="auto, cpu or cuda")
    score.add_argument("--target", action="append", default=[], metavar="NAME",
                       help="a target for stance (favor/against/none per sentence); repeat for several")
    score.add_argument("--targets-file", metavar="FILE", help="targets, one per line (# starts a comment)")
    score.add_argument("--summary", metavar="FILE",
                       help="also write one JSON line per document: label counts and per-target stance roll-up")
    export = sub.add_parser("export", help="write the model as a plain transformers folder (float32 safetensors)")
    export.add_argument("out", metavar="FOLDER")
    export.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    return parser


def sentence_rows(name: str, result: DocumentResult) -> list[dict]:
    return [{"document": name, "index": i, **s.to_dict()} for i, s in enumerate(result.sentences)]


def read_targets(args) -> list[str]:
    """--target values, then the lines of --targets-file (blank lines and # comments skipped)."""
    targets = list(args.target)
    if args.targets_file:
        try:
            lines = Path(args.targets_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise ValueError(f"--targets-file {args.targets_file}: cannot be read as UTF-8 text ({err}); "
                             "give a text file with one target per line") from err
        targets += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return targets


def render(rows: list[dict], fmt: str, labels: list[str], targets: list[str]) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    stance_columns = [f"{kind}:{t}" for t in targets for kind in ("stance", "favor", "against")]
    writer.writerow(["document", "index", "start", "end", "text", "labels", *labels, *stance_columns])
    for row in rows:
        stance = [value for t in targets for value in (row["stance"][t]["label"], row["stance"][t]["scores"]["favor"],
                                                       row["stance"][t]["scores"]["against"])]
        writer.writerow([row["document"], row["index"], row["start"], row["end"], row["text"],
                         ";".join(row["labels"]), *(row["scores"][label] for label in labels), *stance])
    return buffer.getvalue()


def print_table(name: str, result: DocumentResult) -> None:
    print(f"\n== {name}: {len(result.sentences)} sentences; labels found: "
          f"{', '.join(f'{k} x{v}' for k, v in result.label_counts.items()) or 'none'}")
    for i, s in enumerate(result.sentences):
        text = s.text if len(s.text) <= TABLE_TEXT_WIDTH else s.text[:TABLE_TEXT_WIDTH - 3] + "..."
        tags = ", ".join([f"{label} {s.scores[label]:.2f}" for label in s.labels] +
                         [f"{r.label} {t} {r.scores[r.label]:.2f}" for t, r in s.stance.items() if r.label != "none"])
        print(f"{i:>3} {text}" + (f"\n      -> {tags}" if tags else ""))
    for target, rolled in result.stance.items():
        print(f"    stance toward {target}: {rolled.label} (sentences favor {rolled.counts['favor']}, against "
              f"{rolled.counts['against']}; mean favor {rolled.favor:.2f}, against {rolled.against:.2f})")


def score_command(args) -> int:
    files, errors = find_files(args.paths)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    analyzer = Analyzer.from_pretrained(args.model, device=args.device, batch_size=args.batch_size)
    targets = analyzer.check_targets(read_targets(args))  # bad targets fail before any scoring
    fmt = args.format or ("csv" if args.out and args.out.endswith(".csv") else "jsonl")
    rows, summaries, n_docs, started = [], [], 0, time.time()
    for path in tqdm(files, desc="scoring", unit="file", file=sys.stderr, disable=not files):
        try:
            document = read_document(path)
        except ValueError as err:
            tqdm.write(f"error: {err}", file=sys.stderr)
            errors.append(str(err))
            continue
        result = analyzer.predict([document.text], targets=targets)[0]
        rows += sentence_rows(document.name, result)
        summaries.append({"document": document.name, "sentences": len(result.sentences),
                          "label_counts": result.label_counts, "stance": result.to_dict()["stance"]})
        n_docs += 1
        if args.table:
            print_table(document.name, result)
    output = render(rows, fmt, analyzer.labels, targets)
    if args.out:
        write_atomically(Path(args.out), output)
    elif not args.table:
        sys.stdout.write(output)
    if args.summary:
        write_atomically(Path(args.summary), render(summaries, "jsonl", [], []))
    flagged = sum(1 for row in rows if row["labels"])
    print(f"scored {n_docs} documents, {len(rows)} sentences ({flagged} with labels) in "
          f"{time.time() - started:.1f}s; {len(errors)} failed" + (f"; wrote {args.out}" if args.out else ""),
          file=sys.stderr)
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "score":
            return score_command(args)
        folder = Analyzer.from_pretrained(args.model, device="cpu").export(args.out)
        print(f"exported a plain transformers folder to {folder}", file=sys.stderr)
        return 0
    except (FileNotFoundError, ValueError, TypeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
