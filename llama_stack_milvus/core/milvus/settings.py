"""What a collection is built and searched with: index, metric, params, consistency, batching."""

import math
from dataclasses import dataclass, field
from typing import Any

# Milvus Lite 2.5 builds only these dense indexes; a Milvus server builds many more.
LITE_INDEX_TYPES = ("AUTOINDEX", "FLAT", "IVF_FLAT")
SERVER_INDEX_TYPES = ("AUTOINDEX", "FLAT", "IVF_FLAT", "IVF_SQ8", "IVF_PQ", "HNSW", "DISKANN", "SCANN")
CONSISTENCY_LEVELS = ("Strong", "Session", "Bounded", "Eventually")

# A VARCHAR holds at most 65,535 bytes in Milvus.
MAX_VARCHAR_BYTES = 65_535
ID_MAX_BYTES = 512


# Used where the config gives none; a Milvus server refuses HNSW and IVF indexes without them.
DEFAULT_BUILD_PARAMS = {
    "HNSW": {"M": 16, "efConstruction": 200},
    "IVF_FLAT": {"nlist": 128},
    "IVF_SQ8": {"nlist": 128},
    "IVF_PQ": {"nlist": 128, "m": 8},
    "SCANN": {"nlist": 128},
}
DEFAULT_SEARCH_PARAMS = {
    "HNSW": {"ef": 64},
    "IVF_FLAT": {"nprobe": 16},
    "IVF_SQ8": {"nprobe": 16},
    "IVF_PQ": {"nprobe": 16},
    "SCANN": {"nprobe": 16},
}


# Milvus >= 2.5 full-text analyzers by name: standard (Unicode words, lowercased), english (the
# same, with English stop words removed and words stemmed: "tuning" finds "tuned").
ANALYZERS: dict[str, dict[str, Any]] = {"standard": {"type": "standard"}, "english": {"type": "english"}}


@dataclass(frozen=True)
class IndexSettings:
    index_type: str = "AUTOINDEX"
    metric_type: str = "COSINE"
    build_params: dict[str, Any] = field(default_factory=dict)
    search_params: dict[str, Any] = field(default_factory=dict)
    consistency_level: str = "Strong"
    # BM25: share of the smallest query-term weights ignored at search time.
    bm25_drop_ratio_search: float = 0.0
    # How full-text search cuts text into terms: Milvus' analyzer_params for new collections (a
    # collection keeps the analyzer it was created with).
    analyzer_params: dict[str, Any] = field(default_factory=lambda: dict(ANALYZERS["english"]))
    # Rows per insert call, and an upper bound on the bytes of one call (gRPC caps a message at 64 MiB).
    insert_batch_size: int = 500
    insert_batch_bytes: int = 16 * 1024 * 1024
    # Seconds one Milvus call may take, retries included: a Milvus that is down fails calls, never hangs them.
    request_timeout: float = 30.0
    # Hybrid search asks each side for this many times the requested k before fusing.
    hybrid_candidates_factor: int = 3

    @property
    def call_timeout(self) -> int:
        """request_timeout as pymilvus needs it: it bounds its retries only when given an int (a float
        retries 75 times, minutes)."""
        return max(1, math.ceil(self.request_timeout))

    def index_build_params(self) -> dict[str, Any]:
        return {**DEFAULT_BUILD_PARAMS.get(self.index_type, {}), **self.build_params}

    def index_search_params(self, k: int, rows: int = 0) -> dict[str, Any]:
        """Search params for a top-k search of a collection of about `rows` rows. HNSW's ef, unless
        the config sets it, grows with the collection (scaled_ef); it is never below k."""
        params = {**DEFAULT_SEARCH_PARAMS.get(self.index_type, {}), **self.search_params}
        if self.index_type == "HNSW":
            ef = int(params["ef"]) if "ef" in self.search_params else scaled_ef(rows)
            params["ef"] = max(ef, k)
        return params


def scaled_ef(rows: int) -> int:
    """HNSW ef by collection size: 64 up to 10k rows, four times as much per tenfold growth
    (256 at 100k, 1,024 at 1M), at most 2,048. Measured (docs/benchmarks.md, Scale): ef=64 held
    recall@10 at 0.97 at 10k but gave 0.92 at 100k and 0.70 at 1M; ef=256 gave 0.994 at 100k."""
    if rows <= 10_000:
        return 64
    return min(2048, int(64 * 4 ** math.log10(rows / 10_000)))
