import copy
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from transformers import BertModel

import model as framing
from conftest import STANCE_PAIRS
from model.cli import main as cli_main
from model.mentions import mark_target, surnames
from model.stance import merge_lora, normalize_targets, pool
from training.lora import add_lora, lora_state
from training.stance_data import VAST_FILE, StancePair, in_dev, load_vast, related_none_pairs, stance_splits
from training.stance_eval import against_ranking, stance_metrics
from training.config import StanceConfig, build_config
from training.stance_train import (build_net, capped_news_none, collate, encode, save_stance, swapped_none_pairs,
                                   train_net, training_pairs)
from training.stance_train import main as train_stance


TINY_RUN = ["--batch_size=8", "--max_length=32", "--device=cpu", "--dev_fraction=0.3",
            "--corpora=semeval2016,pstance,vast,basil"]  # news_targets points into the real news corpora


@pytest.fixture(scope="module")
def stance_model(tiny_model, tiny_encoder, fake_stance_corpora, tmp_path_factory):
    """The tiny framing model plus a stance model overfit on STANCE_PAIRS through the real training job.

    mode=full: a random 16-wide encoder with frozen embeddings (what LoRA trains over) cannot always tell "love"
    from "hate"; the adapter path is checked exactly in test_lora_training_saves_what_it_trained."""
    out = tmp_path_factory.mktemp("stance_model") / "with_stance"
    train_stance([f"--base={tiny_model}", f"--data={fake_stance_corpora}", f"--out={out}", "--epochs=30",
                  "--lr=0.005", "--mode=full", f"--init_encoder={tiny_encoder}", *TINY_RUN])
    return out


def test_lora_state_merges_to_the_same_function(tiny_encoder):
    torch.manual_seed(0)
    base = BertModel.from_pretrained(tiny_encoder).eval()
    plain = copy.deepcopy(base)
    names = add_lora(base, rank=4, alpha=8.0)
    assert names and all(".layer." in n for n in names)
    for name, parameter in base.named_parameters():
        if name.endswith(".B"):
            torch.nn.init.normal_(parameter, std=0.5)  # B starts at zero; make the adapter do something
    ids = torch.tensor([[2, 5, 6, 7, 3]])
    expected = base(input_ids=ids).last_hidden_state
    assert not torch.allclose(expected, plain(input_ids=ids).last_hidden_state, atol=1e-4)
    merge_lora(plain, lora_state(base), scale=8.0 / 4)
    assert torch.allclose(plain(input_ids=ids).last_hidden_state, expected, atol=1e-5)


@pytest.mark.parametrize("pooling,mark", [("pair", False), ("attend", True), ("mention", True)])
def test_lora_training_saves_what_it_trained(tiny_model, fake_stance_corpora, tmp_path, pooling, mark):
    config = build_config(StanceConfig, [f"--base={tiny_model}", f"--out={tmp_path / 'lora'}", "--epochs=3",
                                         "--lora_rank=4", "--lora_alpha=8", f"--pooling={pooling}",
                                         f"--mark_target={mark}", *TINY_RUN])
    train, _ = stance_splits(fake_stance_corpora, config.corpora, config.dev_fraction, config.seed)
    pairs = training_pairs(config, train)
    base = framing.load(tiny_model)
    net = build_net(config, base, "cpu")
    trainable = {n for n, p in net.named_parameters() if p.requires_grad}
    assert trainable and all(n.endswith((".A", ".B")) or n.startswith(("head.", "attention.")) for n in trainable)
    assert (net.attention is not None) == (pooling == "attend")
    train_net(config, net, pairs, base.tokenizer, "cpu")
    if net.attention is not None:  # random, so that a lost or reset query cannot pass as the trained one
        torch.nn.init.normal_(net.attention.query.weight)
    save_stance(net.eval(), config, tmp_path / "lora", {})
    scorer = framing.load(tmp_path / "lora").stance
    if net.attention is not None:
        assert torch.equal(scorer.attention.query.weight, net.attention.query.weight)
    assert scorer.settings["mark_target"] is mark  # the scorer marks mentions exactly when training did
    probe = pairs[:5] + [StancePair("nato", "we hate nato", "against", "vast", "g")]  # a mention to mark
    assert mark_target(probe[-1].text, probe[-1].target) != probe[-1].text
    batch = collate(encode(probe, base.tokenizer, 32, mark), list(range(6)), base.tokenizer, "cpu")
    with torch.no_grad():
        expected = net(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])  # (6, 3)
    got = scorer.logits([p.target for p in probe], [p.text for p in probe])
    assert torch.allclose(got, expected, atol=2e-2)  # fp16 adapter storage
    assert (tmp_path / "lora" / "stance.safetensors").stat().st_size < 200_000  # no encoder copy


def test_init_stance_starts_from_the_saved_adapter(tiny_model, fake_stance_corpora, tmp_path):
    """A second stage (--init_stance) starts where the first ended: same logits before it trains."""
    first = [f"--base={tiny_model}", f"--data={fake_stance_corpora}", "--epochs=2", "--lora_rank=4", "--lora_alpha=8",
             "--pooling=attend", *TINY_RUN]
    train_stance([*first, f"--out={tmp_path / 'first'}"])
    config = build_config(StanceConfig, [*first, f"--init_stance={tmp_path / 'first'}"])
    base = framing.load(tiny_model)
    net = build_net(config, base, "cpu").eval()
    pairs = [StancePair("NATO", "we hate nato so much", "against", "semeval2016", "g"),
             StancePair("Hillary Clinton", "she is great", "favor", "semeval2016", "g")]
    batch = collate(encode(pairs, base.tokenizer, 32), [0, 1], base.tokenizer, "cpu")
    with torch.no_grad():
        started = net(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])  # (2, 3)
    scorer = framing.load(tmp_path / "first").stance
    saved = scorer.logits([p.target for p in pairs], [p.text for p in pairs])
    assert torch.allclose(started, saved, atol=2e-2)  # fp16 adapter storage
    assert torch.equal(net.attention.query.weight, scorer.attention.query.weight)
    with pytest.raises(ValueError, match="seed"):  # another dev split would put first-stage training pairs in dev
        build_net(build_config(StanceConfig, [*first, "--seed=7", f"--init_stance={tmp_path / 'first'}"]),
                  framing.load(tiny_model), "cpu")
    with pytest.raises(ValueError, match="lora_rank"):
        build_net(build_config(StanceConfig, [*first, "--lora_rank=2", f"--init_stance={tmp_path / 'first'}"]),
                  framing.load(tiny_model), "cpu")  # a fresh base: build_net wraps the base encoder in place
    with pytest.raises(FileNotFoundError, match="make train-stance"):
        build_net(build_config(StanceConfig, [*first, f"--init_stance={tmp_path / 'none'}"]),
                  framing.load(tiny_model), "cpu")
    with pytest.raises(ValueError, match="mode=lora"):
        build_net(build_config(StanceConfig, [*first, "--mode=full", f"--init_stance={tmp_path / 'first'}"]),
                  framing.load(tiny_model), "cpu")


def test_mark_target_wraps_whole_mentions_only():
    assert mark_target("He accused the United  States, not united states’ allies.", "United States") == \
        "He accused the « United  States », not « united states »’ allies."
    assert mark_target("Let us ask the US and the USA.", "US") == "Let us ask the « US » and the « USA »."
    assert mark_target("Russiagate met South Korea.", "Russia") == "Russiagate met South Korea."
    assert mark_target("C++ (c++) rules", "C++") == "« C++ » (c++) rules"


def test_against_ranking_compares_targets_within_a_sentence():
    pairs = [StancePair("A", "s1", "against", "news_targets", "d"), StancePair("B", "s1", "none", "news_targets", "d"),
             StancePair("C", "s1", "favor", "news_targets", "d"), StancePair("A", "s2", "against", "news_targets", "d"),
             StancePair("B", "s2", "against", "news_targets", "d")]  # s2: no target to compare with
    logits = torch.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 2.0], [0.0, 3.0, 0.0], [0, 0, 0], [0, 0, 0]])  # (5, 3)
    assert against_ranking(pairs, logits) == (0.5, 2)  # A beats B on s1, loses to C
    assert against_ranking(pairs, torch.zeros(5, 3)) == (0.5, 2)  # a target-blind model: ties, half a win each


def test_swapped_none_pairs_take_another_corpus_target():
    pairs = [StancePair("NATO", "we hate nato", "against", "semeval2016", "g1"),
             StancePair("Donald Trump", "he is awful", "against", "basil", "g2"),
             StancePair("nato", "nato is great", "favor", "basil", "g3"),
             StancePair("taxes", "long comment", "favor", "vast", "g4")]
    swapped = swapped_none_pairs(pairs, 1.0, random.Random(0))
    assert all(p.label == "none" and p.corpus != "vast" for p in swapped)
    by_text = {p.text: p.target for p in swapped}
    assert by_text["we hate nato"] in {"Donald Trump", "taxes"}  # never NATO again, in any case
    assert by_text["he is awful"] in {"NATO", "taxes"} and "long comment" not in by_text


def test_targets_are_validated(tiny_model):
    tokenizer = framing.load(tiny_model).tokenizer
    assert normalize_targets(["  United   States ", "NATO"], tokenizer) == ["United States", "NATO"]
    assert normalize_targets(None, tokenizer) == []
    with pytest.raises(TypeError, match="wrap one target in a list"):
        normalize_targets("NATO", tokenizer)
    with pytest.raises(TypeError, match=r"targets\[1\] is int"):
        normalize_targets(["NATO", 3], tokenizer)
    with pytest.raises(ValueError, match=r"targets\[0\] is empty"):
        normalize_targets(["  "], tokenizer)
    with pytest.raises(ValueError, match="duplicate target 'nato'"):
        normalize_targets(["NATO", "nato"], tokenizer)
    with pytest.raises(ValueError, match="tokens long"):
        normalize_targets(["nato " * 200], tokenizer)


def test_model_without_stance_refuses_targets(tiny_model):
    analyzer = framing.load(tiny_model)
    assert analyzer.stance is None
    assert analyzer.score(["we love nato"])[0].stance == {}
    with pytest.raises(ValueError, match="no stance files"):
        analyzer.score(["we love nato"], targets=["NATO"])


def test_stance_corpora_map_labels_and_split_by_group(fake_stance_corpora):
    train, dev = stance_splits(fake_stance_corpora, ("semeval2016", "pstance", "vast", "basil"), 0.3, 13)
    semeval = [p for p in train + dev["semeval2016"] if p.corpus == "semeval2016"]
    assert len(semeval) == 24 and {p.text for p in semeval} == {s for _, s, _ in STANCE_PAIRS}  # #SemST dropped
    assert {p.allowed for p in train if p.corpus == "pstance"} == {("favor", "against")}
    assert [p.label for p in dev["pstance"]] == ["favor", "against"]
    vast = {(p.text, p.label) for p in train + dev["vast"] if p.corpus == "vast"}
    assert vast == {(s, label) for _, s, label in STANCE_PAIRS}
    basil = sorted((p.text, p.label) for p in train + dev["basil"] if p.corpus == "basil")
    assert ("we hate nato", "against") in basil and ("nato is great", "favor") in basil
    assert ("the weather is sunny in paris today", "none") in basil
    train_groups = {p.group for p in train}
    assert not train_groups & {p.group for pairs in dev.values() for p in pairs if p.corpus != "pstance"}
    assert in_dev("x", 0.3, 13) == in_dev("x", 0.3, 13)


def test_related_none_pairs_take_another_actor_of_the_same_story():
    pairs = [StancePair("United States", "the US is to blame", "against", "basil", "story1"),
             StancePair("North Korea", "the US is to blame", "favor", "basil", "story1"),
             StancePair("North Korea", "Pyongyang fired a missile", "against", "basil", "story1"),
             StancePair("South Korea", "a calm day", "none", "basil", "story1"),
             StancePair("Obama", "Obama spoke", "favor", "basil", "story2"),
             StancePair("NATO", "we hate nato", "against", "semeval2016", "story1")]
    drawn = related_none_pairs(pairs, 1.0, random.Random(0))
    assert all(p.label == "none" for p in drawn) and len(drawn) == len(set(drawn)) == 2
    related = {(p.target, p.text) for p in drawn}
    assert all(text != "Obama spoke" and text != "we hate nato" for _, text in related)  # no other actor; tweets
    assert ("South Korea", "the US is to blame") in related  # never toward an actor it takes a side on
    assert {t for t, text in related if text == "Pyongyang fired a missile"} <= {"United States", "South Korea"}


def test_vast_synthetic_neutral_rows_take_the_borrowed_topic(tmp_path):
    # type_idx 4 rows keep the comment's own topic in new_topic; the topic they are neutral toward is topic_str
    path = tmp_path / VAST_FILE
    path.parent.mkdir(parents=True)
    path.write_text("post,ori_id,new_topic,label,type_idx,topic_str\n"
                    "cars pollute,d1,electric cars,1,1,electric car\n"
                    "ban guns now,d2,gun control,1,1,gun control\n"
                    "ban guns now,d2,gun control,2,4,electric car\n", encoding="utf-8")
    pairs = [(p.target, p.text, p.label) for p in load_vast(tmp_path)]
    assert pairs == [("electric cars", "cars pollute", "favor"), ("gun control", "ban guns now", "favor"),
                     ("electric cars", "ban guns now", "none")]


def test_stance_metrics_f_avg_and_macro():
    m = stance_metrics(["favor", "against", "none", "none"], ["favor", "none", "none", "against"])
    assert m["f1"] == {"favor": 1.0, "against": 0.0, "none": 0.5}
    assert m["f_avg"] == 0.5 and m["macro_f1"] == pytest.approx(0.5)


def test_trained_stance_predicts_scores_and_rolls_up(stance_model):
    analyzer = framing.load(stance_model)
    assert analyzer.stance is not None
    results = analyzer.score([s for _, s, _ in STANCE_PAIRS], targets=["NATO"])
    assert [r.stance["NATO"].label for r in results] == [label for _, _, label in STANCE_PAIRS]
    scores = results[0].stance["NATO"].scores
    assert set(scores) == {"favor", "against", "none"} and sum(scores.values()) == pytest.approx(1, abs=1e-3)
    doc = analyzer.predict(["we love nato. nato is great. paris is sunny."], targets=["NATO"])[0]
    assert [s.stance["NATO"].label for s in doc.sentences] == ["favor", "favor", "none"]
    rolled = doc.stance["NATO"]
    assert rolled.label == "favor" and rolled.counts == {"favor": 2, "against": 0, "none": 1}
    assert rolled.favor > rolled.against
    assert analyzer.predict(["we love nato."])[0].stance == {}
    settings = json.loads((stance_model / "stance.json").read_text())
    assert settings["mode"] == "full" and "semeval2016" in settings["metrics"]


def test_stance_batches_many_targets_and_survives_export(stance_model, tmp_path):
    analyzer = framing.load(stance_model)
    targets = ["NATO"] + [f"target {i}" for i in range(300)]
    grid = analyzer.stance.grid(["we hate nato", "paris is sunny"], targets)
    assert grid.shape == (2, 301, 3)
    single = analyzer.stance.grid(["we hate nato"], ["NATO"])
    assert torch.allclose(grid[0, 0], single[0, 0], atol=1e-5)  # batching and padding change nothing
    exported = framing.load(analyzer.export(tmp_path / "plain"))
    again = exported.score(["we hate nato"], targets=["NATO"])[0].stance["NATO"]
    assert again.label == "against"


def test_cli_targets_jsonl_csv_and_summary(stance_model, tmp_path, capsys):
    (tmp_path / "a.txt").write_text("we hate nato. paris is sunny.", encoding="utf-8")
    (tmp_path / "targets.txt").write_text("# who we study\nNATO\n\n", encoding="utf-8")
    out, summary = tmp_path / "r.jsonl", tmp_path / "docs.jsonl"
    assert cli_main(["score", str(tmp_path / "a.txt"), "--targets-file", str(tmp_path / "targets.txt"),
                     "--out", str(out), "--summary", str(summary), "--model", str(stance_model)]) == 0
    assert capsys.readouterr().out == ""  # rows go to --out only, not also to stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["stance"]["NATO"]["label"] for r in rows] == ["against", "none"]
    doc = json.loads(summary.read_text())
    assert doc["stance"]["NATO"]["label"] == "against" and doc["stance"]["NATO"]["counts"]["against"] == 1
    assert cli_main(["score", str(tmp_path / "a.txt"), "--target", "NATO", "--summary", str(summary),
                     "--model", str(stance_model)]) == 0
    stdout_rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["stance"]["NATO"]["label"] for r in stdout_rows] == ["against", "none"]  # no --out: stdout
    csv_out = tmp_path / "r.csv"
    assert cli_main(["score", str(tmp_path / "a.txt"), "--target", "NATO", "--out", str(csv_out),
                     "--model", str(stance_model)]) == 0
    header = csv_out.read_text().splitlines()[0]
    assert "stance:NATO" in header and "against:NATO" in header
    assert cli_main(["score", str(tmp_path / "a.txt"), "--target", "NATO", "--target", "nato",
                     "--model", str(stance_model)]) == 2
    assert "duplicate target" in capsys.readouterr().err


def test_related_none_pairs_never_take_a_swapped_target():
    # swapped pairs are BASIL sentences toward another corpus's target: that target is no actor of the story
    train = [StancePair("Obama", "Obama lied", "against", "basil", "s1"),
             StancePair("Congress", "a calm day", "none", "basil", "s1"),
             StancePair("Atheism", "god is dead", "favor", "semeval2016", "t1")]
    config = StanceConfig(swap_none_fraction=1.0, related_none_fraction=1.0, basil_repeat=1)
    related = [p for p in training_pairs(config, train) if p.text == "Obama lied" and p.label == "none"]
    assert {p.target for p in related} == {"Atheism", "Congress"}  # one swapped, one related


def test_news_targets_rebuild_text_per_target_and_keep_test_out(fake_corpora, tmp_path):
    """The project's stance rows: one pair per (sentence, target), text from the corpus, test rows never loaded."""
    from training.stance_data import load_news_targets

    row = {"corpus": "semeval2023", "doc_id": "1", "start": 11, "end": 35, "sampling": "actors2", "annotator": "a"}
    rows = [{**row, "id": "st0", "split": "train", "stance": {"the enemy": "against", "Mr. Smith": "none"}},
            {**row, "id": "st1", "split": "dev", "stance": {"the enemy": "against"}},
            {**row, "id": "st2", "split": "test", "stance": {"the enemy": "favor"}}]
    path = tmp_path / "stance_targets.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    train, dev = load_news_targets(fake_corpora, path)
    assert [(p.target, p.text, p.label) for p in train] == [("the enemy", "The vile enemy attacked.", "against"),
                                                           ("Mr. Smith", "The vile enemy attacked.", "none")]
    assert [(p.target, p.label, p.corpus) for p in dev] == [("the enemy", "against", "news_targets")]
    path.write_text(json.dumps({**rows[0], "end": 10_000}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="points at semeval2023/1"):
        load_news_targets(fake_corpora, path)


def test_ship_gate_compares_the_dev_sets_both_models_report():
    from training.ship_stance import headline_mean, missing_headline_sets, shared_headline_sets

    def settings(**values):
        return {"metrics": {name: {"headline": "f_avg", "f_avg": v} for name, v in values.items()}}

    old = settings(semeval2016=0.6, vast=0.6, basil=0.6)
    new = settings(semeval2016=0.5, vast=0.6, basil=0.6, news_targets=0.9, basil_related=1.0)
    names = shared_headline_sets(new, old)
    assert names == ["semeval2016", "vast", "basil"]  # news_targets is new: not compared; basil_related not headline
    assert headline_mean(new, names) < headline_mean(old, names)
    assert shared_headline_sets(new, new) == ["semeval2016", "vast", "basil", "news_targets"]
    news_stage = settings(basil=0.7, news_targets=0.9)  # trained and evaluated on news only: refused unforced
    assert missing_headline_sets(news_stage, new) == ["semeval2016", "vast"]
    assert missing_headline_sets(new, old) == []


def test_news_none_cap_keeps_sides_and_hard_negatives_first():
    """Each news target keeps at most per_side none pairs per side pair; the none pairs of sentences that take a side
    toward another target go first; other corpora are untouched."""
    news = [StancePair("US", f"mixed {i}", "none", "news_targets", "g") for i in range(3)]
    news += [StancePair("Iran", f"mixed {i}", "against", "news_targets", "g") for i in range(3)]
    news += [StancePair("US", f"passing {i}", "none", "news_targets", "g") for i in range(20)]
    news += [StancePair("US", "blame", "against", "news_targets", "g")]
    other = [StancePair("US", "a tweet", "none", "semeval2016", "t")]
    kept = capped_news_none(news + other, 2.0, random.Random(0))
    us_none = [p.text for p in kept if p.target == "US" and p.label == "none" and p.corpus == "news_targets"]
    assert len(us_none) == 2 and all(t.startswith("mixed") for t in us_none)  # 2 per side pair, hard negatives first
    assert sum(p.label != "none" for p in kept) == 4 and other[0] in kept
    config = StanceConfig(news_none_per_side=2.0, news_targets_repeat=1, semeval2016_repeat=1)
    assert len(training_pairs(config, news + other)) == len(kept)


def test_mark_target_knows_common_aliases_of_states():
    assert mark_target("Matsegora criticized Washington's approach; the U.S. and us.", "United States") == \
        "Matsegora criticized « Washington »'s approach; the « U.S. » and us."
    assert mark_target("Washington met Beijing.", "China") == "Washington met « Beijing »."
    assert mark_target("The White House said so.", "the united  states") == "The « White House » said so."
    assert mark_target("Washington said so.", "US") == "« Washington » said so."  # any member names the group
    # aliases that name something else are left alone; so are capitals-only datelines
    text = "WASHINGTON (AP) - The Washington Post saw Latin America, George Washington and Washington state."
    assert mark_target(text, "United States") == text
    # guillemets already in the text become quotes: the marks must be the only ones
    assert mark_target("He said « hi » to Beijing.", "China") == 'He said " hi " to « Beijing ».'


def test_mark_target_knows_demonyms_parties_and_surnames():
    assert mark_target("North Koreans' warm attitude toward Russians", "North Korea") == \
        "« North Koreans »' warm attitude toward Russians"
    assert mark_target("The GOP and Republican senators.", "Republicans") == "The « GOP » and « Republican » senators."
    assert mark_target("Mr. Trump met Donald Trump.", "Donald Trump") == "Mr. « Trump » met « Donald Trump »."
    assert mark_target("Assad's forces", "Bashar al-Assad") == "« Assad »'s forces"
    # demonyms and party adjectives inside names of other things are left alone
    text = ("Native American and Latin American groups met the Democratic Republic of Congo, the Free Democratic "
            "Party, the Irish Republican Army and the Organization of American States over Chinese food.")
    assert all(mark_target(text, t) == text for t in ("United States", "Democrats", "Republicans", "China"))


def test_surnames_only_for_names_of_people():
    assert surnames("Donald Trump") == ["Trump"] and surnames("Bashar al-Assad") == ["al-Assad", "Assad"]
    assert surnames("Xi Jinping") == ["Xi"] and surnames("Kim Jong Un") == ["Kim"]  # family name first
    for not_a_person in ("Supreme Court", "United Nations", "Saudi Arabia", "NATO", "oil companies", "South Africa",
                         "Brothers of Italy", "Islamic State", "Law and Justice", "Amnesty International"):
        assert surnames(not_a_person) == [], not_a_person


def test_mention_mask_is_one_at_the_opening_marks_of_the_sentence_only(tiny_model):
    from model.stance import mention_mask

    tokenizer = framing.load(tiny_model).tokenizer
    batch = tokenizer(["« nato"], [mark_target("we hate nato", "nato")], return_tensors="pt")
    mask = mention_mask(batch["input_ids"], batch["token_type_ids"], tokenizer.convert_tokens_to_ids("«"))
    tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0])
    assert [t for t, m in zip(tokens, mask[0]) if m] == ["«"] and tokens.count("«") == 2  # not the target's


def test_mention_pooling_reads_the_marked_tokens_or_else_the_target():
    hidden = torch.arange(2 * 5 * 2, dtype=torch.float32).reshape(2, 5, 2)  # (batch, seq, hidden)
    mask = torch.ones(2, 5, dtype=torch.long)
    types = torch.tensor([[0, 0, 1, 1, 1], [0, 0, 1, 1, 1]])
    mentions = torch.tensor([[0, 0, 0, 1, 0], [0, 0, 0, 0, 0]])  # sentence 2 does not name its target
    pooled = pool(hidden, mask, types, "mention", mentions=mentions)  # (2, 4 * 2)
    assert pooled.shape == (2, 8)
    assert torch.equal(pooled[0, 6:], hidden[0, 3]) and torch.equal(pooled[1, 6:], hidden[1, :2].mean(0))
    assert torch.equal(pooled[:, :6], pool(hidden, mask, types, "pair"))


def test_a_pair_adapter_starts_a_mention_stage_where_it_ended(tiny_model, fake_stance_corpora, tmp_path):
    first = [f"--base={tiny_model}", f"--data={fake_stance_corpora}", "--epochs=2", "--lora_rank=4",
             "--lora_alpha=8", *TINY_RUN]
    train_stance([*first, f"--out={tmp_path / 'pair'}"])
    base = framing.load(tiny_model)
    with pytest.raises(ValueError, match="mark_target=true"):
        build_net(build_config(StanceConfig, [*first, "--pooling=mention"]), base, "cpu")
    config = build_config(StanceConfig, [*first, "--pooling=mention", "--mark_target=true",
                                         f"--init_stance={tmp_path / 'pair'}"])
    net = build_net(config, base, "cpu").eval()
    pairs = [StancePair("NATO", "we hate the weather", "against", "semeval2016", "g")]  # no mention: no marks
    batch = collate(encode(pairs, base.tokenizer, 32, mark=True), [0], base.tokenizer, "cpu")
    with torch.no_grad():
        started = net(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])  # (1, 3)
    saved = framing.load(tmp_path / "pair").stance.logits(["NATO"], ["we hate the weather"])
    assert torch.allclose(started, saved, atol=2e-2)  # fp16 adapter storage
    assert net.head.weight[:, -16:].abs().sum() == 0  # the mention columns start at zero


def test_stance_files_that_disagree_are_a_clear_error(stance_model, tmp_path):
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(stance_model, folder)
    settings = json.loads((folder / "stance.json").read_text())
    (folder / "stance.json").write_text(json.dumps({**settings, "pooling": "mention", "mark_target": True}))
    with pytest.raises(ValueError, match="different runs"):
        framing.load(folder)


def test_state_swap_puts_another_unnamed_state_in_the_target_place_with_the_same_label():
    import random

    from training.stance_data import state_swapped_pairs
    text = "The envoy said Pyongyang acted in good faith while Washington and Iranian officials gave nothing."
    pairs = [StancePair("North Korea", text, "favor", "written", "g"),
             StancePair("the united states", text, "against", "written", "g"),
             StancePair("NATO", "NATO is bad.", "against", "vast", "g"),  # not a state
             StancePair("Japan", "Nothing on it here.", "none", "written", "g")]  # a state the text does not name
    assert state_swapped_pairs(pairs, 0.0, random.Random(0)) == []
    for seed in range(20):
        swapped = state_swapped_pairs(pairs, 1.0, random.Random(seed))
        assert [p.label for p in swapped] == ["favor", "against"]
        for new, replaced, kept in zip(swapped, ("Pyongyang", "Washington"), ("Washington", "Pyongyang")):
            assert new.target not in ("North Korea", "United States", "Iran")  # never itself nor a named state
            assert new.text.count(new.target) == 1 and replaced not in new.text and kept in new.text


def test_state_swap_changes_counts_labels_that_follow_the_state_not_the_sentence():
    from training.stance_eval import predicted_labels, state_swap_changes

    class StatePrior:  # against North Korea whatever the sentence says, none toward anything else
        def logits(self, targets, sentences):
            return torch.tensor([[0.0, 5.0, 0.0] if t == "North Korea" else [0.0, 0.0, 5.0] for t in targets])

    class SentenceOnly:
        def logits(self, targets, sentences):
            return torch.tensor([[5.0, 0.0, 0.0] if "praised" in s else [0.0, 0.0, 5.0] for s in sentences])

    pairs = [StancePair("North Korea", "He praised Pyongyang.", "favor", "news_targets", "d"),
             StancePair("Japan", "He praised Tokyo.", "favor", "news_targets", "d"),
             StancePair("NATO", "He praised NATO.", "favor", "news_targets", "d")]  # not a state: not swapped
    def labels(scorer):  # the model's own labels for the original pairs, as evaluate_stance passes them
        return predicted_labels(scorer.logits([p.target for p in pairs], [p.text for p in pairs]),
                                [p.allowed for p in pairs])

    assert state_swap_changes(SentenceOnly(), pairs, labels(SentenceOnly())) == (0.0, 6)
    share, n = state_swap_changes(StatePrior(), pairs, labels(StatePrior()))
    assert n == 6 and share >= 0.5  # every North Korea swap changes; a Japan swap only where it drew North Korea


def test_written_favor_and_state_swap_reach_the_training_pairs():
    from training.report import STANCE_CORPUS_WORDS
    from training.stance_data import CORPORA

    assert set(STANCE_CORPUS_WORDS) == set(CORPORA)  # every corpus can be named on a model card
    train, dev = stance_splits(Path("unused"), ("written_favor",), 0.15, 13)  # project files: no corpora needed
    assert not dev and train and {p.corpus for p in train} == {"written_favor"}
    assert all(p.group.startswith("written:s") for p in train)
    plain = StanceConfig(corpora=("written_favor",), written_repeat=2, news_none_per_side=0.0)
    assert len(training_pairs(plain, train)) == 2 * len(train)  # written_repeat applies to the second batch too
    swapped = training_pairs(replace(plain, state_swap_fraction=1.0), train)
    named = {(p.target, p.text) for p in train}
    extra = [p for p in swapped if (p.target, p.text) not in named]
    assert len(extra) == len(swapped) - 2 * len(train) > 100  # each state pair once more, another state named
