"""The committed framing-device annotations (data/annotations/) keep their contract; no corpus needed."""
from collections import Counter
from pathlib import Path

from training.annotation_stats import agreement
from training.annotations import PROJECT_LABELS, read_rows
from training.sample_annotations import document_split

FOLDER = Path(__file__).resolve().parent.parent / "data" / "annotations"
ROWS = read_rows(FOLDER / "framing_devices.jsonl")
SECOND = read_rows(FOLDER / "framing_devices.second_annotator.jsonl")
STANDOFF_KEYS = {"id", "corpus", "doc_id", "start", "end", "labels", "split", "sampling", "annotator"}


def test_rows_are_standoff_with_known_labels_and_unique_ids():
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    assert len({(r["corpus"], r["doc_id"], r["start"]) for r in ROWS}) == len(ROWS)
    for r in ROWS:
        assert STANDOFF_KEYS <= set(r) <= STANDOFF_KEYS | {"first_labels"}, r["id"]  # no corpus text stored
        assert r["corpus"] in {"semeval2023", "basil", "narrative"} and 0 <= r["start"] < r["end"], r["id"]
        assert set(r["labels"]) <= set(PROJECT_LABELS) and len(set(r["labels"])) == len(r["labels"]), r["id"]


def test_split_is_the_document_hash_decided_before_annotation():
    assert all(r["split"] == document_split(r["corpus"], r["doc_id"]) for r in ROWS)


def test_the_issue_minimums_hold():
    """At least 2,000 sentences, 200 positives per device, 300 annotated twice."""
    positives = Counter(label for r in ROWS for label in r["labels"])
    assert len(ROWS) >= 2000 and all(positives[label] >= 200 for label in PROJECT_LABELS), positives
    assert len(SECOND) >= 300


def test_double_annotated_rows_keep_the_first_labels_and_agree_well():
    by_id = {r["id"]: r for r in ROWS}
    assert all("first_labels" in by_id[s["id"]] for s in SECOND)
    kappas = {label: a["kappa"] for label, a in agreement(ROWS, SECOND).items()}
    assert all(k > 0.6 for k in kappas.values()), kappas
