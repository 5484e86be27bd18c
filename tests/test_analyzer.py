import dataclasses

import pytest
import torch

import model
from model import Analyzer, DocumentResult, SentenceResult
from tests.conftest import LABELS

ARTICLE = "The enemy is a vile traitor. Officials met on Tuesday.\n\nResponsibility lies with them alone."


def test_predict_splits_documents_with_exact_offsets(tiny_model):
    analyzer = model.load(tiny_model, device="cpu")
    docs = analyzer.predict([ARTICLE, "", "One more."])
    assert [len(d.sentences) for d in docs] == [3, 0, 1]
    assert isinstance(docs[0], DocumentResult) and isinstance(docs[0].sentences[0], SentenceResult)
    for s in docs[0].sentences:
        assert ARTICLE[s.start:s.end] == s.text
        assert set(s.scores) == set(LABELS) and all(0 <= p <= 1 for p in s.scores.values())
        assert s.labels == [label for label in LABELS if s.scores[label] >= 0.5 - 1e-4]


def test_score_does_not_split_and_matches_predict(tiny_model):
    analyzer = model.load(tiny_model, device="cpu")
    (doc,) = analyzer.predict(["Officials met on Tuesday. Responsibility lies with them."])
    scored = analyzer.score([s.text for s in doc.sentences] + ["Two sentences. In one string."])
    assert len(scored) == 3 and scored[2].start == 0 and scored[2].end == len(scored[2].text)
    assert [s.scores for s in scored[:2]] == [s.scores for s in doc.sentences]


def test_batching_does_not_change_probabilities(tiny_model):
    texts = ["a", "the enemy is a vile traitor said the officials on tuesday", "we covered all costs"] * 5
    one = Analyzer.from_pretrained(tiny_model, device="cpu", batch_size=1).probabilities(texts)
    many = Analyzer.from_pretrained(tiny_model, device="cpu", batch_size=64).probabilities(texts)
    assert torch.allclose(one, many, atol=1e-5)


def test_document_label_counts(tiny_model):
    analyzer = model.load(tiny_model, device="cpu")
    analyzer.thresholds = {label: 0.0 for label in LABELS}  # everything over threshold
    (doc,) = analyzer.predict([ARTICLE])
    assert doc.label_counts == {label: 3 for label in sorted(LABELS)} and doc.labels == sorted(LABELS)


def test_results_are_frozen_and_serialisable(tiny_model):
    (s,) = model.load(tiny_model, device="cpu").score(["the enemy"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.text = "changed"
    assert set(s.to_dict()) >= {"text", "start", "end", "labels", "scores"}


def test_bad_input_is_a_clear_type_error(tiny_model):
    analyzer = model.load(tiny_model, device="cpu")
    with pytest.raises(TypeError, match="list of strings"):
        analyzer.predict("a bare string")
    with pytest.raises(TypeError, match="item 1 is int"):
        analyzer.score(["ok", 3])
    assert analyzer.score([]) == [] and analyzer.predict([]) == []


def test_missing_model_folder_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `make train`"):
        model.load(tmp_path / "nothing")
