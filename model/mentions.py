"""Where a sentence mentions a target: the target's name, a common alias of a state or party ("Washington" for
the United States, "North Korean" for North Korea, "GOP" for Republicans), or a person's surname ("Trump" for
Donald Trump), marked « » in the stance model's input so that it sees what the sentence says at the target."""
from __future__ import annotations

import re
from typing import Callable

MARK_OPEN, MARK_CLOSE = "«", "»"  # one known token each in the encoder's vocabulary, and rare in English news

# names news uses for a state or party instead of its name: metonyms ("Washington's approach") and demonyms
# ("Russian officials", "North Koreans"); a target typed as any member of a group ("US", "the United States")
# gets the whole group. Only common, mostly unambiguous ones (not "Paris": the climate accord; not "Indian");
# NOT_ALIAS drops the phrases in which they name something else
ALIAS_GROUPS = (
    ("United States", "U.S.", "US", "USA", "America", "Washington", "White House", "American", "Americans"),
    ("China", "Beijing", "Chinese"), ("Russia", "Moscow", "Kremlin", "Russian", "Russians"),
    ("Ukraine", "Kyiv", "Kiev", "Ukrainian", "Ukrainians"),
    ("North Korea", "Pyongyang", "DPRK", "North Korean", "North Koreans"),
    ("South Korea", "Seoul", "South Korean", "South Koreans"), ("Iran", "Tehran", "Iranian", "Iranians"),
    ("Japan", "Tokyo", "Japanese"), ("Turkey", "Ankara", "Turkish"), ("European Union", "EU", "Brussels"),
    ("United Kingdom", "UK", "Britain", "Downing Street", "British"), ("India", "New Delhi"),
    ("Syria", "Damascus", "Syrian", "Syrians"), ("Taiwan", "Taipei", "Taiwanese"), ("Israel", "Israeli", "Israelis"),
    ("Saudi Arabia", "Riyadh", "Saudi", "Saudis"), ("Mexico", "Mexican", "Mexicans"),
    ("Palestinians", "Palestinian", "Palestine"), ("United Nations", "UN", "U.N."),
    ("Democrats", "Democrat", "Democratic", "Democratic Party"), ("Republicans", "Republican", "GOP", "Republican Party"),
)
NOT_STATES = ("European Union", "United Nations", "Palestinians", "Democrats", "Republicans")  # groups, not states


def alias_key(target: str) -> str:
    """How ALIASES knows a target: "the United  States" -> "united states"."""
    return re.sub(r"^the ", "", " ".join(target.casefold().split()))


ALIASES = {alias_key(name): group for group in ALIAS_GROUPS for name in group}
NOT_ALIAS = re.compile(r"(Latin|South|North|Central|Bank of|Voice of|Captain)\s+America\w*|America's\s+Cup"
                       r"|(African|Native|Asian|Arab|Mexican|Irish|Italian|Cuban|Chinese|Korean|Japanese)[- ]Americans?"
                       r"|American\s+(Indians?|Samoa|Airlines|Express|Red Cross|Civil Liberties Union|Enterprise"
                       r" Institute|Petroleum Institute|Medical Association|Bar Association|Legion|Idol)"
                       r"|(George|Booker T\.|University of)\s+Washington|Washington,?\s+D\.?\s?C\b"
                       r"|Washington\s+(Post|Times|Examiner|[Ss]tate|Nationals|Wizards|Capitals|Commanders|Monument)"
                       r"|Brussels\s+sprouts|Democratic\s+(Republic|People's|Progressive)"
                       r"|(Free|Social|Christian|Liberal|New)\s+Democrat\w*|(Irish|Iraq's)\s+Republican"
                       r"|Republican\s+(Guard|People's)|Organization\s+of\s+American|Pan[- ]American|Anglo-American"
                       r"|(American|Chinese|Turkish|Mexican|Japanese|Russian|British|Iranian|Israeli|Syrian|Saudi)\s+"
                       r"(food|cuisine|restaurants?|language|coffee|delight|Airlines|roulette|Columbia|Museum"
                       r"|Lung|Heart|Cancer|Academy)")
# last words that make a capitalised name an institution or place, not a person with a surname to match
INSTITUTION_WORDS = frozenset(
    "Court Nations Union Party Department House Senate Congress Council Bank Agency Office Committee Commission "
    "Organization Association Institute University Times Post News Arabia States Kingdom Korea Republic Federation "
    "Ministry Army Force Forces Service Bureau Fund Group Corporation Company Foundation Movement Front Guard "
    "League Street Administration Government Democrats Republicans Matter Change Mandates Act Bill State Africa "
    "International Justice Coast Workers Rights Lives".split())
FAMILY_NAME_FIRST = frozenset("Xi Kim Moon Park Yoon Li Hu Wen".split())  # "Xi Jinping": Xi is the surname


def surnames(target: str) -> list[str]:
    """A person's surname(s) to match alone: "Donald Trump" -> ["Trump"], "Bashar al-Assad" -> ["al-Assad",
    "Assad"], "Xi Jinping" -> ["Xi"]; [] for one word, a state or party, a name with a joining word ("Brothers of
    Italy") or one ending in an institution or place word ("Supreme Court", "South Africa")."""
    words = target.split()
    if not 2 <= len(words) <= 3 or alias_key(target) in ALIASES or words[-1] in INSTITUTION_WORDS:
        return []
    if words[0] in FAMILY_NAME_FIRST:
        return [words[0]]
    last = words[-1]
    if not (all(w[:1].isupper() for w in words[:-1]) and any(c.isupper() for c in last) and len(last) >= 3):
        return []
    return [last, last.split("-")[-1]] if "-" in last and last.split("-")[-1][:1].isupper() else [last]


def _phrase(name: str) -> str:
    return r"(?<!\w)" + r"\s+".join(re.escape(word) for word in name.split()) + r"(?!\w)"


def mention_spans(sentence: str, target: str) -> list[tuple[int, int]]:
    """(start, end) of each mention of ``target``: the phrase as typed, any case (an acronym such as "US" only in
    capitals, so "us" is not the US), or an alias or surname of it as written, outside NOT_ALIAS phrases; no
    overlaps."""
    others = [a for a in ALIASES.get(alias_key(target), ()) if a.casefold() != target.casefold()] + surnames(target)
    excluded = [m.span() for m in NOT_ALIAS.finditer(sentence)] if others else []  # per pair: skip when moot
    spans: list[tuple[int, int]] = []
    for name in sorted([target, *others], key=len, reverse=True):  # longest first: no mark inside a longer one
        flags = re.IGNORECASE if name == target and not target.isupper() else 0
        for m in re.finditer(_phrase(name), sentence, flags=flags):
            inside_other = name != target and any(m.start() < b and a < m.end() for a, b in excluded)  # overlaps
            if not inside_other and all(m.end() <= a or m.start() >= b for a, b in spans):
                spans.append(m.span())
    return sorted(spans)


def replace_mentions(sentence: str, target: str, replacement: Callable[[str], str]) -> str:
    """``sentence`` with each mention of ``target`` (mention_spans) replaced by ``replacement(mention)``."""
    for start, end in reversed(mention_spans(sentence, target)):  # from the end: earlier offsets stay valid
        sentence = sentence[:start] + replacement(sentence[start:end]) + sentence[end:]
    return sentence


def mark_target(sentence: str, target: str) -> str:
    """``sentence`` with each mention of ``target`` (mention_spans) wrapped in « », so the encoder sees where the
    target is and what is said of it there. Guillemets already in the sentence become plain quotes first: the
    marks must be the only ones."""
    sentence = sentence.replace(MARK_OPEN, '"').replace(MARK_CLOSE, '"')
    return replace_mentions(sentence, target, lambda mention: f"{MARK_OPEN} {mention} {MARK_CLOSE}")
