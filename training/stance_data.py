"""Stance pairs (target, text, label) from SemEval-2016 Task 6, P-Stance, VAST and BASIL, split train/dev.

Labels follow LABELS.md section 2: favor, against, none. How each corpus maps:
- SemEval-2016 (tweets, 5 targets): FAVOR/AGAINST/NONE; the train file is Latin-1 with CRLF; "#SemST" is dropped.
  Dev: a hashed 15% of tweet ids.
- P-Stance (tweets on Biden, Sanders, Trump) has no neutral class: its pairs may only be favor or against
  (``allowed``), so they teach the two sides without teaching that every tweet about a candidate takes one.
  Dev: its own val files.
- VAST (comments, free-text topics): 0=con -> against, 1=pro -> favor, 2=neutral -> none, toward `new_topic`, or
  toward `topic_str` for the synthetic neutral rows (see _vast_topic). Dev: a hashed 15% of source documents
  (ori_id), so one comment never sits on both sides.
- BASIL (news sentences): a phrase aimed directly at a target with polarity neg/pos makes the sentence against/for
  it, in the voice that speaks it (quotes included, as LABELS.md asks). Sentences in which the annotators marked
  no span at all become `none` toward one of the article's targets, as many as the polar pairs. Dev: a hashed 15%
  of events (triplets), so the three outlets' versions of one story stay together.
  `basil_related` (development only): each dev sentence that takes a side toward one actor, toward another actor
  of the same story on which no annotation gives it a side, as none (see related_none_pairs).
- news_targets (the project's own annotation, data/annotations/stance_targets.jsonl, guidelines in
  data/stance_guidelines.md): news sentences that name several actors, each labelled toward each actor, so one
  sentence is often `against` one target and `favor` or `none` toward another. Split by document as stored in the
  file (train / dev / test); the test rows are never loaded here.
- written (data/written/stance.jsonl, training/written.py): invented news sentences written by the project, each
  toward two or three targets, often one side toward one and another toward the next. Training only: no dev set.
- written_favor (data/written/stance_favor.jsonl): a second such batch, favor amid harsh words; not in the shipped
  stages, since adding it lowered every headline dev figure (README).
"""
from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import torch

from model.mentions import ALIAS_GROUPS, ALIASES, NOT_STATES, alias_key, mention_spans, replace_mentions
from model.stance import STANCE_LABELS
from training.examples import hash_fraction
from training.written import FOLDER as WRITTEN_FOLDER, load_written_stance

CORPORA = ("semeval2016", "pstance", "vast", "basil", "news_targets", "written", "written_favor")
BOTH_SIDES = ("favor", "against")
SEMEVAL2016_FILE = "semeval2016_task6/data/semeval2016-task6-trainingdata.txt"
PSTANCE_DIR = "pstance/data"
VAST_FILE = "vast/data/VAST/vast_train.csv"
VAST_BORROWED_TOPIC = "4"  # type_idx of VAST's synthetic neutral rows (see _vast_topic)
BASIL_DIR = "basil"
WRITTEN_STANCE_FILES = {"written": WRITTEN_FOLDER / "stance.jsonl", "written_favor": WRITTEN_FOLDER / "stance_favor.jsonl"}
NEWS_TARGETS_FILE = Path(__file__).resolve().parent.parent / "data" / "annotations" / "stance_targets.jsonl"


@dataclass(frozen=True)
class StancePair:
    target: str
    text: str
    label: str
    corpus: str
    group: str  # the unit of the train/dev split (tweet, document, event)
    allowed: tuple[str, ...] = STANCE_LABELS  # labels the corpus can express (P-Stance: favor/against)


def allowed_mask(allowed: list[tuple[str, ...]]) -> torch.Tensor:
    """Which of STANCE_LABELS each pair's corpus can express, (n_pairs, 3) bool."""
    return torch.tensor([[label in a for label in STANCE_LABELS] for a in allowed], dtype=torch.bool).reshape(-1, 3)


def in_dev(group: str, fraction: float, seed: int) -> bool:
    return hash_fraction(f"{seed}:{group}") < fraction


def _need(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"No stance corpus at {path}: check --data / $FRAMING_CORPORA")
    return path


def load_semeval2016(root: Path) -> list[StancePair]:
    text = _need(root / SEMEVAL2016_FILE).read_bytes().decode("latin-1").replace("\r\n", "\n")
    lines = [line.split("\t") for line in text.split("\n")[1:] if line.strip()]
    return [StancePair(target, re.sub(r"\s*#SemST\b", "", tweet).strip(), stance.lower(), "semeval2016",
                       f"semeval2016:{tweet_id}") for tweet_id, target, tweet, stance in lines]


def load_pstance(root: Path, split: str) -> list[StancePair]:
    pairs = []
    for path in sorted(_need(root / PSTANCE_DIR).glob(f"raw_{split}_*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                pairs.append(StancePair(row["Target"], row["Tweet"], row["Stance"].lower(), "pstance",
                                        f"pstance:{path.stem}:{i}", BOTH_SIDES))
    return pairs


def _vast_topic(row: dict, surface: dict[str, str]) -> str:
    """The topic a VAST row is labelled toward, in its natural wording where one is known.

    Synthetic neutral rows (type_idx 4) pair a comment with another comment's topic: only `topic_str` holds
    that topic, while `new_topic` still repeats the comment's own (so reading `new_topic` labels one
    (comment, topic) pair both con/pro and neutral). `topic_str` is lemmatized ("electric car"), so it is
    mapped back to the wording the other rows use for it ("electric cars").
    """
    if row.get("type_idx") == VAST_BORROWED_TOPIC:
        return surface.get(row["topic_str"], row["topic_str"])
    return row["new_topic"]


def load_vast(root: Path) -> list[StancePair]:
    labels = {"0": "against", "1": "favor", "2": "none"}
    with _need(root / VAST_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    wordings: dict[str, Counter] = {}
    for row in rows:
        if row.get("type_idx") != VAST_BORROWED_TOPIC and "topic_str" in row:
            wordings.setdefault(row["topic_str"], Counter())[row["new_topic"]] += 1
    surface = {lemma: counts.most_common(1)[0][0] for lemma, counts in wordings.items()}
    return [StancePair(_vast_topic(row, surface), row["post"], labels[row["label"]], "vast", f"vast:{row['ori_id']}")
            for row in rows]


def _basil_sentences(article: dict) -> list[str]:
    return [article["title"]] + [s for paragraph in article["body-paragraphs"] for s in paragraph]


def _basil_article_pairs(article: dict, spans: list[dict], group: str) -> tuple[list[StancePair], list[StancePair]]:
    """(polar pairs, candidate none pairs) of one article."""
    sentences = _basil_sentences(article)
    polarity: dict[tuple[int, str], set[str]] = {}
    marked: set[int] = set()
    for span in spans:
        hits = [i for i, s in enumerate(sentences) if s[span["start"]:span["end"]] == span["txt"]]
        if len(hits) != 1:
            continue  # the one span whose text occurs in two sentences is dropped, not guessed
        marked.add(hits[0])
        if span["aim"] == "dir" and span["polarity"] in ("pos", "neg"):
            polarity.setdefault((hits[0], span["target"]), set()).add(span["polarity"])
    polar = [StancePair(target.replace("_", " "), sentences[i], "favor" if sides == {"pos"} else "against",
                        "basil", group) for (i, target), sides in sorted(polarity.items()) if len(sides) == 1]
    targets = sorted({span["target"].replace("_", " ") for span in spans})
    rng = random.Random(group)
    unmarked = [StancePair(rng.choice(targets), s, "none", "basil", group)
                for i, s in enumerate(sentences) if i not in marked and targets and len(s.split()) >= 5]
    return polar, unmarked


def load_basil(root: Path, seed: int = 13) -> list[StancePair]:
    polar, unmarked = [], []
    for path in sorted(_need(root / BASIL_DIR / "annotations").glob("*/*_ann.json")):
        article_path = root / BASIL_DIR / "articles" / path.parent.name / path.name.replace("_ann.json", ".json")
        article = json.loads(article_path.read_text(encoding="utf-8"))
        spans = json.loads(path.read_text(encoding="utf-8"))["phrase-level-annotations"]
        p, u = _basil_article_pairs(article, spans, f"basil:{article['triplet-uuid']}")
        polar += p
        unmarked += u
    random.Random(seed).shuffle(unmarked)
    return polar + unmarked[:len(polar)]


def load_news_targets(root: Path, path: Path = NEWS_TARGETS_FILE) -> tuple[list[StancePair], list[StancePair]]:
    """(train pairs, dev pairs) of the project's stance annotation; texts are rebuilt from the corpora."""
    from training.annotations import read_rows, standoff_text
    from training.news_corpora import load_news

    news = load_news(root)
    out: dict[str, list[StancePair]] = {"train": [], "dev": [], "test": []}
    for row in read_rows(_need(path)):
        text = standoff_text(path, row, news)
        out[row["split"]] += [StancePair(target, text, label, "news_targets", f"news:{row['corpus']}:{row['doc_id']}")
                              for target, label in row["stance"].items()]
    return out["train"], out["dev"]


def related_none_pairs(pairs: list[StancePair], fraction: float, rng: random.Random) -> list[StancePair]:
    """For a ``fraction`` of BASIL's polar pairs, the same sentence toward another actor of the same story, as none
    (unless a pair gives that sentence a side toward it): the hard negatives that teach which target a sentence
    is about, e.g. against the United States but not against North Korea."""
    targets: dict[str, set[str]] = {}
    polar: set[tuple[str, str]] = set()
    for pair in pairs:
        if pair.corpus == "basil":
            targets.setdefault(pair.group, set()).add(pair.target)
            if pair.label != "none":
                polar.add((pair.text, pair.target.casefold()))
    related = []
    for pair in pairs:
        if pair.corpus != "basil" or pair.label == "none":
            continue
        others = sorted(t for t in targets[pair.group] if (pair.text, t.casefold()) not in polar)
        if others and rng.random() < fraction:
            related.append(StancePair(rng.choice(others), pair.text, "none", pair.corpus, pair.group))
    return list(dict.fromkeys(related))  # a sentence polar toward two actors may draw the same third one twice


def swap_candidates(pair: StancePair) -> list[str]:
    """States that may take the place of ``pair``'s target (state_swapped_pairs): none unless the target is a
    state (not a bloc or party) that the sentence names; never the target itself or a state the sentence names."""
    key = alias_key(pair.target)
    if key not in ALIASES or ALIASES[key][0] in NOT_STATES or not mention_spans(pair.text, pair.target):
        return []
    return [group[0] for group in ALIAS_GROUPS if group[0] not in NOT_STATES and group[0] != ALIASES[key][0]
            and not mention_spans(pair.text, group[0])]


def swap_state(pair: StancePair, other: str) -> StancePair:
    """``pair`` with ``other`` as the target and in place of each of the target's mentions (a demonym becomes the
    name: "Mexico officials"), same label."""
    text = replace_mentions(pair.text, pair.target, lambda _: other)
    return StancePair(other, text, pair.label, pair.corpus, pair.group, pair.allowed)


def state_swapped_pairs(pairs: list[StancePair], fraction: float, rng: random.Random) -> list[StancePair]:
    """For a ``fraction`` of the pairs toward a state the sentence names, the same pair with another state in its
    place (swap_state): the side must come from what the sentence says at the target, not from which state it
    is. Without it the adapter had learned a state's usual side ("The envoy said X had acted in good faith by
    freeing the detained sailors": against North Korea and Iran, favor Canada)."""
    if fraction <= 0:
        return []  # and draws nothing from rng, so that runs without it keep their order
    swapped = []
    for pair in pairs:
        candidates = swap_candidates(pair)
        if candidates and rng.random() < fraction:
            swapped.append(swap_state(pair, rng.choice(candidates)))
    return swapped


def stance_splits(root: Path, corpora: tuple[str, ...], dev_fraction: float, seed: int
                  ) -> tuple[list[StancePair], dict[str, list[StancePair]]]:
    """(training pairs, {corpus: development pairs}); development pairs never enter training."""
    unknown = sorted(set(corpora) - set(CORPORA))
    if unknown:
        raise ValueError(f"Unknown stance corpora {unknown}; choose from {', '.join(CORPORA)}")
    train: list[StancePair] = []
    dev: dict[str, list[StancePair]] = {}
    for name in corpora:
        if name == "pstance":  # its own val files
            train += load_pstance(root, "train")
            dev[name] = load_pstance(root, "val")
            continue
        if name in WRITTEN_STANCE_FILES:  # project-written sentences: training only
            train += [StancePair(target, text, label, name, f"written:{group}")
                      for target, text, label, group in load_written_stance(WRITTEN_STANCE_FILES[name])]
            continue
        if name == "news_targets":  # split by document in the file
            news_train, dev[name] = load_news_targets(root)
            train += news_train
            continue
        pairs = load_basil(root, seed) if name == "basil" else {"semeval2016": load_semeval2016,
                                                                "vast": load_vast}[name](root)
        dev[name] = [p for p in pairs if in_dev(p.group, dev_fraction, seed)]
        train += [p for p in pairs if not in_dev(p.group, dev_fraction, seed)]
    if "basil" in dev:  # does the model tell which actor a sentence takes a side on? (all gold: none)
        dev["basil_related"] = related_none_pairs(dev["basil"], 1.0, random.Random(seed))
    return train, dev
