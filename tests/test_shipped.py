"""A few tests of the shipped model (model/shipped) on the seed article; fast enough for CI."""
import json
from pathlib import Path

import pytest

import model

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLE = (SEEDS / "000_d0560581d8f2b1c6.txt").read_text(encoding="utf-8")
GOLD = [json.loads(line) for line in (SEEDS / "000_d0560581d8f2b1c6.gold.jsonl").read_text().splitlines()]
DEVICES = ("blame_shifting", "goodwill_claim", "victimhood")


@pytest.fixture(scope="module")
def seed_result():
    return model.predict([ARTICLE])[0]


def test_shipped_model_is_small_and_int8():
    files = list(model.SHIPPED_MODEL.iterdir())
    assert sum(f.stat().st_size for f in files) < 26 * 2**20
    assert (model.SHIPPED_MODEL / "model.int8.safetensors").is_file()
    assert not (model.SHIPPED_MODEL / "model.safetensors").exists()


def test_seed_article_sentences_and_scores(seed_result):
    assert [(s.start, s.end) for s in seed_result.sentences] == [(g["start"], g["end"]) for g in GOLD]
    analyzer = model.load()
    for s in seed_result.sentences:
        assert ARTICLE[s.start:s.end] == s.text
        assert list(s.scores) == analyzer.labels and all(0.0 <= p <= 1.0 for p in s.scores.values())
        assert s.labels == [label for label in analyzer.labels if s.scores[label] >= analyzer.thresholds[label]]
    assert "Loaded_Language" in seed_result.label_counts  # "deigned", "sincerely offended", ...


@pytest.mark.xfail(strict=True, reason="issue 4 not met yet: the shipped device adapter's recall is too low "
                   "(test-split F1 0.34/0.31/0.49): it misses three of the four required seed sentences "
                   "and calls the photo caption blame_shifting (0.16, threshold 0.145)")
def test_seed_article_framing_devices_match_gold(seed_result):
    """The seed article's gold labels (seeds/*.gold.jsonl): the required devices are found, the photo caption
    carries none of the three."""
    for sentence, gold in zip(seed_result.sentences, GOLD):
        found = set(sentence.labels) & set(DEVICES)
        assert set(gold["required"]) <= found, (sentence.text, found)
        if gold["note"].startswith("photo caption"):
            assert not found, sentence.text


def test_shipped_device_adapter_finds_the_goodwill_gesture(seed_result):
    """What the device adapter gets right on the seed (the rest, the photo caption included, is the xfail above)."""
    assert model.load().devices is not None
    (gesture,) = [s for s in seed_result.sentences if "gesture of goodwill" in s.text]
    assert "goodwill_claim" in gesture.labels, gesture.scores


def test_obvious_neutral_sentence_gets_no_device():
    (s,) = model.load().score(["The meeting is scheduled for 10 a.m. on Thursday in the town hall."])
    assert not set(s.labels) & set(DEVICES)


def test_shipped_stance_gives_none_for_an_absent_target():
    analyzer = model.load()
    assert analyzer.stance is not None
    (s,) = analyzer.score(["The meeting is scheduled for 10 a.m. on Thursday in the town hall."],
                          targets=["NATO", "vaccine mandates"])
    assert {t: r.label for t, r in s.stance.items()} == {"NATO": "none", "vaccine mandates": "none"}


def test_shipped_stance_on_the_seed_envoy():
    """The envoy blames the United States: against it, in his voice, and not against every actor he names; the
    document rolls that up."""
    (doc,) = model.load().predict([ARTICLE], targets=["United States", "South Korea"])
    blame = next(s for s in doc.sentences if "responsibility for heightened tensions" in s.text)
    assert blame.stance["United States"].label == "against"
    accused = next(s for s in doc.sentences if s.text.startswith("He also accused the United States"))
    assert accused.stance["United States"].label == "against" and accused.stance["South Korea"].label == "none"
    caption = next(s for s in doc.sentences if s.text.startswith("File Photo"))
    assert caption.stance["United States"].label == "none"
    assert doc.stance["United States"].label == "against"


@pytest.mark.xfail(strict=True, reason="issue 3 not met for North Korea: the adapter still reads tone in part and "
                   "calls the envoy's praise of North Korea (the 'gesture of goodwill' sentence) against it")
def test_shipped_stance_on_the_seed_envoy_favors_north_korea():
    (doc,) = model.load().predict([ARTICLE], targets=["North Korea"])
    goodwill = next(s for s in doc.sentences if "gesture of goodwill" in s.text)
    assert goodwill.stance["North Korea"].label == "favor"
    assert doc.stance["North Korea"].label == "favor"
