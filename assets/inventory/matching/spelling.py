"""British spellings read as the US ones O*NET writes, for the TF-IDF matcher.

O*NET's statements are in US English; a team in London writes *behaviour*, *analyse*, *summarise*,
*amortisation*, *centre*, *labelled*, *paediatric*, and TF-IDF sees none of them in the corpus (the
example inventory holds 83 such words). A word the corpus lacks is read as its US form when one of
the rules below turns it into a word the corpus has: the corpus decides, so *promise*, *expertise*
or *advertise* (corpus words) are never touched, and a rule that yields no corpus word changes
nothing. Embeddings read sub-words and need no such help.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's token pattern

# (British ending, US ending), longest first where one ends another
_ENDINGS = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("isers", "izers"),
    ("ising", "izing"),
    ("ises", "izes"),
    ("ised", "ized"),
    ("iser", "izer"),
    ("ise", "ize"),
    ("ysers", "yzers"),
    ("ysing", "yzing"),
    ("yses", "yzes"),
    ("ysed", "yzed"),
    ("yser", "yzer"),
    ("yse", "yze"),
    ("tres", "ters"),
    ("tre", "ter"),
    ("ogues", "ogs"),
    ("ogue", "og"),
    ("ences", "enses"),
    ("ence", "ense"),
    ("llors", "lors"),
    ("llor", "lor"),
    ("llers", "lers"),
    ("ller", "ler"),
    ("lling", "ling"),
    ("lled", "led"),
    ("dgements", "dgments"),
    ("dgement", "dgment"),
    ("lments", "llments"),
    ("lment", "llment"),
    ("mmes", "ms"),
    ("mme", "m"),
    ("bres", "bers"),
    ("bre", "ber"),
)
# enrol, fulfil, instil: a final l doubled, in words of 5 letters or more (tol, wal, cal, hal are
# abbreviations and names, not British spellings of toll, wall, call, hall)
_DOUBLED_L = (("ls", "lls"), ("l", "ll"))
_DOUBLED_L_SHORTEST = 5
# (British, US) anywhere in the word: paediatric, anaesthesia, mould, enquiries. Not oe -> e: canoe
# and Boeing are no British cane and being; the oe words are listed one by one below
_INFIXES = (("ae", "e"), ("mould", "mold"), ("enquir", "inquir"))
# -our after two letters or more: behaviour, colour, labour, odour; not fourth or bourne
_OUR = re.compile(r"(?<=[a-z]{2})our")
# one word each (cheque is the banking word of a banking inventory)
_WORDS = {
    "cheque": "check",
    "cheques": "checks",
    "tyre": "tire",
    "tyres": "tires",
    "grey": "gray",
    "ageing": "aging",
    "aluminium": "aluminum",
    "jewellery": "jewelry",
    "practise": "practice",
    "practised": "practiced",
    "practising": "practicing",
    "storey": "story",
    "storeys": "stories",
    "draught": "draft",
    "plough": "plow",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "kerb": "curb",
    "sceptical": "skeptical",
    "diarrhoea": "diarrhea",
    "foetus": "fetus",
    "foetal": "fetal",
    "oesophagus": "esophagus",
    "oesophageal": "esophageal",
    "oestrogen": "estrogen",
    "oedema": "edema",
}
_SHORTEST = 4  # a US form shorter than this is a coincidence (our → or), not a spelling


def us_candidates(word: str) -> list[str]:
    """US spellings a British `word` may stand for, most specific first (lower-case in, lower-case out)."""
    found: list[str] = [_WORDS[word]] if word in _WORDS else []
    for british, us in _ENDINGS:
        if word.endswith(british):
            found.append(word[: -len(british)] + us)
    if len(word) >= _DOUBLED_L_SHORTEST:
        found += [word[: -len(b)] + us for b, us in _DOUBLED_L if word.endswith(b)]
    for british, us in _INFIXES:
        if british in word:
            found.append(word.replace(british, us))
    found.append(_OUR.sub("or", word))
    # two rules at once: organisational, behavioural, colourised
    both = re.sub(r"is(e|ed|es|ing|er|ers|ation|ations|ational|ationally)$", r"iz\1", _OUR.sub("or", word))
    found.append(both)
    return [c for c in dict.fromkeys(found) if c != word and len(c) >= _SHORTEST]


def us_spelling(word: str, vocabulary: Collection[str]) -> str:
    """`word`, or the US spelling of it that `vocabulary` holds when `vocabulary` lacks `word`."""
    if word in vocabulary:
        return word
    for candidate in us_candidates(word):
        if candidate in vocabulary:
            return candidate
    return word


class UsSpellingTokenizer:
    """scikit-learn's tokenizer (its token pattern over the lower-cased text), with words the
    vocabulary lacks read as their US spelling. Until `vocabulary` is set (the corpus is being
    fitted) it is the plain tokenizer."""

    _MEMO_LIMIT = 200_000  # distinct unknown words remembered (typos and identifiers are many)

    def __init__(self) -> None:
        self.vocabulary: frozenset[str] | None = None
        self._memo: dict[str, str] = {}

    def forget(self) -> None:
        """Back to the plain tokenizer, to fit another corpus as it is written."""
        self.vocabulary, self._memo = None, {}

    def learn(self, vocabulary: Collection[str], stop_words: Collection[str] = ()) -> None:
        """Words of the fitted corpus (unigrams: the vectorizer's vocabulary holds bigrams too). Stop
        words are in no vocabulary, and stay as written: 'could' is no British 'cold'."""
        self.vocabulary = frozenset(t for t in vocabulary if " " not in t) | frozenset(stop_words)
        self._memo = {}

    def __call__(self, text: str) -> list[str]:
        words = _WORD.findall(text)
        vocabulary = self.vocabulary
        if vocabulary is None:
            return words
        return [w if w in vocabulary else self._us(w) for w in words]

    def _us(self, word: str) -> str:
        found = self._memo.get(word)
        if found is None:
            if len(self._memo) >= self._MEMO_LIMIT:
                self._memo = {}
            found = self._memo[word] = us_spelling(word, self.vocabulary or ())
        return found
