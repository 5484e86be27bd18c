"""Overfit a tiny model on a handful of sentences, save in the project layout, reload, compare."""
import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from model.analyzer import Analyzer
from model.weights import INT8_FILE, PLAIN_FILE, dequantize_state_dict, quantize_state_dict
from training.config import TrainConfig
from training.data import Table
from training.metrics import (best_threshold, cross_fitted_predictions, expected_calibration_error,
                              fit_temperature, report)
from training.train import calibrate_model, save, train_model
from tests.conftest import LABELS, SENTENCES, TARGETS


@pytest.fixture(scope="module")
def overfit(tiny_encoder, tmp_path_factory):
    config = TrainConfig(encoder=str(tiny_encoder), epochs=200, lr=2e-2, batch_size=4, warmup_ratio=0.0,
                         max_length=32, device="cpu")
    table = Table(SENTENCES, np.array(TARGETS, float), np.ones((4, 3)), ["d/1"] * 4, [-1] * 4)
    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder)
    model = train_model(config, LABELS, table, tokenizer, str(tiny_encoder), torch.device("cpu"))
    temperature, thresholds = calibrate_model(model, table, tokenizer, config, torch.device("cpu"))
    out = tmp_path_factory.mktemp("trained")
    save(model, tokenizer, out, config, {"untrained_labels": ["victimhood"]}, temperature, thresholds)
    return out


def test_overfits_and_reloads_with_identical_probabilities(overfit):
    analyzer = Analyzer.from_pretrained(overfit, device="cpu")
    results = analyzer.score(SENTENCES)
    assert [r.labels for r in results] == [[LABELS[j] for j in range(3) if t[j]] for t in TARGETS]
    again = Analyzer.from_pretrained(overfit, device="cpu").probabilities(SENTENCES)
    assert torch.equal(analyzer.probabilities(SENTENCES), again)
    assert analyzer.labels == LABELS and analyzer.untrained_labels == ["victimhood"]


def test_int8_weights_load_and_agree_with_float(overfit, tmp_path):
    from model.weights import load_state_dict, save_int8
    import shutil

    shutil.copytree(overfit, tmp_path / "q")
    save_int8(load_state_dict(overfit), tmp_path / "q")
    (tmp_path / "q" / PLAIN_FILE).unlink()
    assert (tmp_path / "q" / INT8_FILE).is_file()
    full = Analyzer.from_pretrained(overfit, device="cpu")
    small = Analyzer.from_pretrained(tmp_path / "q", device="cpu")
    diff = (full.probabilities(SENTENCES) - small.probabilities(SENTENCES)).abs().max()
    assert diff < 0.05
    assert [r.labels for r in small.score(SENTENCES)] == [r.labels for r in full.score(SENTENCES)]


def test_export_writes_a_plain_transformers_folder(overfit, tmp_path):
    from transformers import AutoModelForSequenceClassification

    Analyzer.from_pretrained(overfit, device="cpu").export(tmp_path / "plain")
    plain = AutoModelForSequenceClassification.from_pretrained(tmp_path / "plain")
    assert plain.config.id2label[0] == LABELS[0] and (tmp_path / "plain" / PLAIN_FILE).is_file()


def test_quantization_round_trip_error_is_small():
    torch.manual_seed(0)
    state = {"w": torch.randn(64, 128), "b": torch.randn(64)}
    back = dequantize_state_dict(quantize_state_dict(state))
    assert (back["w"] - state["w"]).abs().max() <= state["w"].abs().amax(1).max() / 127 + 1e-6
    assert torch.allclose(back["b"], state["b"], atol=1e-2)


def test_metrics_thresholds_and_calibration():
    gold = np.array([[1, 0], [1, 0], [0, 1], [0, 0]], bool)
    pred = np.array([[1, 0], [0, 0], [0, 1], [1, 0]], bool)
    r = report(gold, pred, ["a", "b"])
    assert r["labels"]["a"]["precision"] == 0.5 and r["labels"]["b"]["f1"] == 1.0
    assert r["micro_f1"] == pytest.approx(2 * (2 / 3) * (2 / 3) / (4 / 3))
    assert best_threshold(np.array([1, 1, 0, 0]), np.array([0.9, 0.6, 0.3, 0.1])) == 0.6
    assert best_threshold(np.array([1, 0]), np.array([0.8996, 0.5])) <= 0.8996  # never rounds past a positive
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4000, 1)) * 3
    labels = rng.random((4000, 1)) < 1 / (1 + np.exp(-logits / 2))  # true temperature 2
    assert fit_temperature(logits, labels) == pytest.approx(2, rel=0.15)
    probs = 1 / (1 + np.exp(-logits / 2))
    assert expected_calibration_error(probs, labels) < 0.03 < expected_calibration_error(probs ** 3, labels)
    groups = np.repeat(np.arange(8), 500)
    tuned_on = []
    pred = cross_fitted_predictions(probs, groups, lambda rows: tuned_on.append(set(groups[rows])) or 0.5)
    assert pred.shape == labels.shape and (pred == (probs >= 0.5)).all()
    assert tuned_on == [{0, 2, 4, 6}, {1, 3, 5, 7}]


def test_global_threshold_at_paragraph_level():
    from training.metrics import group_max, paragraph_threshold

    keys = ["p1", "p1", "p2", "p3"]
    assert group_max(np.array([[0.1], [0.7], [0.2], [0.4]]), keys).ravel().tolist() == [0.7, 0.2, 0.4]
    gold = np.array([[0], [1], [0], [1]])  # p1 and p3 carry the label
    probs = np.array([[0.9], [0.1], [0.3], [0.5]])
    assert 0.3 < paragraph_threshold(gold, probs, keys) <= 0.5
