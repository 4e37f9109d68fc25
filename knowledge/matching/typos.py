"""Finding the words of a vocabulary within one or two typos of a word, fast.

A deletion neighbourhood (the idea of SymSpell): every vocabulary word is filed under itself
and under each string made by deleting one of its letters. Two words within one edit of each
other then share a key, so a lookup costs a few dictionary probes instead of a scan of the
vocabulary; rapidfuzz's optimal string alignment distance confirms each candidate. Long words
also try two deletions on the question's side, which finds most two-typo misspellings.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

MIN_LENGTH = 4  # shorter words must match exactly: "tv" is no typo of "to"
LONG_LENGTH = 8  # from here two typos are allowed, as in "agrement" for "agreement"


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoIndex:
    def __init__(self, min_length: int = MIN_LENGTH, max_edits: int = 2) -> None:
        # Most keys file a single word; a set only where several share the key (memory).
        self._keys: dict[str, str | set[str]] = {}
        self._min_length = min_length
        self._max_edits = max_edits

    def allowed_edits(self, word: str) -> int:
        if len(word) < self._min_length:
            return 0
        return min(2 if len(word) >= LONG_LENGTH else 1, self._max_edits)

    def add(self, word: str) -> None:
        for key in (word, *_deletions(word)):
            filed = self._keys.get(key)
            if filed is None:
                self._keys[key] = word
            elif isinstance(filed, str):
                if filed != word:
                    self._keys[key] = {filed, word}
            else:
                filed.add(word)

    def near(self, word: str) -> dict[str, int]:
        """Vocabulary words within the allowed edits of ``word``, with their distance."""
        edits = self.allowed_edits(word)
        if not edits:
            return {}
        keys = {word, *_deletions(word)}
        if edits >= 2:
            keys |= {shorter for key in list(keys) for shorter in _deletions(key)}
        found: dict[str, int] = {}
        for key in keys:
            filed = self._keys.get(key, ())
            for candidate in (filed,) if isinstance(filed, str) else filed:
                if candidate not in found:
                    distance = OSA.distance(word, candidate, score_cutoff=edits)
                    if distance <= edits:
                        found[candidate] = distance
        return found
