"""Stance toward named targets: a (target, sentence) cross-encoder that shares the framing model's encoder.

The stance files sit beside the framing model (stance.json, stance.safetensors). They hold a low-rank adapter
(LoRA: ``W + scale * B @ A`` for the encoder's linear layers) and a 3-way head over mean-pooled tokens, so stance
adds about 1 MB to the shipped folder instead of a second 22 MB encoder, and the framing scores stay exactly what
they were. At load the adapter is merged into a copy of the framing encoder: inference is a plain BERT forward.
A folder may instead hold a whole encoder (keys ``encoder.*``): the unshared variant, measured but not shipped.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from model.mentions import MARK_OPEN, mark_target
from model.results import StanceResult, TargetStance

STANCE_FILE = "stance.json"
STANCE_WEIGHTS = "stance.safetensors"
STANCE_LABELS = ("favor", "against", "none")
MAX_TARGET_TOKENS = 32  # a target is a name or a short phrase; a paragraph as a target is an input error


def has_stance(folder: str | Path) -> bool:
    return (Path(folder) / STANCE_FILE).is_file() and (Path(folder) / STANCE_WEIGHTS).is_file()


def read_stance_settings(folder: str | Path) -> dict:
    """The stance.json of ``folder``: labels, max_length, adapter shape, pooling, temperature, config, metrics."""
    return json.loads((Path(folder) / STANCE_FILE).read_text(encoding="utf-8"))


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (batch, seq, 1)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)  # (batch, hidden)


class TargetAttention(torch.nn.Module):
    """The target's pooled vector, projected, queries the sentence's tokens (TGA-Net's idea): the head then reads
    the words that concern the target ("accused *the United States*"), not only the sentence's overall tone."""

    def __init__(self, hidden_size: int):
        super().__init__()
        self.query = torch.nn.Linear(hidden_size, hidden_size, bias=False)
        torch.nn.init.eye_(self.query.weight)  # starts as plain similarity to the target

    def forward(self, hidden: torch.Tensor, sentence_mask: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        query = self.query(target.to(self.query.weight.dtype)).to(hidden.dtype)  # (batch, hidden)
        scores = torch.einsum("bsh,bh->bs", hidden, query) / hidden.shape[-1] ** 0.5  # (batch, seq)
        scores = scores.masked_fill(sentence_mask == 0, float("-inf"))  # the final [SEP] keeps a row non-empty
        return torch.einsum("bs,bsh->bh", torch.softmax(scores, dim=-1), hidden)  # (batch, hidden)


POOLING_WIDTH = {"mean": 1, "pair": 3, "attend": 4, "mention": 4}  # head input width, in hidden sizes


def mention_mask(input_ids: torch.Tensor, token_type_ids: torch.Tensor, marker_id: int) -> torch.Tensor:
    """1 at the opening marks « of the target's mentions in the sentence, (batch, seq)."""
    return ((input_ids == marker_id) & (token_type_ids == 1)).long()


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None,
         pooling: str, attention: TargetAttention | None = None, mentions: torch.Tensor | None = None
         ) -> torch.Tensor:
    """``mean``: all tokens, (batch, hidden). ``pair``: sentence tokens, target tokens and their product,
    (batch, 3 * hidden): the head sees how the sentence relates to the target, not only its overall tone.
    ``attend``: ``pair``'s sentence and target, then the target-attended sentence tokens and their product with
    the target, (batch, 4 * hidden). ``mention``: ``pair``, then the tokens at the target's marked mentions
    (``mentions``, see mention_mask; the target's tokens where the sentence does not name it), (batch, 4 * hidden):
    the head reads what the sentence says *at* the target ("accused «the United States» of"), the entity-marker
    idea of relation classification."""
    if pooling == "mean":
        return mean_pool(hidden, attention_mask)
    assert pooling in POOLING_WIDTH and token_type_ids is not None, pooling
    sentence_mask = attention_mask * (token_type_ids == 1)  # (batch, seq)
    sentence = mean_pool(hidden, sentence_mask)  # (batch, hidden)
    target = mean_pool(hidden, attention_mask * (token_type_ids == 0))  # (batch, hidden)
    if pooling == "pair":
        return torch.cat([sentence, target, sentence * target], dim=-1)  # (batch, 3 * hidden)
    if pooling == "mention":
        assert mentions is not None, "pooling=mention needs the mention mask"
        named = mentions.sum(1, keepdim=True) > 0  # (batch, 1)
        at_target = torch.where(named, mean_pool(hidden, mentions), target)  # (batch, hidden)
        return torch.cat([sentence, target, sentence * target, at_target], dim=-1)  # (batch, 4 * hidden)
    assert attention is not None, "pooling=attend needs its TargetAttention"
    attended = attention(hidden, sentence_mask, target)  # (batch, hidden)
    return torch.cat([sentence, target, attended, attended * target], dim=-1)  # (batch, 4 * hidden)


def encode_and_pool(encoder: torch.nn.Module, batch: dict, pooling: str, attention: TargetAttention | None,
                    marker_id: int) -> torch.Tensor:
    """The head's input for a tokenized batch of (target, sentence) pairs, (batch, features): one path for
    training and inference, so that the two cannot drift apart."""
    hidden = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                     token_type_ids=batch.get("token_type_ids")).last_hidden_state  # (batch, seq, hidden)
    mentions = (mention_mask(batch["input_ids"], batch["token_type_ids"], marker_id)
                if pooling == "mention" else None)  # (batch, seq)
    return pool(hidden, batch["attention_mask"], batch.get("token_type_ids"), pooling, attention, mentions)


def check_pooling(folder: Path, settings: dict, head_width: int, hidden_size: int) -> None:
    """A clear error for stance files that disagree with themselves (head width, pooling, marking)."""
    pooling = settings.get("pooling", "mean")
    if pooling not in POOLING_WIDTH or head_width != POOLING_WIDTH[pooling] * hidden_size:
        raise ValueError(f"{folder / STANCE_FILE} says pooling={pooling} but the head in {STANCE_WEIGHTS} takes "
                         f"{head_width} features: the two files come from different runs; copy both from one")
    if pooling == "mention" and not settings.get("mark_target"):
        raise ValueError(f"{folder / STANCE_FILE} says pooling=mention without mark_target: mention pooling reads "
                         "the marked mentions; set mark_target to true (as it was trained)")


def merge_lora(encoder: torch.nn.Module, weights: dict[str, torch.Tensor], scale: float) -> None:
    """Add ``scale * B @ A`` to each adapted linear layer of ``encoder`` (in place)."""
    modules = dict(encoder.named_modules())
    for key in weights:
        if not key.startswith("lora.") or not key.endswith(".A"):
            continue
        name = key[len("lora."):-len(".A")]
        linear = modules.get(name)
        assert isinstance(linear, torch.nn.Linear), f"adapter for unknown layer {name}"
        delta = weights[f"lora.{name}.B"].float() @ weights[key].float()  # (out, in)
        linear.weight.data += scale * delta.to(linear.weight.device)


def normalize_targets(targets: list[str] | None, tokenizer) -> list[str]:
    """Validated targets, whitespace-collapsed: a list of distinct, non-empty, short strings."""
    if targets is None:
        return []
    if isinstance(targets, str) or not isinstance(targets, (list, tuple)):
        raise TypeError(f"targets must be a list of strings, got {type(targets).__name__}: "
                        "wrap one target in a list, e.g. targets=['NATO']")
    cleaned, seen = [], {}
    for i, target in enumerate(targets):
        if not isinstance(target, str):
            raise TypeError(f"targets[{i}] is {type(target).__name__}; expected a string such as 'NATO'")
        name = re.sub(r"\s+", " ", target).strip()
        if not name:
            raise ValueError(f"targets[{i}] is empty; give a name such as 'United States'")
        n_tokens = len(tokenizer.tokenize(name))
        if n_tokens > MAX_TARGET_TOKENS:
            raise ValueError(f"targets[{i}] is {n_tokens} tokens long (at most {MAX_TARGET_TOKENS}): a target is "
                             f"a name or short phrase, got {name[:60]!r}...")
        if name.casefold() in seen:
            raise ValueError(f"duplicate target {name!r} (targets[{seen[name.casefold()]}] and targets[{i}]); "
                             "give each target once")
        seen[name.casefold()] = i
        cleaned.append(name)
    return cleaned


class StanceScorer:
    """Favor/against/none probabilities for (target, sentence) pairs. Build with :meth:`from_pretrained`."""

    def __init__(self, encoder, head: torch.nn.Linear, tokenizer, settings: dict, batch_size: int = 64,
                 files: dict[str, torch.Tensor] | None = None, attention: TargetAttention | None = None):
        self.encoder = encoder
        self.files = files or {}  # the stored adapter and head, unmerged, so that export can write them again
        self.head = head
        self.attention = attention  # pooling=attend only
        self.tokenizer = tokenizer
        self.settings = settings
        self.batch_size = batch_size

    @property
    def labels(self) -> list[str]:
        return list(self.settings["labels"])

    @property
    def marker_id(self) -> int:
        return self.tokenizer.convert_tokens_to_ids(MARK_OPEN)

    @classmethod
    def from_pretrained(cls, folder: str | Path, base_encoder: torch.nn.Module, tokenizer,
                        batch_size: int = 64) -> "StanceScorer":
        """The stance files of ``folder`` applied to a copy of ``base_encoder`` (the framing model's encoder)."""
        folder = Path(folder)
        if not has_stance(folder):
            raise FileNotFoundError(f"No stance model in {folder} (expected {STANCE_FILE} and {STANCE_WEIGHTS}): "
                                    "run `make train-stance` or use a model folder that has one")
        settings = read_stance_settings(folder)
        weights = load_file(str(folder / STANCE_WEIGHTS))
        encoder = copy.deepcopy(base_encoder)
        full = {k[len("encoder."):]: v.float() for k, v in weights.items() if k.startswith("encoder.")}
        if full:  # an unshared encoder (mode=full) replaces the framing weights in the copy
            missing, unexpected = encoder.load_state_dict(full, strict=False)
            assert not unexpected and all(k.startswith("pooler.") for k in missing), (missing, unexpected)
        merge_lora(encoder, weights, settings.get("lora_alpha", 1.0) / max(settings.get("lora_rank", 1), 1))
        device = next(base_encoder.parameters()).device
        check_pooling(folder, settings, weights["head.weight"].shape[1], encoder.config.hidden_size)
        head = torch.nn.Linear(weights["head.weight"].shape[1], len(settings["labels"]))
        head.load_state_dict({"weight": weights["head.weight"].float(), "bias": weights["head.bias"].float()})
        attention = None
        if settings.get("pooling") == "attend":
            if "pool.query.weight" not in weights:
                raise ValueError(f"{folder / STANCE_FILE} says pooling=attend but {STANCE_WEIGHTS} has no "
                                 "pool.query.weight: the two files come from different runs; copy both from one")
            attention = TargetAttention(head.in_features // POOLING_WIDTH["attend"])
            attention.query.weight.data = weights["pool.query.weight"].float()
            attention = attention.to(device).eval()
        return cls(encoder.to(device).eval(), head.to(device).eval(), tokenizer, settings, batch_size, weights,
                   attention)

    def save(self, folder: str | Path) -> None:
        """Write the stance files (as loaded) into ``folder``, beside a framing model with the same encoder."""
        (Path(folder) / STANCE_FILE).write_text(json.dumps(self.settings, indent=2), encoding="utf-8")
        save_file({k: v.contiguous() for k, v in self.files.items()}, str(Path(folder) / STANCE_WEIGHTS))

    @torch.inference_mode()
    def logits(self, targets: list[str], sentences: list[str]) -> torch.Tensor:
        """Raw logits for the pairs ``(targets[i], sentences[i])``, (n_pairs, 3) in ``self.labels`` order."""
        assert len(targets) == len(sentences)
        if self.settings.get("mark_target"):
            sentences = [mark_target(s, t) for t, s in zip(targets, sentences)]
        device = next(self.encoder.parameters()).device
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]) + len(targets[i]))
        out = torch.empty(len(sentences), len(self.labels))
        for i in range(0, len(order), self.batch_size):
            idx = order[i:i + self.batch_size]
            batch = self.tokenizer([targets[j] for j in idx], [sentences[j] for j in idx], padding=True,
                                   truncation="only_second", max_length=self.settings["max_length"],
                                   return_tensors="pt").to(device)
            pooled = encode_and_pool(self.encoder, batch, self.settings.get("pooling", "mean"), self.attention,
                                     self.marker_id)  # (b, features)
            out[idx] = self.head(pooled).float().cpu()  # (b, 3)
        return out

    def probabilities(self, targets: list[str], sentences: list[str]) -> torch.Tensor:
        """Calibrated probabilities, (n_pairs, 3) in ``self.labels`` order."""
        if not sentences:
            return torch.zeros(0, len(self.labels))
        return torch.softmax(self.logits(targets, sentences) / self.settings.get("temperature", 1.0), dim=-1)

    def grid(self, sentences: list[str], targets: list[str]) -> torch.Tensor:
        """Every sentence against every target, (n_sentences, n_targets, 3); pairs are batched together."""
        pairs_t = [t for _ in sentences for t in targets]
        pairs_s = [s for s in sentences for _ in targets]
        probs = self.probabilities(pairs_t, pairs_s)  # (n_sentences * n_targets, 3)
        return probs.reshape(len(sentences), len(targets), len(self.labels))


def stance_results(grid: torch.Tensor, targets: list[str], labels: list[str]) -> list[dict]:
    """Per sentence, ``{target: StanceResult}`` from a (n_sentences, n_targets, 3) probability grid."""
    best = grid.argmax(-1) if grid.numel() else grid.new_zeros(grid.shape[:2], dtype=torch.long)  # (n_s, n_t)
    return [{target: StanceResult(labels[int(best[i, t])],
                                  {label: round(float(grid[i, t, k]), 4) for k, label in enumerate(labels)})
             for t, target in enumerate(targets)} for i in range(grid.shape[0])]


def roll_up(per_sentence: list[dict], targets: list[str]) -> dict:
    """Per target, a TargetStance over a document's sentences (see model/results.py)."""
    rolled = {}
    for target in targets:
        results = [s[target] for s in per_sentence]
        counts = {label: sum(r.label == label for r in results) for label in STANCE_LABELS}
        concerned = [r for r in results if r.label != "none"]
        favor = sum(r.scores["favor"] for r in concerned) / len(concerned) if concerned else 0.0
        against = sum(r.scores["against"] for r in concerned) / len(concerned) if concerned else 0.0
        label = "none" if not concerned else ("favor" if favor > against else "against")
        rolled[target] = TargetStance(label, counts, round(favor, 4), round(against, 4))
    return rolled
