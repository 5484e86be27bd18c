"""Fixtures: tiny random BERT encoders and tokenizers (a few thousand parameters) and corpus-shaped files."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizerFast

os.environ["HF_HUB_OFFLINE"] = "1"

SENTENCES = [
    "the enemy is a vile traitor",
    "officials met on tuesday to discuss the budget",
    "responsibility lies with them alone",
    "we covered all costs as a gesture of goodwill",
]
STANCE_WORDS = ["we", "love", "hate", "nato", "weather", "is", "sunny", "paris", "great", "awful", "#semst"]
LABELS = ["blame_shifting", "goodwill_claim", "Loaded_Language"]
TARGETS = [[0, 0, 1], [0, 0, 0], [1, 0, 0], [0, 1, 0]]


def _tokenizer(folder: Path) -> BertTokenizerFast:
    words = sorted({w for s in SENTENCES for w in s.split()} | {"a", "the", "said", ".", "«", "»"} | set(STANCE_WORDS))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    folder.mkdir(parents=True, exist_ok=True)
    return BertTokenizerFast(vocab={token: i for i, token in enumerate(vocab)}, do_lower_case=True)


def tiny_config(vocab_size: int, **kwargs) -> BertConfig:
    return BertConfig(vocab_size=vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=32, max_position_embeddings=64,
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, **kwargs)


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory) -> Path:
    """A folder shaped like a pretrained encoder: BertModel weights, config and tokenizer."""
    folder = tmp_path_factory.mktemp("encoder")
    tokenizer = _tokenizer(folder)
    torch.manual_seed(0)
    BertModel(tiny_config(len(tokenizer))).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def write_tiny_classifier(folder: Path, labels: list[str], seed: int, untrained: list[str]) -> Path:
    """A random (untrained) classifier over ``labels`` in the project's layout, written into ``folder``."""
    tokenizer = _tokenizer(folder)
    torch.manual_seed(seed)
    config = tiny_config(len(tokenizer), num_labels=len(labels), problem_type="multi_label_classification",
                         id2label=dict(enumerate(labels)), label2id={k: i for i, k in enumerate(labels)})
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    settings = {"thresholds": {label: 0.5 for label in labels}, "temperature": 1.0, "max_length": 32,
                "untrained_labels": untrained}
    (folder / "framing.json").write_text(json.dumps(settings), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A random (untrained) classifier folder in the project's layout."""
    return write_tiny_classifier(tmp_path_factory.mktemp("model"), LABELS, 1, ["victimhood"])


@pytest.fixture()
def fake_corpora(tmp_path) -> Path:
    """A corpora folder shaped like the SemEval-2023 and PTC releases, two articles."""
    root = tmp_path / "corpora"
    se = root / "semeval2023_task3/data/en"
    (se / "train-articles-subtask-3").mkdir(parents=True)
    (se / "train-labels-subtask-3-spans").mkdir()
    texts = {"1": "Title one\n\nThe vile enemy attacked. Mr. Smith of the U.S. said so.\n\nA calm line.\n",
             "2": "Title two\n\nWe are being encircled by them. Nothing else.\n"}
    for doc_id, text in texts.items():
        (se / f"train-articles-subtask-3/article{doc_id}.txt").write_text(text, encoding="utf-8")
    (se / "train-labels-subtask-3-spans/article1-labels-subtask-3.txt").write_text(
        "1\tLoaded_Language\t15\t19\n1\tDoubt\t58\t62\n", encoding="utf-8")
    (se / "train-labels-subtask-3.txt").write_text(
        "1\t1\t\n1\t3\tLoaded_Language\n1\t5\t\n2\t1\t\n2\t3\t\n", encoding="utf-8")
    ptc = root / "ptc_semeval2020_task11/data/SemEval2020/datasets"
    for split in ("train", "dev"):
        (ptc / f"{split}-articles").mkdir(parents=True)
        (ptc / f"{split}-labels-task-flc-tc").mkdir()
    (ptc / "train-articles/article9.txt").write_text("Either us or chaos. What about them?\n", encoding="utf-8")
    (ptc / "train-labels-task-flc-tc/article9.task-flc-tc.labels").write_text(
        "9\tBlack-and-White_Fallacy\t0\t19\n9\tWhataboutism,Straw_Men,Red_Herring\t20\t36\n", encoding="utf-8")
    basil = root / "basil/articles/2010"
    basil.mkdir(parents=True)
    (basil / "ev_1.json").write_text(json.dumps({"title": "Basil title", "body-paragraphs": [
        ["They blamed us for everything.", "We gave all we had."], ["A plain line."]]}), encoding="utf-8")
    narrative = root / "narrative_frames_corpus/data"
    narrative.mkdir(parents=True)
    (narrative / "articles_metadata.tsv").write_text("ID\tsource\ttext\n0\tx\tClimate text. We are victims.\n",
                                                     encoding="utf-8")
    return root


# stand-off device annotations over fake_corpora: two training sentences and one test sentence
FAKE_ANNOTATIONS = [
    {"id": "a", "corpus": "semeval2023", "doc_id": "2", "start": 11, "end": 42, "labels": ["victimhood"],
     "split": "train"},
    {"id": "b", "corpus": "basil", "doc_id": "2010/ev_1", "start": 13, "end": 43, "labels": ["blame_shifting"],
     "split": "train"},
    {"id": "c", "corpus": "narrative", "doc_id": "0", "start": 14, "end": 29, "labels": ["victimhood"],
     "split": "test"}]

STANCE_PAIRS = [("NATO", "we love nato", "favor"), ("NATO", "nato is great", "favor"),
                ("NATO", "we hate nato", "against"), ("NATO", "nato is awful", "against"),
                ("NATO", "the weather is sunny", "none"), ("NATO", "paris is sunny", "none")]


@pytest.fixture(scope="session")
def fake_stance_corpora(tmp_path_factory) -> Path:
    """A corpora folder shaped like SemEval-2016 (Latin-1, CRLF), P-Stance, VAST and BASIL, with tiny data."""
    root = tmp_path_factory.mktemp("stance") / "corpora"
    semeval = root / "semeval2016_task6/data"
    semeval.mkdir(parents=True)
    lines = ["ID\tTarget\tTweet\tStance"] + [f"{i}\t{t}\t{s} #SemST\t{label.upper()}"
                                             for i, (t, s, label) in enumerate(STANCE_PAIRS * 4)]
    (semeval / "semeval2016-task6-trainingdata.txt").write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    pstance = root / "pstance/data"
    pstance.mkdir(parents=True)
    for split in ("train", "val"):
        (pstance / f"raw_{split}_nato.csv").write_text(
            "Tweet,Target,Stance\nwe love nato,NATO,FAVOR\n\"we hate nato\",NATO,AGAINST\n", encoding="utf-8")
    vast = root / "vast/data/VAST"
    vast.mkdir(parents=True)
    codes = {"against": 0, "favor": 1, "none": 2}
    (vast / "vast_train.csv").write_text("post,ori_id,new_topic,label\n" + "".join(
        f"{s},doc{i},{t.lower()},{codes[label]}\n" for i, (t, s, label) in enumerate(STANCE_PAIRS * 3)),
        encoding="utf-8")
    for kind, content in (("articles", {"title": "NATO news", "triplet-uuid": "ev1", "body-paragraphs": [
            ["we hate nato", "the weather is sunny in paris today"], ["nato is great"]]}),
            ("annotations", {"phrase-level-annotations": [
                {"start": 3, "end": 7, "txt": "hate", "aim": "dir", "polarity": "neg", "target": "NATO"},
                {"start": 8, "end": 13, "txt": "great", "aim": "dir", "polarity": "pos", "target": "NATO"}]})):
        folder = root / "basil" / kind / "2010"
        folder.mkdir(parents=True)
        name = "ev1_1.json" if kind == "articles" else "ev1_1_ann.json"
        (folder / name).write_text(json.dumps(content), encoding="utf-8")
    return root
