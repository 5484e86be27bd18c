"""The committed stance annotations (data/annotations/stance_targets*.jsonl) keep their contract; no corpus needed."""
from collections import Counter

from model.stance import STANCE_LABELS
from training.annotations import read_rows
from training.sample_stance import STANDOFF_KEYS, annotation_round, stance_kappa, stance_split
from training.stance_data import NEWS_TARGETS_FILE

ROWS = read_rows(NEWS_TARGETS_FILE)
SECOND = read_rows(NEWS_TARGETS_FILE.with_suffix(".second_annotator.jsonl"))


def test_rows_are_standoff_with_known_labels():
    assert len({r["id"] for r in ROWS}) == len(ROWS) >= 800
    for r in ROWS:
        assert set(STANDOFF_KEYS) <= set(r) <= set(STANDOFF_KEYS) | {"first_stance"}, r["id"]  # no corpus text
        assert r["corpus"] in {"semeval2023", "basil", "narrative"} and 0 <= r["start"] < r["end"], r["id"]
        assert r["stance"] and all(t.strip() and label in STANCE_LABELS for t, label in r["stance"].items()), r["id"]
    assert sorted(Counter(annotation_round(r) for r in ROWS).items()) == [(1, 900), (2, 750), (3, 600), (4, 226)]


def test_split_is_the_document_hash():
    assert all(r["split"] == stance_split(r["corpus"], r["doc_id"]) for r in ROWS)


def test_sentences_take_different_sides_toward_different_targets():
    """The point of this data: many sentences are not one label toward every target."""
    mixed = [r for r in ROWS if len(set(r["stance"].values())) > 1]
    sides = Counter(label for r in ROWS for label in r["stance"].values())
    assert len(mixed) >= len(ROWS) // 3 and min(sides.values()) >= 100, (len(mixed), sides)


def test_second_annotation_agrees_well():
    assert len(SECOND) >= 100 and {s["id"] for s in SECOND} <= {r["id"] for r in ROWS}
    assert stance_kappa(ROWS, SECOND) > 0.6


def test_round_4_draws_actors_as_the_object_of_blame_or_praise():
    from training.sample_stance import BLAME_VERB, PRAISE_VERB, names_object_of

    assert names_object_of("He also accused the United States of disregarding the concessions.", BLAME_VERB)
    assert names_object_of("Lawmakers praised Pyongyang for the gesture.", PRAISE_VERB)
    # the actor is the accuser, or named after a clause break: not the object
    assert not names_object_of("The United States accused him of lying.", BLAME_VERB)
    assert not names_object_of("She was accused of fraud; Russia said nothing.", BLAME_VERB)
