import json

import pytest

from conftest import FAKE_ANNOTATIONS

from training.annotations import load_annotations
from training.corpora import Article, corpora_root, load_ptc, load_semeval2023, technique_labels
from training.examples import article_sentences, split_articles


def test_semeval_articles_spans_and_paragraph_labels(fake_corpora):
    articles = {a.doc_id: a for a in load_semeval2023(fake_corpora)}
    one = articles["1"]
    assert [one.text[s:e] for _, s, e in one.spans] == ["vile", "said"]
    paragraphs = [(one.text[s:e], labels) for s, e, labels in one.paragraphs]
    assert paragraphs[1] == ("The vile enemy attacked. Mr. Smith of the U.S. said so.", ("Loaded_Language",))
    assert paragraphs[0] == ("Title one", ())


def test_spans_project_onto_the_sentences_they_touch(fake_corpora):
    one = next(a for a in load_semeval2023(fake_corpora) if a.doc_id == "1")
    sentences = article_sentences(one)
    assert [(s.text, s.labels) for s in sentences] == [
        ("Title one", ()), ("The vile enemy attacked.", ("Loaded_Language",)),
        ("Mr. Smith of the U.S. said so.", ("Doubt",)), ("A calm line.", ())]
    assert all(one.text[s.start:s.end] == s.text for s in sentences)
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2]


def test_ptc_old_names_map_onto_the_schema(fake_corpora):
    (article,) = load_ptc(fake_corpora)
    labels = sorted({label for label, _, _ in article.spans})
    assert labels == ["False_Dilemma-No_Choice", "Red_Herring", "Straw_Man", "Whataboutism"]
    assert set(labels) <= set(technique_labels())


def test_unmapped_ptc_name_is_a_clear_error(fake_corpora):
    path = fake_corpora / "ptc_semeval2020_task11/data/SemEval2020/datasets/train-labels-task-flc-tc"
    (path / "article9.task-flc-tc.labels").write_text("9\tNew_Trick\t0\t5\n")
    with pytest.raises(ValueError, match="New_Trick.*ptc_label_map"):
        load_ptc(fake_corpora)


def test_split_keeps_one_story_on_one_side():
    twins = [Article("semeval2023", "a", "Same title\nbody one"), Article("semeval2023", "b", "Same title\nbody two"),
             Article("ptc", "a", "Other text of article a\n")]
    for seed in range(30):
        train, val = split_articles(twins, 0.5, seed)
        assert {a.doc_id for a in train}.isdisjoint({a.doc_id for a in val})
        assert len({a.doc_id for a in val}) in (0, 1, 2) and len(train) + len(val) == 3
        assert ("a" in {x.doc_id for x in val}) == ("b" in {x.doc_id for x in val})


def test_missing_corpus_folder_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="--data"):
        corpora_root(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="No SemEval-2023 folder"):
        load_semeval2023(tmp_path)


def test_standoff_annotations_rebuild_text_and_reject_bad_rows(tmp_path):
    articles = {("basil", "x"): Article("basil", "x", "Title\n\nThey blamed us. We gave all.")}
    row = {"id": "r1", "corpus": "basil", "doc_id": "x", "start": 7, "end": 22, "labels": ["victimhood"],
           "split": "train", "sampling": "random"}
    path = tmp_path / "ann.jsonl"
    path.write_text(json.dumps(row) + "\n")
    (sentence,) = load_annotations(path, articles)
    assert sentence.text == "They blamed us." and sentence.labels == ("victimhood",)
    path.write_text(json.dumps({**row, "end": 999}) + "\n")
    with pytest.raises(ValueError, match="do not have"):
        load_annotations(path, articles)
    path.write_text(json.dumps({**row, "labels": ["sarcasm"]}) + "\n")
    with pytest.raises(ValueError, match="sarcasm"):
        load_annotations(path, articles)


def test_training_table_masks_each_source_to_its_own_labels(fake_corpora, tmp_path):
    from training.config import TrainConfig
    from training.data import build_tables

    text = "Title two\n\nWe are being encircled by them. Nothing else.\n"
    rows = FAKE_ANNOTATIONS
    assert text[11:42] == "We are being encircled by them."
    path = tmp_path / "ann.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    written = tmp_path / "written.jsonl"
    written.write_text("".join(json.dumps({"id": i, "group": "g", "role": "free", "text": t, "labels": ["victimhood"]})
                               + "\n" for i, t in (("w1", "Nobody ever listens to us."), ("w2", "We are  victims."))))
    config = TrainConfig(data=str(fake_corpora), annotations=str(path), val_fraction=0.0, min_train_positives=1,
                         annotation_repeat=2, written=str(written), written_repeat=3)
    labels, train, val, info = build_tables(config)
    assert train.texts.count("Nobody ever listens to us.") == 3 and info["written_devices"] == 1
    k = train.texts.index("Nobody ever listens to us.")
    assert train.mask[k].tolist() == [1, 1, 0, 0] and train.targets[k].tolist() == [0, 1, 0, 0]
    assert labels == ["blame_shifting", "victimhood", "Doubt", "Loaded_Language"]
    assert info["annotations"] == {"train": 2, "validation": 0, "test": 1}
    assert "goodwill_claim" in info["untrained_labels"] and len(val) == 0
    from_annotations = [i for i, t in enumerate(train.texts) if t == "They blamed us for everything."]
    assert len(from_annotations) == 2  # repeated
    i = from_annotations[0]
    assert train.mask[i].tolist() == [1, 1, 0, 0] and train.targets[i].tolist() == [1, 0, 0, 0]
    j = train.texts.index("The vile enemy attacked.")
    assert train.mask[j].tolist() == [0, 0, 1, 1] and train.targets[j].tolist() == [0, 0, 0, 1]
    assert "We are victims." not in train.texts  # the test split never trains
    assert "We are  victims." not in train.texts  # nor a written sentence repeating a test one


def test_repeated_annotation_texts_count_once_and_never_cross_splits():
    from training.annotations import AnnotatedSentence
    from training.data import distinct_texts

    def sentence(id_, text, split):
        return AnnotatedSentence(id_, "semeval2023", id_, 0, len(text), (), split, "random", text)

    seen: set[str] = set()
    train = distinct_texts([sentence("a", "Poll notice.", "train"), sentence("b", "Poll  notice.", "train"),
                            sentence("c", "They blamed us.", "train")], seen)
    test = distinct_texts([sentence("d", "Poll notice.", "test"), sentence("e", "We gave all.", "test")], seen)
    assert [s.id for s in train] == ["a", "c"] and [s.id for s in test] == ["e"]


def test_written_devices_need_the_annotations(fake_corpora, tmp_path):
    from training.config import TrainConfig
    from training.data import build_tables

    with pytest.raises(ValueError, match="--written needs --annotations"):
        build_tables(TrainConfig(data=str(fake_corpora), annotations="", written="data/written/devices.jsonl"))
