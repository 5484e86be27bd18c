"""Reading input documents from paths, and writing outputs atomically."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Document:
    name: str
    text: str


def find_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Text files under ``paths`` (files as given, folders recursed for .txt/.md), and one error line per path
    that does not exist."""
    files, errors = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{path}: no such file or folder; pass .txt/.md files or folders that hold them")
    return files, errors


def read_document(path: Path) -> Document:
    """The document at ``path``; ValueError with a one-line reason for unreadable, non-UTF-8 or empty files."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValueError(f"{path}: cannot be read ({err.strerror}); check its permissions") from err
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 text (bad byte at offset {err.start}); "
                         "convert it, e.g. `iconv -f latin1 -t utf-8`") from err
    if not text.strip():
        raise ValueError(f"{path}: empty document, nothing to score")
    return Document(str(path), text)


def write_atomically(path: Path, content: str) -> None:
    """Write through a temporary file in the same folder and rename: never a half-written output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
