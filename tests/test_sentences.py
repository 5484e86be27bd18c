import random

import pytest

from model.sentences import split_sentences


def texts(spans, text):
    return [text[s.start:s.end] for s in spans]


def test_news_abbreviations_and_quotes_stay_whole():
    text = ('Mr. Smith went to Washington on Feb. 11 to meet the U.S. envoy. He said "We will never give up." '
            "The U.S. Army said so.")
    assert texts(split_sentences(text), text) == [
        "Mr. Smith went to Washington on Feb. 11 to meet the U.S. envoy.",
        'He said "We will never give up."',
        "The U.S. Army said so.",
    ]


def test_lines_are_separate_sentences_and_blank_lines_skipped():
    text = "Headline here\n\n  First para. Second sentence.  \n\nBY SOMEONE\n"
    assert texts(split_sentences(text), text) == ["Headline here", "First para.", "Second sentence.", "BY SOMEONE"]


@pytest.mark.parametrize("seed", range(20))
def test_offsets_always_slice_back_exactly(seed):
    rng = random.Random(seed)
    pieces = ["Mr. X said", "“quoted!”", "U.S.", "end.", "\n", "\n\n", "  ", "Why?", "Dr. Who", "3.5%", "…", "é"]
    text = " ".join(rng.choice(pieces) for _ in range(60))
    spans = split_sentences(text)
    for span in spans:
        piece = text[span.start:span.end]
        assert piece and piece == piece.strip() and "\n" not in piece
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_empty_and_whitespace_give_no_sentences():
    assert split_sentences("") == [] and split_sentences(" \n\n ") == []


def test_rejects_non_strings():
    with pytest.raises(TypeError, match="expects a str"):
        split_sentences(None)
