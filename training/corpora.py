"""Locating the corpora and reading the two technique corpora (SemEval-2023 Task 3 English, PTC) as articles.

The corpora are research data: they are unpacked from ../shared/corpora.tar.xz into a git-ignored folder and
never committed. Each corpus is read with its own article files and its own character offsets.
"""
from __future__ import annotations

import json
import os
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARCHIVE = PROJECT_ROOT.parent / "shared" / "corpora.tar.xz"
DEFAULT_UNPACK_DIR = PROJECT_ROOT / ".corpora"
CORPORA_ENV = "FRAMING_CORPORA"
SCHEMA_PATH = PROJECT_ROOT / "data" / "schema.json"

SEMEVAL_DIR = "semeval2023_task3/data/en"
PTC_DIR = "ptc_semeval2020_task11/data/SemEval2020/datasets"


@dataclass(frozen=True)
class Article:
    """One article: its text, technique spans (label, start, end) and, where the corpus has them, paragraph labels."""

    corpus: str
    doc_id: str
    text: str
    spans: tuple[tuple[str, int, int], ...] = ()
    # (start, end, labels) of each paragraph line, for corpora labelled per paragraph
    paragraphs: tuple[tuple[int, int, tuple[str, ...]], ...] = field(default=())



def project_file(path: str | Path, what: str, remedy: str) -> Path:
    """``path`` (relative to the project root unless absolute); a missing file is an error naming ``what`` and
    saying ``remedy``."""
    path = Path(path)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    if not path.is_file():
        raise FileNotFoundError(f"No {what} at {path}: {remedy}")
    return path

def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def technique_labels() -> list[str]:
    """The 23 persuasion techniques in schema order (everything but the project devices)."""
    groups = load_schema()["framing_groups"]
    return [label for name, labels in groups.items() if name != "Project framing devices" for label in labels]


def corpora_root(path: str | os.PathLike | None = None) -> Path:
    """The unpacked corpora folder: ``path``, else $FRAMING_CORPORA, else .corpora/corpora (unpacked on first use)."""
    chosen = path or os.environ.get(CORPORA_ENV)
    if chosen:
        root = Path(chosen)
        if (root / "corpora").is_dir() and not (root / SEMEVAL_DIR).is_dir():
            root = root / "corpora"
        if not root.is_dir():
            raise FileNotFoundError(f"No corpora folder at {root}: pass the folder that holds semeval2023_task3/ "
                                    f"(--data or ${CORPORA_ENV}), or unset it to unpack {DEFAULT_ARCHIVE}")
        return root
    root = DEFAULT_UNPACK_DIR / "corpora"
    if not (root / SEMEVAL_DIR).is_dir():
        unpack(DEFAULT_ARCHIVE, DEFAULT_UNPACK_DIR)
    return root


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack the corpora archive into ``dest`` (through a temporary folder, so a failed unpack leaves nothing)."""
    if not archive.is_file():
        raise FileNotFoundError(f"No corpora archive at {archive}: put the project beside ../shared, "
                                f"or pass an unpacked folder with --data or ${CORPORA_ENV}")
    tmp = dest.with_name(dest.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:xz") as tar:
        tar.extractall(tmp, filter="data")
    dest.mkdir(parents=True, exist_ok=True)
    (tmp / "corpora").replace(dest / "corpora")
    tmp.rmdir()
    return dest / "corpora"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not UTF-8 ({err.reason}): the corpus file is damaged; unpack it again") from err


def _read_span_file(path: Path) -> list[tuple[str, int, int]]:
    spans = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            _, label, start, end = line.split("\t")[:4]
            spans.append((label, int(start), int(end)))
    return spans


def _line_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, blank ones included: line numbers in the label files count them all."""
    offsets, start = [], 0
    for line in text.split("\n"):
        offsets.append((start, start + len(line)))
        start += len(line) + 1
    return offsets


def _paragraph_labels(path: Path) -> dict[str, dict[int, tuple[str, ...]]]:
    table: dict[str, dict[int, tuple[str, ...]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0]:
            continue
        labels = tuple(x for x in (parts[2].split(",") if len(parts) > 2 else []) if x)
        table.setdefault(parts[0], {})[int(parts[1])] = labels
    return table


def load_semeval2023(root: Path) -> list[Article]:
    """SemEval-2023 Task 3 English train bundle: articles with spans and paragraph labels."""
    base = root / SEMEVAL_DIR
    if not base.is_dir():
        raise FileNotFoundError(f"No SemEval-2023 folder at {base}: check --data / ${CORPORA_ENV}")
    para_labels = _paragraph_labels(base / "train-labels-subtask-3.txt")
    articles = []
    for path in sorted((base / "train-articles-subtask-3").glob("article*.txt")):
        doc_id = path.stem.removeprefix("article")
        text = _read_text(path)
        span_file = base / "train-labels-subtask-3-spans" / f"article{doc_id}-labels-subtask-3.txt"
        spans = _read_span_file(span_file) if span_file.exists() else []
        lines = _line_offsets(text)
        paragraphs = tuple((lines[n - 1][0], lines[n - 1][1], labels)
                           for n, labels in sorted(para_labels.get(doc_id, {}).items()) if n <= len(lines))
        articles.append(Article("semeval2023", doc_id, text, tuple(spans), paragraphs))
    return articles


def load_ptc(root: Path) -> list[Article]:
    """PTC (SemEval-2020 Task 11) train and dev articles, old technique names mapped per LABELS.md."""
    base = root / PTC_DIR
    if not base.is_dir():
        raise FileNotFoundError(f"No PTC folder at {base}: check --data / ${CORPORA_ENV}")
    label_map = load_schema()["ptc_label_map"]
    articles = []
    for split in ("train", "dev"):
        for path in sorted((base / f"{split}-articles").glob("article*.txt")):
            doc_id = path.stem.removeprefix("article")
            span_file = base / f"{split}-labels-task-flc-tc" / f"article{doc_id}.task-flc-tc.labels"
            old = _read_span_file(span_file) if span_file.exists() else []
            unknown = {label for label, _, _ in old} - set(label_map)
            if unknown:
                raise ValueError(f"{span_file}: technique names {sorted(unknown)} are not in data/schema.json "
                                 "ptc_label_map; add their mapping")
            spans = tuple((new, s, e) for label, s, e in old for new in label_map[label])
            articles.append(Article("ptc", doc_id, _read_text(path), spans))
    return articles


def story_key(article: Article) -> str:
    """A key shared by two ids of the same story: the normalised title line."""
    title = article.text.split("\n", 1)[0]
    return re.sub(r"\W+", " ", title.lower()).strip()
