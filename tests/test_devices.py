"""The device adapter (model/devices.py) and its teacher and student jobs, on tiny models and fake corpora."""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from conftest import FAKE_ANNOTATIONS, SENTENCES, write_tiny_classifier
from model.analyzer import Analyzer
from model.devices import DEVICES_FILE
from training.config import DeviceConfig, TrainConfig
from training.device_data import (DEVICE_LABELS, DeviceNet, DeviceSplits, read_pool, train_device_net,
                                  with_written)
from training.device_teacher import main as train_teacher
from training.device_train import calibrate_and_evaluate, save_devices, training_rows
from training.lora import add_lora
from training.annotations import load_annotations
from training.news_corpora import load_news
from training.sample_annotations import build_cue_pool, document_split

LABELS = [*DEVICE_LABELS, "Loaded_Language"]
# one label each for SENTENCES (the first stands in for victimhood), none for the neutral report
GOLD = np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=np.float32)
RUN = SimpleNamespace(lr=0.05, weight_decay=0.0, warmup_ratio=0.0, batch_size=4, epochs=60, max_length=32, seed=0)


@pytest.fixture(scope="module")
def framing_model(tmp_path_factory):
    """A random framing model whose outputs include the three project devices."""
    return write_tiny_classifier(tmp_path_factory.mktemp("framing"), LABELS, 2, [])


@pytest.fixture(scope="module")
def device_model(framing_model, tmp_path_factory):
    """The framing model plus a device adapter overfit on SENTENCES through the student's functions."""
    base = Analyzer.from_pretrained(framing_model, device="cpu")
    net = DeviceNet(base.model.base_model)
    add_lora(net.encoder, 4, 8.0)
    torch.manual_seed(0)
    train_device_net(net, SENTENCES, GOLD, base.tokenizer, RUN)
    out = tmp_path_factory.mktemp("devices") / "with_devices"
    save_devices(net, DeviceConfig(base=str(framing_model), max_length=32, lora_rank=4, lora_alpha=8.0), out, {})
    metrics = calibrate_and_evaluate(out, DeviceSplits((SENTENCES, GOLD), (SENTENCES, GOLD), (SENTENCES, GOLD)))
    assert metrics["test"]["micro_f1"] == 1.0, metrics["test"]
    return out


def test_device_adapter_replaces_the_device_scores_only(framing_model, device_model, tmp_path):
    plain = Analyzer.from_pretrained(framing_model, device="cpu")
    with_devices = Analyzer.from_pretrained(device_model, device="cpu")
    before, after = plain.probabilities(SENTENCES), with_devices.probabilities(SENTENCES)  # (4, 4)
    technique = LABELS.index("Loaded_Language")
    assert torch.equal(before[:, technique], after[:, technique])
    assert not torch.allclose(before[:, :3], after[:, :3])
    settings = json.loads((device_model / DEVICES_FILE).read_text())
    assert with_devices.thresholds["victimhood"] == settings["thresholds"]["victimhood"]
    results = with_devices.score(SENTENCES)
    assert [[x for x in r.labels if x in DEVICE_LABELS] for r in results] == [
        ["victimhood"], [], ["blame_shifting"], ["goodwill_claim"]]
    exported = Analyzer.from_pretrained(with_devices.export(tmp_path / "plain"), device="cpu")
    assert torch.allclose(exported.probabilities(SENTENCES), after, atol=1e-5)


def test_device_adapter_for_labels_the_model_lacks_is_a_clear_error(tiny_model, device_model, tmp_path):
    import shutil

    folder = tmp_path / "mismatch"
    shutil.copytree(tiny_model, folder)
    for name in ("devices.json", "devices.safetensors"):
        shutil.copy(device_model / name, folder / name)
    with pytest.raises(ValueError, match="head of shape|no output for"):
        Analyzer.from_pretrained(folder, device="cpu")


def test_student_rows_take_gold_over_the_teacher_and_repeat_it():
    pool = [{"text": "responsibility lies with them alone", "teacher": [0.2, 0.1, 0.0]},
            {"text": "officials met on tuesday", "teacher": [0.1, 0.7, 0.3]}]
    texts, targets = training_rows(pool, ["responsibility  lies with them alone"], np.array([[1, 0, 0]], "f4"), 2)
    assert texts == ["officials met on tuesday"] + ["responsibility  lies with them alone"] * 2
    assert targets.tolist() == [pytest.approx([0.1, 0.7, 0.3]), [1, 0, 0], [1, 0, 0]]


def test_written_sentences_join_the_gold_unless_held_out(tmp_path):
    rows = [{"id": "w1", "group": "g", "role": "device", "text": "They alone caused the crisis, he said.",
             "labels": ["blame_shifting"]},
            {"id": "w2", "group": "g", "role": "neutral", "text": "Talks ended on Monday.", "labels": []}]
    path = tmp_path / "written.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    train = (["We are victims."], np.array([[0, 0, 1]], "f4"))
    texts, gold = with_written(train, str(path), held_out=["Talks  ended on Monday."])
    assert texts == ["We are victims.", "They alone caused the crisis, he said."]
    assert gold.tolist() == [[0, 0, 1], [1, 0, 0]]
    assert with_written(train, "", held_out=[]) is train
    assert DeviceConfig().written == "data/written/devices.jsonl"


def test_teacher_labels_the_pool_of_training_documents_only(fake_corpora, tiny_encoder, tmp_path):
    rows = FAKE_ANNOTATIONS
    annotations = tmp_path / "ann.jsonl"
    annotations.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "teacher"
    train_teacher([f"--encoder={tiny_encoder}", f"--data={fake_corpora}", f"--annotations={annotations}",
                   "--val_fraction=0.0", "--epochs=1", "--max_length=32", f"--out={out}", "--device=cpu"])
    pool = read_pool(out / "pool.jsonl")
    texts = [row["text"] for row in pool]
    assert texts == ["The vile enemy attacked.", "Mr. Smith of the U.S. said so.", "We are being encircled by them."]
    assert document_split("basil", "2010/ev_1") == "test"  # so none of its sentences is in the pool
    assert "We are victims." not in texts  # a test annotation's sentence never becomes a training target
    assert all(len(row["teacher"]) == len(DEVICE_LABELS) and 0 <= min(row["teacher"]) for row in pool)
    summary = json.loads((out / "teacher.json").read_text())
    assert summary["pool_sentences"] == len(pool) and summary["config"]["epochs"] == 1
    again = tmp_path / "again"
    again.mkdir()
    (again / "teacher.safetensors").write_bytes((out / "teacher.safetensors").read_bytes())
    train_teacher([f"--encoder={tiny_encoder}", f"--data={fake_corpora}", f"--annotations={annotations}",
                   "--val_fraction=0.0", "--max_length=32", f"--out={again}", "--label_only=true", "--device=cpu"])
    relabelled = np.array([r["teacher"] for r in read_pool(again / "pool.jsonl")])
    assert np.allclose(relabelled, [r["teacher"] for r in pool], atol=2e-3)  # the saved weights are fp16


def test_teacher_needs_a_local_encoder(tmp_path):
    with pytest.raises(ValueError, match="local transformers folder"):
        train_teacher([f"--encoder={tmp_path}"])
    assert TrainConfig().annotations  # the teacher's annotations default follows the framing model's


def test_device_card_section_sits_before_the_stance_section_and_is_replaced(device_model, tmp_path):
    import shutil

    from training.report import STANCE_CARD_MARK
    from training.ship_devices import DEVICE_CARD_MARK, write_device_card_section

    folder = tmp_path / "card"
    shutil.copytree(device_model, folder)
    settings = json.loads((folder / DEVICES_FILE).read_text())
    (folder / DEVICES_FILE).write_text(json.dumps({**settings, "train_sentences": 4}))
    (folder / "README.md").write_text(f"# Card\n\nframing part\n\n{STANCE_CARD_MARK}\n\nstance part\n")
    write_device_card_section(folder)
    write_device_card_section(folder)
    card = (folder / "README.md").read_text()
    assert card.count(DEVICE_CARD_MARK) == 1 and card.count(STANCE_CARD_MARK) == 1
    assert card.index("framing part") < card.index(DEVICE_CARD_MARK) < card.index(STANCE_CARD_MARK)
    assert "| goodwill_claim | test |" in card and card.rstrip().endswith("stance part")


def test_cue_round_draws_unpooled_cue_sentences_of_training_documents_only(fake_corpora):
    news = load_news(fake_corpora)
    drawn = build_cue_pool(news, done=[], n_per_label=5, val_fraction=0.0)
    # "They blamed us for everything." matches a blame cue but its document is in the test split
    assert [(r["text"], r["sampling"], r["split"]) for r in drawn] == [
        ("We are being encircled by them.", "cue7:victimhood", "train")]
    done = load_annotations_rows(fake_corpora, FAKE_ANNOTATIONS)
    assert build_cue_pool(news, done=done, n_per_label=5, val_fraction=0.0) == []
    assert build_cue_pool(news, done=[], n_per_label=5, val_fraction=1.0) == []  # validation stories: never


def load_annotations_rows(root, rows):
    path = root / "ann.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return load_annotations(path, load_news(root))
