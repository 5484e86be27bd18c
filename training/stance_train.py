"""`make train-stance`: train the (target, sentence) stance head on the framing model's encoder, then evaluate.

The default (mode=lora) freezes the shared encoder exactly as the base model ships it (int8 weights, dequantized)
and trains a rank-16 adapter plus a 3-way head; the out folder is the base model plus stance.json and
stance.safetensors. mode=full trains a whole unshared encoder instead, to measure what sharing costs.
Usage: python -m training.stance_train [--config FILE.toml] [--key=value ...]  (keys: StanceConfig)
"""
from __future__ import annotations

import dataclasses
import json
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import AutoModel

from model.analyzer import Analyzer, resolve_device
from model.mentions import MARK_OPEN, mark_target
from model.stance import (POOLING_WIDTH, STANCE_FILE, STANCE_LABELS, STANCE_WEIGHTS, TargetAttention, has_stance,
                          encode_and_pool, read_stance_settings)
from training.config import StanceConfig, build_config
from training.corpora import corpora_root
from training.lora import add_lora, lora_state
from training.stance_data import (StancePair, allowed_mask, related_none_pairs, stance_splits,
                                  state_swapped_pairs)
from training.stance_eval import (corpus_metrics, dev_logits, fit_softmax_temperature, format_stance_metrics)
from training.train import length_batches, log_progress, optimizer_and_schedule, start_job, take_step


class StanceNet(torch.nn.Module):
    def __init__(self, encoder, pooling: str = "mean", n_labels: int = len(STANCE_LABELS), marker_id: int = -1):
        super().__init__()
        self.encoder = encoder
        self.pooling = pooling
        self.marker_id = marker_id  # the token id of « (pooling=mention)
        assert pooling != "mention" or marker_id >= 0, "pooling=mention needs the token id of «"
        self.dropout = torch.nn.Dropout(0.1)
        if pooling not in POOLING_WIDTH:
            raise ValueError(f"--pooling expects one of {', '.join(POOLING_WIDTH)}, got {pooling!r}")
        hidden_size = encoder.config.hidden_size
        self.attention = TargetAttention(hidden_size) if pooling == "attend" else None
        self.head = torch.nn.Linear(hidden_size * POOLING_WIDTH[pooling], n_labels)

    def forward(self, input_ids, attention_mask, token_type_ids=None) -> torch.Tensor:
        batch = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
        pooled = encode_and_pool(self.encoder, batch, self.pooling, self.attention, self.marker_id)  # (b, features)
        return self.head(self.dropout(pooled))  # (batch, n_labels)


def swapped_none_pairs(pairs: list[StancePair], fraction: float, rng: random.Random) -> list[StancePair]:
    """For a ``fraction`` of the tweet and news pairs, the same text toward a target of another corpus, as none:
    without them the head learned the text's tone and ignored the target (equal scores toward any target)."""
    targets = {c: sorted({p.target for p in pairs if p.corpus == c}) for c in {p.corpus for p in pairs}}
    swapped = []
    for pair in pairs:
        others = [t for c, names in targets.items() if c != pair.corpus for t in names
                  if t.casefold() != pair.target.casefold()]
        if pair.corpus != "vast" and others and rng.random() < fraction:
            swapped.append(StancePair(rng.choice(others), pair.text, "none", pair.corpus, pair.group))
    return swapped


def capped_news_none(pairs: list[StancePair], per_side: float, rng: random.Random) -> list[StancePair]:
    """news_targets pairs with each target's none pairs capped at ``per_side`` times its favor/against pairs (at
    least ``per_side``), keeping first the none pairs of sentences that take a side toward another target (the
    hard negatives); other corpora pass through. Without a cap, a target that news mostly names in passing ("U.S."
    as an adjective) is learned as none whatever the sentence says."""
    news = [p for p in pairs if p.corpus == "news_targets"]
    sided_texts = {p.text for p in news if p.label != "none"}
    kept = [p for p in pairs if p.corpus != "news_targets" or p.label != "none"]
    sides, none_pairs = Counter(p.target for p in news if p.label != "none"), defaultdict(list)
    for p in news:
        if p.label == "none":
            none_pairs[p.target].append(p)
    for target in sorted({p.target for p in news}):
        nones = none_pairs[target]
        rng.shuffle(nones)
        nones.sort(key=lambda p: p.text not in sided_texts)  # stable: hard negatives first, then shuffled
        kept += nones[:max(round(per_side * sides[target]), round(per_side))]
    return kept


def training_pairs(config: StanceConfig, train: list[StancePair]) -> list[StancePair]:
    """The epoch's pairs: P-Stance sampled down, SemEval-2016 and BASIL repeated, swapped- and related-target none."""
    rng = random.Random(config.seed)
    pstance = [p for p in train if p.corpus == "pstance"]
    rng.shuffle(pstance)
    if config.news_none_per_side:
        train = capped_news_none(train, config.news_none_per_side, rng)
    repeat = {"semeval2016": config.semeval2016_repeat, "basil": config.basil_repeat,
              "news_targets": config.news_targets_repeat, "written": config.written_repeat,
              "written_favor": config.written_repeat}
    pairs = pstance[:config.pstance_max] + [p for p in train if p.corpus != "pstance"
                                            for _ in range(repeat.get(p.corpus, 1))]
    swapped = swapped_none_pairs(pairs, config.swap_none_fraction, rng)
    related = related_none_pairs(pairs, config.related_none_fraction, rng)  # a story's actors, not swapped targets
    states = state_swapped_pairs(pairs, config.state_swap_fraction, rng)
    pairs += swapped + related + states
    rng.shuffle(pairs)
    return pairs[:config.max_train_pairs] if config.max_train_pairs else pairs


def encode(pairs: list[StancePair], tokenizer, max_length: int, mark: bool = False) -> dict:
    texts = [mark_target(p.text, p.target) if mark else p.text for p in pairs]
    enc = tokenizer([p.target for p in pairs], texts, truncation="only_second", max_length=max_length)
    enc["labels"] = [STANCE_LABELS.index(p.label) for p in pairs]
    enc["allowed"] = allowed_mask([p.allowed for p in pairs]).tolist()
    return enc


def collate(enc: dict, idx: list[int], tokenizer, device) -> dict:
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
    batch = tokenizer.pad({k: [enc[k][i] for i in idx] for k in keys}, return_tensors="pt")
    batch["labels"] = torch.tensor([enc["labels"][i] for i in idx])  # (batch,)
    batch["allowed"] = torch.tensor([enc["allowed"][i] for i in idx])  # (batch, 3)
    return {k: v.to(device) for k, v in batch.items()}


def class_weights(pairs: list[StancePair]) -> torch.Tensor:
    """Inverse square-root frequency, mean 1: none is the rarest class and macro-F1 counts it fully."""
    counts = torch.tensor([sum(p.label == label for p in pairs) for label in STANCE_LABELS], dtype=torch.float32)
    weights = counts.clamp(min=1).rsqrt()
    return weights / weights.mean()  # (3,)


def build_net(config: StanceConfig, base: Analyzer, device) -> StanceNet:
    if config.pooling == "mention" and not config.mark_target:
        raise ValueError("--pooling=mention reads the tokens at the target's marked mentions: pass --mark_target=true")
    marker_id = base.tokenizer.convert_tokens_to_ids(MARK_OPEN)
    if config.pooling == "mention" and marker_id == base.tokenizer.unk_token_id:
        raise ValueError(f"--pooling=mention needs {MARK_OPEN} in the encoder's vocabulary; {config.base}'s tokenizer "
                         "maps it to [UNK]: use --pooling=pair")
    if config.mode == "lora":
        net = StanceNet(base.model.base_model, config.pooling, marker_id=marker_id)
        add_lora(net.encoder, config.lora_rank, config.lora_alpha)
    elif config.mode == "full":
        from training.train import default_encoder

        net = StanceNet(AutoModel.from_pretrained(config.init_encoder or default_encoder(), add_pooling_layer=False),
                        config.pooling, marker_id=marker_id)
    else:
        raise ValueError(f"--mode expects lora or full, got {config.mode!r}")
    if config.init_stance:
        load_stance_state(net, config.init_stance, config)
    return net.to(device)


# what must match between a saved adapter and a run that continues it: the model's function and input, and
# the dev split (another seed or fraction would put the first stage's training pairs among the dev pairs)
CONTINUED_KEYS = ("pooling", "lora_alpha", "mark_target", "seed", "dev_fraction")


def load_stance_state(net: StanceNet, folder: str, config: StanceConfig) -> None:
    """Start from the LoRA adapter, head and attention saved in ``folder``: a second, shorter stage
    (news only, say) continues a finished run instead of repeating it. A pair-pooled adapter may also start a
    mention-pooled stage (marks added): its head fills the pair columns, the mention columns start at zero, so
    the stage starts from exactly the saved model's scores on unmarked input."""
    from safetensors.torch import load_file

    if not has_stance(folder):
        raise FileNotFoundError(f"--init_stance={folder} has no stance adapter ({STANCE_FILE}, {STANCE_WEIGHTS}): "
                                "run `make train-stance` first, or pass a folder that has one")
    settings = read_stance_settings(folder)
    if settings.get("mode", "lora") != "lora" or config.mode != "lora":
        raise ValueError(f"--init_stance continues a LoRA adapter: {folder} has mode={settings.get('mode')}, this "
                         f"run mode={config.mode}; both must be mode=lora")
    saved_config = {**settings.get("config", {}), **settings}
    upgrade = saved_config.get("pooling") == "pair" and config.pooling == "mention"
    for key in CONTINUED_KEYS:
        if upgrade and key in ("pooling", "mark_target"):
            continue
        if key in saved_config and saved_config[key] != getattr(config, key):
            raise ValueError(f"--init_stance={folder} was trained with {key}={saved_config[key]}, this run has "
                             f"{key}={getattr(config, key)}: pass --{key}={saved_config[key]}")
    saved = load_file(str(Path(folder) / STANCE_WEIGHTS))
    state = stance_tensors(net, "lora")
    mismatched = sorted(k for k in state if k not in saved or saved[k].shape != state[k].shape
                        and not (upgrade and k == "head.weight"))
    if mismatched:
        raise ValueError(f"--init_stance={folder} does not fit this run's adapter ({len(mismatched)} tensors "
                         f"missing or of another shape, e.g. {mismatched[:2]}): pass its --lora_rank "
                         f"({settings.get('lora_rank')})")
    modules = dict(net.encoder.named_modules())
    for key, value in saved.items():
        if key.startswith("lora."):
            name, _, part = key[len("lora."):].rpartition(".")
            getattr(modules[name], part).data.copy_(value.float())
    head = saved["head.weight"].float()  # (3, width of the saved pooling)
    net.head.weight.data.zero_()
    net.head.weight.data[:, :head.shape[1]] = head
    net.head.bias.data.copy_(saved["head.bias"].float())
    if net.attention is not None:
        net.attention.query.weight.data.copy_(saved["pool.query.weight"].float())


def train_net(config: StanceConfig, net: StanceNet, pairs: list[StancePair], tokenizer, device) -> None:
    enc = encode(pairs, tokenizer, config.max_length, config.mark_target)
    weights = class_weights(pairs).to(device)
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer, schedule, steps = optimizer_and_schedule(trainable, config, len(pairs))
    rng, step, started = random.Random(config.seed), 0, time.time()
    lengths = [len(ids) for ids in enc["input_ids"]]
    for epoch in range(config.epochs):
        net.train()
        for idx in length_batches(lengths, config.batch_size, rng):
            batch = collate(enc, idx, tokenizer, device)
            logits = net(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"))  # (b, 3)
            logits = logits.masked_fill(~batch["allowed"], -1e4)  # labels a corpus cannot express take no mass
            loss = torch.nn.functional.cross_entropy(logits, batch["labels"], weight=weights)
            step = take_step(loss, trainable, optimizer, schedule, step)
            log_progress(epoch, step, steps, loss, started)


FLOAT32_PREFIXES = ("head.", "pool.")  # small: stored in float32; the adapter or encoder is stored in fp16


def stance_tensors(net: StanceNet, mode: str) -> dict[str, torch.Tensor]:
    """What a stance folder stores, by its stance.safetensors names: the LoRA adapter (or, mode=full, the whole
    encoder), the head, and the attention query for pooling=attend. save_stance writes these; --init_stance
    checks a saved folder against them."""
    tensors = ({f"encoder.{k}": v for k, v in net.encoder.state_dict().items()} if mode == "full"
               else lora_state(net.encoder))
    tensors.update({f"head.{k}": v for k, v in net.head.state_dict().items()})
    if net.attention is not None:
        tensors["pool.query.weight"] = net.attention.query.weight.detach()
    return tensors


def save_stance(net: StanceNet, config: StanceConfig, out: Path, extra: dict) -> None:
    """The base model folder plus the stance files (fp16 adapter or encoder, and the head)."""
    if out.resolve() != Path(config.base).resolve():
        shutil.copytree(config.base, out, dirs_exist_ok=True)
    tensors = {k: v.detach().cpu().to(torch.float32 if k.startswith(FLOAT32_PREFIXES) else torch.float16)
               .contiguous() for k, v in stance_tensors(net, config.mode).items()}
    save_file(tensors, str(out / STANCE_WEIGHTS))
    settings = {"labels": list(STANCE_LABELS), "max_length": config.max_length, "mode": config.mode,
                "lora_rank": config.lora_rank, "lora_alpha": config.lora_alpha, "temperature": 1.0,
                "pooling": config.pooling, "mark_target": config.mark_target, "config": dataclasses.asdict(config),
                **extra}
    (out / STANCE_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")


def calibrate_and_evaluate(out: Path, dev: dict[str, list[StancePair]]) -> dict:
    """Reload ``out`` as users will, fit the temperature on all dev pairs (it moves no argmax), report."""
    scorer = Analyzer.from_pretrained(out, device="cpu").stance
    logits = dev_logits(scorer, dev)
    pairs = [p for name in dev for p in dev[name]]
    temperature = fit_softmax_temperature(torch.cat([logits[n] for n in dev]), [p.label for p in pairs],
                                          [p.allowed for p in pairs])
    metrics = corpus_metrics(dev, logits)
    settings = read_stance_settings(out)
    settings.update(temperature=temperature, metrics=metrics)
    (out / STANCE_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")
    return metrics


def main(argv: list[str]) -> None:
    config = build_config(StanceConfig, argv)
    start_job(config)
    torch.manual_seed(config.seed)
    device = resolve_device(config.device)
    # the dev sets of eval_corpora too: what a news-only stage forgets of the tweet corpora shows in its figures
    loaded = tuple(dict.fromkeys(config.corpora + config.eval_corpora))
    train, dev = stance_splits(corpora_root(config.data or None), loaded, config.dev_fraction, config.seed)
    pairs = training_pairs(config, [p for p in train if p.corpus in config.corpora])
    print(f"{len(pairs)} training pairs per epoch; dev: {', '.join(f'{k} {len(v)}' for k, v in dev.items())}",
          file=sys.stderr)
    base = Analyzer.from_pretrained(config.base, device="cpu")
    net = build_net(config, base, device)
    started = time.time()
    train_net(config, net, pairs, base.tokenizer, device)
    out = Path(config.out)
    counts = {name: sum(p.corpus == name for p in pairs) for name in config.corpora}
    save_stance(net.cpu(), config, out, {"train_pairs_per_epoch": counts,
                                         "train_minutes": round((time.time() - started) / 60, 1)})
    metrics = calibrate_and_evaluate(out, dev)
    print(format_stance_metrics(metrics))
    print(f"saved to {out}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f"error: {err}")
