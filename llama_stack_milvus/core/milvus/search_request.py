"""The `params` of `vector_io.query`, checked once, with a clear error for anything off.

score_threshold is the lowest score a returned chunk may have, on the scale of the chosen mode:
vector: the similarity (COSINE and IP as Milvus reports them; L2 as 1 / (1 + squared distance));
keyword: the BM25 score; hybrid: the fused score (RRF: sum of 1 / (k + rank); weighted: the
weighted sum of normalised scores). No threshold is applied when it is absent.

filters (see filters.py) restrict the search to chunks whose metadata match, inside Milvus.
"""

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from .filters import filter_expression

MODES = ("vector", "keyword", "hybrid")
MAX_K = 16_384  # Milvus' topk limit
DEFAULT_K = 3
DEFAULT_RRF_K = 60.0
# Hybrid search without a ranker: weighted, 0.3 vector + 0.7 keyword (docs/benchmarks.md, "Hybrid
# defaults": chosen on half of SciFact's queries, checked on the other half and the tutorial's pages).
DEFAULT_ALPHA = 0.3


@dataclass(frozen=True)
class Ranker:
    kind: Literal["rrf", "weighted"] = "weighted"
    rrf_k: float = DEFAULT_RRF_K
    alpha: float = DEFAULT_ALPHA  # weight of the vector side; 1 - alpha goes to keyword


@dataclass(frozen=True)
class SearchRequest:
    mode: str = "vector"
    k: int = DEFAULT_K
    score_threshold: float | None = None
    ranker: Ranker = Ranker()
    filter_expr: str = ""

    def keeps(self, score: float) -> bool:
        return self.score_threshold is None or score >= self.score_threshold


def parse_search_params(params: dict[str, Any] | None) -> SearchRequest:
    params = params or {}
    mode = params.get("mode") or "vector"
    mode = str(getattr(mode, "value", mode))
    if mode not in MODES:
        raise ValueError(f"search mode must be one of {', '.join(MODES)}; got {mode!r}")

    k = params.get("max_chunks", DEFAULT_K)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ValueError(f"max_chunks must be an integer from 1 to {MAX_K}; got {k!r}")

    threshold = params.get("score_threshold")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ValueError(f"score_threshold must be a number; got {threshold!r}")
        threshold = float(threshold)

    return SearchRequest(
        mode=mode,
        k=k,
        score_threshold=threshold,
        ranker=parse_ranker(params.get("ranker")),
        filter_expr=filter_expression(params.get("filters")),
    )


def parse_ranker(ranker: Any) -> Ranker:
    """Accepts vector_io's form ({"strategy": "rrf", "params": {"k": 60}} or {"strategy":
    "weighted", "params": {"weights": [0.7, 0.3]}}) and the RAG tool's (RRFRanker(impact_factor=60)
    or WeightedRanker(alpha=0.7), as objects or dicts with a "type")."""
    if ranker is None:
        return Ranker()
    if isinstance(ranker, BaseModel):
        ranker = ranker.model_dump()
    if not isinstance(ranker, dict):
        raise ValueError(f"ranker must be an object; got {ranker!r}")

    kind = ranker.get("strategy") or ranker.get("type") or "rrf"
    options = ranker.get("params") or {}
    if not isinstance(options, dict):
        raise ValueError(f"ranker params must be an object; got {options!r}")
    if kind == "rrf":
        rrf_k = options.get("k", ranker.get("impact_factor", DEFAULT_RRF_K))
        if isinstance(rrf_k, bool) or not isinstance(rrf_k, int | float) or rrf_k <= 0 or rrf_k >= 16384:
            raise ValueError(f"RRF k must be a number above 0 and below 16384; got {rrf_k!r}")
        return Ranker(kind="rrf", rrf_k=float(rrf_k))
    if kind == "weighted":
        if "weights" in options:
            weights = options["weights"]
            if (
                not isinstance(weights, list | tuple)
                or not 1 <= len(weights) <= 2
                or not all(isinstance(w, int | float) and not isinstance(w, bool) and w >= 0 for w in weights)
                or sum(weights) <= 0
            ):
                raise ValueError(f"weighted ranker weights must be [vector, keyword] weights >= 0; got {weights!r}")
            alpha = weights[0] / sum(weights) if len(weights) == 2 else weights[0]
        else:
            alpha = options.get("alpha", ranker.get("alpha", DEFAULT_ALPHA))
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0.0 <= alpha <= 1.0:
            raise ValueError(f"weighted ranker alpha must be from 0 to 1; got {alpha!r}")
        return Ranker(kind="weighted", alpha=float(alpha))
    raise ValueError(f"ranker strategy must be 'rrf' or 'weighted'; got {kind!r}")
