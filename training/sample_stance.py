"""Draw news sentences for the project's stance annotation (data/annotations/stance_targets.jsonl).

The public stance corpora give one target per text (tweets on Trump, comments on a topic), so a model trained on
them learns the sentence's sentiment, not its side toward a named actor: on the seed article it called the envoy's
praise of North Korea `against` North Korea. What it lacks are news sentences that name several actors and take
different sides toward them. This draws them: sentences of the news corpora that name at least two actors of
ACTORS (countries, blocs, parties, politicians, institutions), each shown toward the actors it names (at most
three) and, for some, toward one more actor of the same article that the sentence does not name (mostly `none`,
unless a pronoun or a metonym points at it).

    python -m training.sample_stance --out scratch/stance_pool.jsonl
    python -m training.sample_stance --merge scratch/stance_pool.jsonl --labels 'scratch/st/batch_[0-9].labels.jsonl'
        --second scratch/st/batch_second.labels.jsonl --adjudicated scratch/st/adjudicated.jsonl
    python -m training.sample_stance --round 2 --size 750 --out scratch/stance_pool2.jsonl  (round 2)
    python -m training.sample_stance --merge scratch/stance_pool2.jsonl --round-name stance2 --labels ...
    python -m training.sample_stance --round 3 --size 600 --out scratch/stance_pool3.jsonl  (round 3)
    python -m training.sample_stance --round 4 --size 400 --out scratch/stance_pool4.jsonl  (round 4)

The merge writes the stand-off file (no text) and the second annotator's labels beside it, and prints Cohen's
kappa over the doubly judged (sentence, target) pairs.

The pool holds corpus text: keep it out of git. Splits are by document: the framing annotations' test documents
(sample_annotations.document_split) are test here too; of the rest, a hashed 20% of documents are dev.
"""
from __future__ import annotations

import argparse
import glob
import random
import re
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from training.annotations import read_rows
from training.corpora import corpora_root
from training.examples import hash_fraction
from training.news_corpora import load_news
from training.sample_annotations import SPEECH, all_sentences, document_split, take, write_jsonl
from training.stance_data import NEWS_TARGETS_FILE

DEV_FRACTION = 0.2
MAX_TARGETS = 3
# canonical target name (as a user would type it) -> the names news text gives it (case-sensitive regex)
ACTORS = {
    "United States": r"United States|U\.S\.(?!\w)|\bUS\b|\bAmerica\b(?! First)|Washington(?! Post|,? D\.?C| state)",
    "Russia": r"Russia\b|Russian (?:government|officials?|forces|military)|Moscow|Kremlin",
    "China": r"China\b|Chinese (?:government|officials?|Communist Party)|Beijing",
    "North Korea": r"North Korea\b|Pyongyang|North Korean (?:regime|government|officials?)",
    "South Korea": r"South Korea\b|Seoul",
    "Iran": r"Iran\b|Tehran|Iranian (?:regime|government|officials?)",
    "Israel": r"Israel\b|Israeli (?:government|officials?|forces|military)",
    "Palestinians": r"Palestinians?\b|Palestinian Authority|Hamas",
    "Ukraine": r"Ukraine\b|Kyiv|Kiev|Ukrainian (?:government|officials?|forces)",
    "Syria": r"Syria\b|Damascus|Syrian (?:regime|government)",
    "Saudi Arabia": r"Saudi Arabia|Riyadh|Saudis?\b",
    "Turkey": r"Turkey\b|Ankara|Turkish (?:government|officials?)",
    "Mexico": r"Mexico\b(?! City)|Mexican (?:government|officials?)",
    "European Union": r"European Union|\bEU\b|Brussels",
    "United Nations": r"United Nations|\bUN\b|\bU\.N\.",
    "NATO": r"\bNATO\b",
    "Democrats": r"Democrats|Democratic Party|Dems\b",
    "Republicans": r"Republicans|Republican Party|\bGOP\b",
    "Congress": r"Congress\b",
    "the media": r"\b(?:the|mainstream|liberal|fake news) media\b|\bthe press\b",
    "Donald Trump": r"(?<!Ivanka )(?<!Melania )(?<!Eric )(?<!Lara )\bTrump\b(?! Jr| Tower| Organization)",
    "Barack Obama": r"(?<!Michelle )\bObama\b",
    "Hillary Clinton": r"\bHillary\b|(?<!Bill )(?<!Chelsea )\bClinton\b(?! Foundation)",
    "Joe Biden": r"(?<!Hunter )\bBiden\b",
    "Vladimir Putin": r"\bPutin\b",
    "Kim Jong Un": r"\bKim Jong[- ]?[Uu]n\b",
    "Bernie Sanders": r"\bBernie\b|(?<!Huckabee )(?<!Sarah )\bSanders\b",
    "Nancy Pelosi": r"\bPelosi\b",
    "Mitch McConnell": r"\bMcConnell\b",
    "Robert Mueller": r"\bMueller\b",
    "James Comey": r"\bComey\b",
    "Benjamin Netanyahu": r"\bNetanyahu\b",
    "Bashar al-Assad": r"\bAssad\b",
    "FBI": r"\bFBI\b",
    "Supreme Court": r"Supreme Court",
    "oil companies": r"\b(?:oil|fossil fuel|coal) (?:companies|industry|firms)\b|ExxonMobil|\bExxon\b",
    "climate scientists": r"\bclimate scientists\b|\bIPCC\b",
}
FOREIGN_STATES = ("Russia", "China", "North Korea", "South Korea", "Iran", "Israel", "Palestinians", "Ukraine", "Syria",
                  "Saudi Arabia", "Turkey", "Mexico", "European Union", "United Nations", "NATO")
SUPPORT = (r"\b(prais\w+|defend\w*|defen[cs]e|thank\w*|welcom\w+|support\w*|back(?:s|ed|ing)|endors\w+|credit\w*|"
           r"hail\w*|applaud\w*|commend\w*|laud\w*|ally|allies|friend\w*|partner\w*|great|good faith|"
           r"goodwill|generous|helped|help(?:s|ing)?|victims?|unfair\w*|persecut\w+|wrongly)\b")
# blame, accusation and hostility: round 3 looks for sides taken toward states, the seed's need
BLAME = (r"\b(accus\w+|blam\w+|responsib\w+|condemn\w*|threat\w*|hostil\w+|provoc\w+|provok\w+|aggress\w+|"
         r"violat\w+|criticiz\w+|criticis\w+|denounc\w+|slam\w*|warn\w*|destabiliz\w+|interfer\w+|meddl\w+|"
         r"sanction\w*|hypocri\w+|lie[sd]?|lying|fault|punish\w*|bully\w*|imperialis\w+)\b")
STATES = ("United States",) + FOREIGN_STATES
PATTERNS = {name: re.compile(pattern) for name, pattern in ACTORS.items()}
# round 4: the actor is the object of the verb ("accused the United States of ...", "praised Pyongyang")
BLAME_VERB = re.compile(r"\b(?:accus|blam|condemn|criticiz|criticis|denounc|fault|attack|slam|lambast|rebuk|chastis|"
                        r"castigat|scold|berat)\w*")
PRAISE_VERB = re.compile(r"\b(?:prais|thank|credit|commend|applaud|hail|laud|welcom|defend|back|support|side with)\w*")
RESPONSIBLE = re.compile(r"\b(?:responsib\w+|to blame|at fault|culprits?)\b")
OBJECT_WINDOW = 45  # characters after the verb in which the actor must be named, in the same clause


def actors_in(text: str) -> list[str]:
    """The ACTORS a text names, in order of first mention."""
    first = {name: m.start() for name, pattern in PATTERNS.items() if (m := pattern.search(text))}
    return sorted(first, key=first.get)


def stance_split(corpus: str, doc_id: str) -> str:
    if document_split(corpus, doc_id) == "test":
        return "test"
    return "dev" if hash_fraction(f"stance-dev:{corpus}:{doc_id}") < DEV_FRACTION else "train"


def with_targets(row: dict, document_actors: list[str], rng: random.Random) -> dict:
    """The row with the actors it names (at most MAX_TARGETS) and, for 40% of rows, one actor of its document that
    it does not name."""
    named = actors_in(row["text"])[:MAX_TARGETS]
    absent = [a for a in document_actors if a not in named]
    targets = named + ([rng.choice(absent)] if absent and rng.random() < 0.4 else [])
    return {**row, "targets": targets, "split": stance_split(row["corpus"], row["doc_id"])}


def candidate_rows(news: dict, done: set = frozenset(), min_actors: int = 2) -> list[dict]:
    """Sentences of 8-70 words naming at least ``min_actors`` actors, other than the (corpus, doc_id, start) in
    ``done``."""
    return [r for r in all_sentences(news) if len(actors_in(r["text"])) >= min_actors
            and 8 <= len(r["text"].split()) <= 70 and (r["corpus"], r["doc_id"], r["start"]) not in done]


def numbered_with_targets(pool: dict, news: dict, rng: random.Random, prefix: str) -> list[dict]:
    keys = {(row["corpus"], row["doc_id"]) for row in pool.values()}
    document_actors = {key: actors_in(news[key].text) for key in keys}  # the pooled articles only
    chosen = [with_targets(row, document_actors[(row["corpus"], row["doc_id"])], rng) for row in pool.values()]
    rng.shuffle(chosen)
    return [{**row, "id": f"{prefix}{k:05d}"} for k, row in enumerate(chosen)]


def build_stance_pool(news: dict, n: int, seed: int = 31) -> list[dict]:
    """Round 1: ``n`` sentences naming at least two actors, half of them reported speech (half of those naming a
    foreign state), at most two per document in each draw."""
    rng = random.Random(seed)
    rows = candidate_rows(news)
    speech = [i for i, r in enumerate(rows) if re.search(SPEECH, r["text"])]
    order = list(range(len(rows)))
    rng.shuffle(order)
    rng.shuffle(speech)
    pool: dict = {}
    foreign = [i for i in speech if any(a in FOREIGN_STATES for a in actors_in(rows[i]["text"]))]
    take(pool, rows, foreign, "actors2:foreign-speech", n // 4, per_doc=2)  # the seed's genre, rare in the corpora
    take(pool, rows, speech, "actors2:speech", n // 2 - len(pool), per_doc=2)
    take(pool, rows, order, "actors2", n - len(pool), per_doc=2)
    return numbered_with_targets(pool, news, rng, "st")


def build_support_pool(news: dict, done: set, n: int, seed: int = 32) -> list[dict]:
    """Round 2: round 1 gave `favor` to 6% of pairs, so 60% of these ``n`` sentences carry a word of support
    (SUPPORT), 20% name a foreign state, the rest are drawn at random; none was drawn in round 1."""
    rng = random.Random(seed)
    rows = candidate_rows(news, done)
    order = list(range(len(rows)))
    rng.shuffle(order)
    support = [i for i in order if re.search(SUPPORT, rows[i]["text"])]
    foreign = [i for i in order if any(a in FOREIGN_STATES for a in actors_in(rows[i]["text"]))]
    pool: dict = {}
    take(pool, rows, support, "actors2:support", n * 6 // 10, per_doc=2)
    take(pool, rows, foreign, "actors2:foreign", n * 8 // 10 - len(pool), per_doc=2)
    take(pool, rows, order, "actors2", n - len(pool), per_doc=2)
    return numbered_with_targets(pool, news, rng, "su")


def build_state_pool(news: dict, done: set, n: int, seed: int = 33) -> list[dict]:
    """Round 3: after rounds 1-2, sides toward states were rare (the "United States" was `none` in 91% of its
    pairs, mostly passing mentions), so these ``n`` sentences all name a state (STATES), alone or with other actors
    (rounds 1-2 used up most sentences naming two): half carry a word of blame or hostility (BLAME), a fifth a word
    of support (SUPPORT), the rest are reported speech; none was drawn before, one per document and sampling."""
    rng = random.Random(seed)
    rows = [r for r in candidate_rows(news, done, min_actors=1) if any(a in STATES for a in actors_in(r["text"]))]
    order = list(range(len(rows)))
    rng.shuffle(order)
    pool: dict = {}
    for sampling, cue, share in (("blame", BLAME, 5), ("support", SUPPORT, 7), ("speech", SPEECH, 10)):
        chosen = [i for i in order if re.search(cue, rows[i]["text"])]
        take(pool, rows, chosen, f"actors2:state-{sampling}", n * share // 10 - len(pool), per_doc=1)
    return numbered_with_targets(pool, news, rng, "sb")


def names_object_of(text: str, verb: re.Pattern) -> bool:
    """An actor named within OBJECT_WINDOW characters after ``verb``, with no clause break between."""
    for match in verb.finditer(text):
        window = re.split(r"[.;:!?\"“”]", text[match.end():match.end() + OBJECT_WINDOW])[0]
        if any(pattern.search(window) for pattern in PATTERNS.values()):
            return True
    return False


def build_object_pool(news: dict, done: set, n: int, seed: int = 34) -> list[dict]:
    """Round 4: after rounds 1-3 the training pairs held 13 `against` pairs whose sentence accuses a named actor,
    since sentences drawn for blame words mostly name the actor elsewhere. These ``n`` sentences name an actor as
    the object of blame (half), of praise or support (a quarter), or name one beside a responsibility claim ("the
    responsibility lies with ..."); none was drawn before, at most two per document and sampling."""
    rng = random.Random(seed)
    rows = candidate_rows(news, done, min_actors=1)
    order = list(range(len(rows)))
    rng.shuffle(order)
    pool: dict = {}
    draws = (("blamed", lambda t: names_object_of(t, BLAME_VERB), 5),
             ("praised", lambda t: names_object_of(t, PRAISE_VERB), 7),
             ("responsible", lambda t: bool(RESPONSIBLE.search(t)), 10))
    for sampling, matches, share in draws:
        chosen = [i for i in order if matches(rows[i]["text"])]
        take(pool, rows, chosen, f"actors4:object-{sampling}", n * share // 10 - len(pool), per_doc=2)
    return numbered_with_targets(pool, news, rng, "ob")


def annotation_round(row: dict) -> int:
    """The round a stored row was annotated in, from its annotator ("stance3-annotator0+second" -> 3)."""
    return int(re.match(r"stance(\d+)-", row["annotator"]).group(1))


STANDOFF_KEYS = ("id", "corpus", "doc_id", "start", "end", "stance", "split", "sampling", "annotator")


def stance_kappa(first: list[dict], second: list[dict]) -> float:
    """Cohen's kappa over the (sentence, target) pairs both annotators judged; ``first`` holds the labels before
    adjudication (``first_stance`` where adjudication changed them)."""
    before = {r["id"]: r.get("first_stance", r["stance"]) for r in first}
    pairs = [(before[s["id"]][t], label) for s in second for t, label in s["stance"].items()]
    return float(cohen_kappa_score([a for a, _ in pairs], [b for _, b in pairs]))


def merge(pool_path: str, label_paths: list[str], second_path: str, adjudicated_path: str | None,
          round_name: str) -> list[dict]:
    """The stand-off rows of the annotated pool: first annotators' labels, replaced by the adjudicated ones where
    the two annotators disagreed (the first labels are then kept in ``first_stance``)."""
    labels = {}
    for number, path in enumerate(sorted(label_paths)):
        labels.update({r["id"]: (r["stance"], f"{round_name}-annotator{number}") for r in read_rows(path)})
    second = {r["id"] for r in read_rows(second_path)}
    final = {r["id"]: r["stance"] for r in read_rows(adjudicated_path)} if adjudicated_path else {}
    rows = []
    for row in read_rows(pool_path):
        stance, annotator = labels[row["id"]]
        if set(stance) != set(row["targets"]):
            raise ValueError(f"{row['id']}: labelled targets {sorted(stance)}, pooled {row['targets']}")
        out = {key: row[key] for key in STANDOFF_KEYS if key in row} | {"stance": final.get(row["id"], stance)}
        out["annotator"] = annotator + ("+second" if row["id"] in second else "")
        if out["stance"] != stance:
            out["first_stance"] = stance
        rows.append(out)
    return rows


def write_merge(args: argparse.Namespace) -> None:
    """Write this round's rows into the stance files, keeping the rows of the other rounds."""
    rows = merge(args.merge, glob.glob(args.labels), args.second, args.adjudicated, args.round_name)
    second = [{"id": r["id"], "stance": r["stance"], "annotator": f"{args.round_name}-second"}
              for r in read_rows(args.second)]
    second_file = NEWS_TARGETS_FILE.with_suffix(".second_annotator.jsonl")
    for path, new in ((NEWS_TARGETS_FILE, rows), (second_file, second)):
        ids = {r["id"] for r in new}
        kept = [r for r in read_rows(path) if r["id"] not in ids] if path.exists() else []
        write_jsonl(path, kept + new)
    all_rows, all_second = read_rows(NEWS_TARGETS_FILE), read_rows(second_file)
    print(f"{len(rows)} sentences -> {NEWS_TARGETS_FILE} ({len(all_rows)} in all); kappa over the doubly judged pairs: "
          f"this round {stance_kappa(rows, second):.3f}, all {stance_kappa(all_rows, all_second):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="unpacked corpora folder")
    parser.add_argument("--out", help="pool JSONL (holds corpus text: keep it out of git)")
    parser.add_argument("--size", type=int, default=900)
    parser.add_argument("--merge", help="an annotated pool: write data/annotations/stance_targets*.jsonl from it")
    parser.add_argument("--labels", help="glob of the first annotators' label files (with --merge)")
    parser.add_argument("--second", help="the second annotator's label file (with --merge)")
    parser.add_argument("--adjudicated", help="final labels of the pairs the annotators disagreed on")
    parser.add_argument("--round-name", default="stance1", help="annotator prefix of the merged round")
    parser.add_argument("--round", type=int, default=1, choices=(1, 2, 3, 4),
                        help="which draw: 1 multi-actor, 2 support words, 3 states with blame or support words, "
                             "4 actors as the object of blame or praise; later rounds avoid the rows already "
                             "annotated")
    args = parser.parse_args()
    if args.merge:
        return write_merge(args)
    news = load_news(corpora_root(args.data))
    earlier = [r for r in read_rows(NEWS_TARGETS_FILE) if annotation_round(r) < args.round]
    done = {(r["corpus"], r["doc_id"], r["start"]) for r in earlier}
    if args.round == 4:
        pool = build_object_pool(news, done, args.size)
    elif args.round == 3:
        pool = build_state_pool(news, done, args.size)
    elif args.round == 2:
        pool = build_support_pool(news, done, args.size)
    else:
        pool = build_stance_pool(news, args.size)
    write_jsonl(args.out, pool)
    print(f"{len(pool)} sentences -> {args.out}")


if __name__ == "__main__":
    main()
