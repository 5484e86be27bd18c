"""Where a sentence mentions a target: the target's name, or a common alias of a state ("Washington" for the
United States), marked « » in the stance model's input so that it sees what the sentence says at the target."""
from __future__ import annotations

import re

MARK_OPEN, MARK_CLOSE = "«", "»"  # one known token each in the encoder's vocabulary, and rare in English news

# names news uses for a state instead of its name (metonyms), so that "Washington's approach" is marked as a
# mention of the United States; a target typed as any member of a group ("US", "the United States") gets the
# whole group. Only common, mostly unambiguous ones (not "Paris": the climate accord); NOT_ALIAS drops the
# phrases in which they name something else
ALIAS_GROUPS = (
    ("United States", "U.S.", "US", "USA", "America", "Washington", "White House"),
    ("China", "Beijing"), ("Russia", "Moscow", "Kremlin"), ("Ukraine", "Kyiv", "Kiev"),
    ("North Korea", "Pyongyang", "DPRK"), ("South Korea", "Seoul"), ("Iran", "Tehran"), ("Japan", "Tokyo"),
    ("Turkey", "Ankara"), ("European Union", "EU", "Brussels"), ("United Kingdom", "UK", "Britain", "Downing Street"),
    ("India", "New Delhi"), ("Syria", "Damascus"), ("Taiwan", "Taipei"),
)
ALIASES = {" ".join(name.casefold().split()): group for group in ALIAS_GROUPS for name in group}
NOT_ALIAS = re.compile(r"(Latin|South|North|Central|Bank of|Voice of|Captain)\s+America|America's\s+Cup"
                       r"|(George|Booker T\.|University of)\s+Washington|Washington,?\s+D\.?\s?C\b"
                       r"|Washington\s+(Post|Times|Examiner|[Ss]tate|Nationals|Wizards|Capitals|Commanders|Monument)"
                       r"|Brussels\s+sprouts")


def _phrase(name: str) -> str:
    return r"(?<!\w)" + r"\s+".join(re.escape(word) for word in name.split()) + r"(?!\w)"


def mention_spans(sentence: str, target: str) -> list[tuple[int, int]]:
    """(start, end) of each mention of ``target``: the phrase as typed, any case (an acronym such as "US" only in
    capitals, so "us" is not the US), or an alias of it as written, outside NOT_ALIAS phrases; no overlaps."""
    key = re.sub(r"^the ", "", " ".join(target.casefold().split()))
    aliases = [a for a in ALIASES.get(key, ()) if a.casefold() != target.casefold()]
    excluded = [m.span() for m in NOT_ALIAS.finditer(sentence)] if aliases else []  # per pair: skip when moot
    spans: list[tuple[int, int]] = []
    for name in sorted([target, *aliases], key=len, reverse=True):  # longest first: no mark inside a longer one
        flags = re.IGNORECASE if name == target and not target.isupper() else 0
        for m in re.finditer(_phrase(name), sentence, flags=flags):
            inside_other = name != target and any(a <= m.start() and m.end() <= b for a, b in excluded)
            if not inside_other and all(m.end() <= a or m.start() >= b for a, b in spans):
                spans.append(m.span())
    return sorted(spans)


def mark_target(sentence: str, target: str) -> str:
    """``sentence`` with each mention of ``target`` (mention_spans) wrapped in « », so the encoder sees where the
    target is and what is said of it there. Guillemets already in the sentence become plain quotes first: the
    marks must be the only ones."""
    sentence = sentence.replace(MARK_OPEN, '"').replace(MARK_CLOSE, '"')
    for start, end in reversed(mention_spans(sentence, target)):
        sentence = f"{sentence[:start]}{MARK_OPEN} {sentence[start:end]} {MARK_CLOSE}{sentence[end:]}"
    return sentence
