"""The project-written example sentences (data/written/) keep their contract; no corpus needed."""
import json
from collections import Counter

import pytest

from training.annotation_stats import agreement
from training.annotations import PROJECT_LABELS, read_rows
from training.sample_stance import stance_kappa
from training.written import DEVICE_ROLES, FOLDER, load_written_devices, load_written_stance

DEVICES = read_rows(FOLDER / "devices.jsonl")
STANCE = read_rows(FOLDER / "stance.jsonl")
STANCE_FAVOR = read_rows(FOLDER / "stance_favor.jsonl")  # the second batch: favor amid harsh words


def test_device_groups_hold_the_four_contrasts():
    assert len({r["id"] for r in DEVICES}) == len(DEVICES) >= 900
    groups: dict[str, list[dict]] = {}
    for r in DEVICES:
        groups.setdefault(r["group"], []).append(r)
    for name, rows in groups.items():
        assert [r["role"] for r in rows] == list(DEVICE_ROLES), name
        device, neutral, heated, _ = rows
        assert device["device"] in device["labels"] and not neutral["labels"] and not heated["labels"], name
    positives = Counter(label for r in DEVICES for label in r["labels"])
    assert all(positives[label] >= 140 for label in PROJECT_LABELS), positives


def test_stance_groups_label_every_target_and_often_differ_by_target():
    groups: dict[str, set] = {}
    for r in STANCE:
        groups.setdefault(r["group"], set()).add(tuple(sorted(r["stance"])))
    assert all(len(targets) == 1 for targets in groups.values())  # one target set per group
    mixed = [r for r in STANCE if len(set(r["stance"].values())) > 1]
    assert len(mixed) >= len(STANCE) // 2


def test_the_texts_never_name_the_seed_story():
    """Written so that the seed article stays a fair check: nothing on the Korean Peninsula."""
    names = ("korea", "pyongyang", "seoul", "dprk", "kim jong", "gesture of goodwill", "practically nothing")
    assert not [r["id"] for r in DEVICES + STANCE + STANCE_FAVOR if any(n in r["text"].lower() for n in names)]


def test_second_annotation_agrees():
    second = read_rows(FOLDER / "devices.second_annotator.jsonl")
    assert len(second) >= 200 and all(a["kappa"] > 0.8 for a in agreement(DEVICES, second).values())
    assert stance_kappa(STANCE, read_rows(FOLDER / "stance.second_annotator.jsonl")) > 0.8
    assert stance_kappa(STANCE_FAVOR, read_rows(FOLDER / "stance_favor.second_annotator.jsonl")) > 0.8


def test_favor_batch_contrasts_favor_a_target():
    contrast = [r for r in STANCE_FAVOR if r["role"] == "contrast"]
    assert len(contrast) == 150 and all("favor" in r["stance"].values() for r in contrast)
    assert all(set(r["stance"].values()) == {"none"} for r in STANCE_FAVOR if r["role"] == "neutral")
    assert len(load_written_stance(FOLDER / "stance_favor.jsonl")) == sum(len(r["stance"]) for r in STANCE_FAVOR)


def test_loaders_reject_unknown_labels(tmp_path):
    assert len(load_written_devices(FOLDER / "devices.jsonl")) == len(DEVICES)
    assert len(load_written_stance(FOLDER / "stance.jsonl")) == sum(len(r["stance"]) for r in STANCE)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "group": "g", "role": "device", "text": "t", "labels": ["smear"]}) + "\n")
    with pytest.raises(ValueError, match="expected labels"):
        load_written_devices(bad)
    bad.write_text(json.dumps({"id": "x", "group": "g", "role": "contrast", "text": "t",
                               "stance": {"NATO": "pro"}}) + "\n")
    with pytest.raises(ValueError, match="expected labels"):
        load_written_stance(bad)
    with pytest.raises(FileNotFoundError, match="No written examples"):
        load_written_devices(tmp_path / "missing.jsonl")


def test_written_stance_pairs_train_only(tmp_path):
    from training.stance_data import stance_splits

    train, dev = stance_splits(tmp_path, ("written",), 0.15, 13)  # needs no corpus
    assert dev == {} and len(train) == sum(len(r["stance"]) for r in STANCE)
    assert {p.corpus for p in train} == {"written"} and all(p.group.startswith("written:") for p in train)
