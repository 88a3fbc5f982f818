"""One Milvus collection of text chunks: its schema, batched upserts, searches and deletes.

Rows are plain dicts with the fields below; every call is blocking (run it in a thread).

A collection holds one vector DB, or many (tenants): then every row carries its vector DB in the
TENANT field (Milvus' partition key on a server; a plain field on Milvus Lite, which refuses
expressions on a partition key), every read, search and delete of a tenant's view is confined to
its rows whatever the caller's filter says, and primary keys are prefixed per tenant so that two
vector DBs holding the same chunk id never overwrite each other.
"""

import copy
import hashlib
import json
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, MilvusException, RRFRanker

from ..documents import CONTENT_HASH_KEY
from . import expressions
from .settings import ID_MAX_BYTES, MAX_VARCHAR_BYTES, IndexSettings

logger = logging.getLogger(__name__)

ID = "chunk_id"
DOCUMENT_ID = "document_id"
TEXT = "content"
VECTOR = "vector"
SPARSE = "sparse"
METADATA = "metadata"
EXTRA = "chunk"  # whatever else of the chunk must come back (JSON)
TENANT = "vector_db"  # in a shared collection: the vector DB a row belongs to
TENANT_ID_PREFIX_BYTES = 17  # sha256 of the tenant, 16 hex digits, and ":"
OUTPUT_FIELDS = [TEXT, DOCUMENT_ID, METADATA, EXTRA]
# pymilvus' Session consistency covers this client's inserts but not its deletes: for this long
# after a delete, reads ask for Strong consistency so that they never return deleted chunks.
READ_AFTER_DELETE_STRONG_SECONDS = 10.0
DOCUMENT_SCAN_BATCH = 1000
LOAD_TIMEOUT_SECONDS = 600  # an int, like every pymilvus timeout here (IndexSettings.call_timeout)


class _StrongReads:
    until = 0.0  # time.monotonic() up to which reads ask for Strong consistency


@dataclass(frozen=True)
class StoredDocument:
    """A document as stored: its id, how many chunks it has, the metadata of one of them."""

    document_id: str
    chunks: int
    metadata: dict[str, Any]
    content_hashes: frozenset[str] = frozenset()  # of its chunks ("" for a chunk without one)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    row: dict[str, Any]


class ChunkCollection:
    def __init__(
        self,
        client: MilvusClient,
        name: str,
        dimension: int,
        settings: IndexSettings,
        full_text_search: bool,
        shared: bool = False,
        partition_key: bool = False,
        upsert_by_delete: bool = False,
    ) -> None:
        """shared: a collection of many vector DBs (a TENANT field); use it through for_tenant.
        partition_key: make TENANT Milvus' partition key (servers only).
        upsert_by_delete: write by delete then insert (a Milvus whose upsert misplaces partition keys)."""
        self.client = client
        self.name = name
        self.dimension = dimension
        self.settings = settings
        self.full_text_search = full_text_search
        self.shared = shared
        self.partition_key = partition_key
        self.upsert_by_delete = upsert_by_delete
        self.tenant: str | None = None
        self._id_prefix = ""
        # Shared by every tenant's view: a delete by one (an unregister) must be seen by the next.
        self._strong_reads = _StrongReads()
        self.rows_estimate = 0  # for search params that grow with the collection; not a count
        self.output_fields = list(OUTPUT_FIELDS)  # with VECTOR where hits must carry their embedding

    def for_tenant(self, tenant: str) -> "ChunkCollection":
        """A view of a shared collection that sees, writes and deletes only `tenant`'s rows."""
        if not self.shared:
            raise ValueError(f"collection {self.name} holds one vector DB; it has no tenants")
        view = copy.copy(self)
        view.tenant = tenant
        view._id_prefix = hashlib.sha256(tenant.encode("utf-8")).hexdigest()[:16] + ":"
        return view

    # --- lifecycle -----------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create the collection (with its indexes) if it does not exist, and load it."""
        if not self.client.has_collection(self.name, timeout=self.settings.call_timeout):
            self._create()
        # Loading a large collection after a Milvus restart takes a while: allow longer.
        self.client.load_collection(self.name, timeout=max(self.settings.call_timeout, LOAD_TIMEOUT_SECONDS))
        stats = self.client.get_collection_stats(self.name, timeout=self.settings.call_timeout)
        self.rows_estimate = int(stats.get("row_count", 0))

    def has_sparse_field(self) -> bool:
        described = self.client.describe_collection(self.name, timeout=self.settings.call_timeout)
        return any(f.get("name") == SPARSE for f in described.get("fields", []))

    def drop(self) -> None:
        """Drop the collection, or, for a tenant's view, delete the tenant's rows."""
        if self.tenant is not None:
            self._delete("")
        elif self.client.has_collection(self.name, timeout=self.settings.call_timeout):
            self.client.drop_collection(self.name, timeout=self.settings.call_timeout)

    def _create(self) -> None:
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        id_bytes = ID_MAX_BYTES + (TENANT_ID_PREFIX_BYTES if self.shared else 0)
        schema.add_field(ID, DataType.VARCHAR, is_primary=True, max_length=id_bytes)
        if self.shared:
            schema.add_field(
                TENANT, DataType.VARCHAR, max_length=MAX_VARCHAR_BYTES, is_partition_key=self.partition_key
            )
        schema.add_field(DOCUMENT_ID, DataType.VARCHAR, max_length=ID_MAX_BYTES)
        analyzer = {"enable_analyzer": True, "analyzer_params": self.settings.analyzer_params}
        schema.add_field(
            TEXT, DataType.VARCHAR, max_length=MAX_VARCHAR_BYTES, **(analyzer if self.full_text_search else {})
        )
        schema.add_field(VECTOR, DataType.FLOAT_VECTOR, dim=self.dimension)
        schema.add_field(METADATA, DataType.JSON)
        schema.add_field(EXTRA, DataType.JSON)

        index_params = self.client.prepare_index_params()
        index_params.add_index(
            field_name=VECTOR,
            index_type=self.settings.index_type,
            metric_type=self.settings.metric_type,
            params=self.settings.index_build_params(),
        )
        if self.full_text_search:
            schema.add_field(SPARSE, DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(
                Function(
                    name=f"{TEXT}_bm25",
                    input_field_names=[TEXT],
                    output_field_names=[SPARSE],
                    function_type=FunctionType.BM25,
                )
            )
            index_params.add_index(field_name=SPARSE, index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")

        logger.info(
            "creating Milvus collection %s (dim %d, %s/%s, full-text search %s)",
            self.name,
            self.dimension,
            self.settings.index_type,
            self.settings.metric_type,
            f"on, analyzer {self.settings.analyzer_params}" if self.full_text_search else "off",
        )
        # Two steps, so that a failure drops only what this call made: another replica may create
        # the same collection at the same moment (then its create fails and ours is in use), and a
        # timeout says nothing about what the server did.
        try:
            self.client.create_collection(
                self.name,
                schema=schema,
                consistency_level=self.settings.consistency_level,
                timeout=self.settings.call_timeout,
            )
            created = True
        except Exception:
            if not self.client.has_collection(self.name, timeout=self.settings.call_timeout):
                raise
            created = False  # made by someone else meanwhile: theirs, never ours to drop
        try:
            self.client.create_index(self.name, index_params, timeout=self.settings.call_timeout)
        except Exception:
            if self._indexed():
                return  # the other creator indexed it
            if created:
                # A refused index leaves a collection that could never be loaded.
                self.client.drop_collection(self.name, timeout=self.settings.call_timeout)
            raise

    def _indexed(self) -> bool:
        try:
            names = self.client.list_indexes(self.name, field_name=VECTOR, timeout=self.settings.call_timeout)
        except Exception:
            return False
        return bool(names)

    # --- writes --------------------------------------------------------------------------------

    def upsert(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert or replace rows by primary key, in batches bounded by count and bytes."""
        if self.tenant is not None:
            rows = [{**row, ID: self._id_prefix + row[ID], TENANT: self.tenant} for row in rows]
        written = 0
        for batch in self._batches(rows):
            if self.upsert_by_delete:
                self.client.delete(self.name, ids=[row[ID] for row in batch], timeout=self.settings.call_timeout)
                result = self.client.insert(self.name, data=batch, timeout=self.settings.call_timeout)
                written += int(result.get("insert_count", len(batch))) if isinstance(result, dict) else len(batch)
                continue
            result = self.client.upsert(self.name, data=batch, timeout=self.settings.call_timeout)
            written += int(result.get("upsert_count", len(batch))) if isinstance(result, dict) else len(batch)
        self.rows_estimate += written
        return written

    def _batches(self, rows: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        batch: list[dict[str, Any]] = []
        batch_bytes = 0
        for row in rows:
            size = _row_bytes(row)
            if batch and (
                len(batch) >= self.settings.insert_batch_size or batch_bytes + size > self.settings.insert_batch_bytes
            ):
                yield batch
                batch, batch_bytes = [], 0
            batch.append(row)
            batch_bytes += size
        if batch:
            yield batch

    def delete_ids(self, ids: Sequence[str]) -> None:
        if ids:
            self._delete(expressions.in_list(ID, [self._id_prefix + i for i in ids]))

    def delete_document_chunks_except(self, document_ids: Sequence[str], keep_ids: Sequence[str]) -> None:
        """Delete the chunks of these documents whose ids are not in keep_ids (an older version's)."""
        if not document_ids:
            return
        expression = expressions.in_list(DOCUMENT_ID, document_ids)
        if keep_ids:
            keep = expressions.in_list(ID, [self._id_prefix + i for i in keep_ids], negate=True)
            expression = f"{expression} and {keep}"
        self._delete(expression)

    def delete_documents(self, document_ids: Sequence[str]) -> None:
        self.delete_document_chunks_except(document_ids, [])

    def documents(self, document_id: str | None = None) -> list[StoredDocument]:
        """Every document stored (in this view), by id, or the one named: a filtered pass over the
        rows' ids and metadata, no vector search."""
        counts: dict[str, int] = {}
        metadata: dict[str, dict[str, Any]] = {}
        hashes: dict[str, set[str]] = {}
        only = f"{DOCUMENT_ID} == {expressions.literal(document_id)}" if document_id is not None else ""
        rows = self.client.query_iterator(
            self.name, batch_size=DOCUMENT_SCAN_BATCH, filter=self._scoped(only),
            output_fields=[DOCUMENT_ID, METADATA], **self._read_options(),
        )  # fmt: skip
        try:
            while batch := rows.next():
                for row in batch:
                    found = row[DOCUMENT_ID]
                    row_metadata = row.get(METADATA) or {}
                    counts[found] = counts.get(found, 0) + 1
                    metadata.setdefault(found, row_metadata)
                    hashes.setdefault(found, set()).add(str(row_metadata.get(CONTENT_HASH_KEY, "")))
        finally:
            rows.close()
        return [StoredDocument(d, counts[d], metadata[d], frozenset(hashes[d])) for d in sorted(counts)]

    def _scoped(self, expression: str) -> str:
        """`expression` confined to this view's tenant (the whole collection when not a tenant)."""
        if self.tenant is None:
            return expression
        own = f"{TENANT} == {expressions.literal(self.tenant)}"
        return f"{own} and ({expression})" if expression else own

    def _delete(self, expression: str) -> None:
        expression = self._scoped(expression)
        self.client.delete(self.name, filter=expression, timeout=self.settings.call_timeout)
        if self.settings.consistency_level != "Strong":
            self._strong_reads.until = time.monotonic() + READ_AFTER_DELETE_STRONG_SECONDS

    def _read_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"timeout": self.settings.call_timeout}
        if time.monotonic() < self._strong_reads.until:
            options["consistency_level"] = "Strong"
        return options

    def count(self) -> int:
        result = self.client.query(
            self.name, filter=self._scoped(""), output_fields=["count(*)"], **self._read_options()
        )
        return int(result[0]["count(*)"]) if result else 0

    # --- searches ------------------------------------------------------------------------------

    def search_vector(self, vector: Sequence[float], k: int, filter_expr: str = "") -> list[Hit]:
        result = self.client.search(
            self.name,
            data=[list(vector)],
            anns_field=VECTOR,
            limit=k,
            filter=self._scoped(filter_expr),
            output_fields=self.output_fields,
            search_params=self._vector_search_params(k),
            **self._read_options(),
        )
        return [Hit(self._own_id(r["id"]), self._similarity(r["distance"]), r["entity"]) for r in result[0]]

    def search_keyword(self, text: str, k: int, filter_expr: str = "") -> list[Hit]:
        result = self._guard_empty_bm25(
            lambda: self.client.search(
                self.name,
                data=[text],
                anns_field=SPARSE,
                limit=k,
                filter=self._scoped(filter_expr),
                output_fields=self.output_fields,
                search_params=self._keyword_search_params(),
                **self._read_options(),
            )
        )
        return [Hit(self._own_id(r["id"]), float(r["distance"]), r["entity"]) for r in result[0]] if result else []

    def search_rrf(self, vector: Sequence[float], text: str, k: int, rrf_k: float, filter_expr: str = "") -> list[Hit]:
        """Reciprocal rank fusion, in Milvus: score = sum over both searches of 1 / (rrf_k + rank)."""
        candidates = self._hybrid_candidates(k)
        filter_expr = self._scoped(filter_expr)
        requests = [
            AnnSearchRequest(
                data=[list(vector)],
                anns_field=VECTOR,
                param=self._vector_search_params(candidates),
                limit=candidates,
                expr=filter_expr or None,
            ),
            AnnSearchRequest(
                data=[text],
                anns_field=SPARSE,
                param=self._keyword_search_params(),
                limit=candidates,
                expr=filter_expr or None,
            ),
        ]
        result = self._guard_empty_bm25(
            lambda: self.client.hybrid_search(
                self.name,
                reqs=requests,
                ranker=RRFRanker(rrf_k),
                limit=k,
                output_fields=self.output_fields,
                **self._read_options(),
            )
        )
        return [Hit(self._own_id(r["id"]), float(r["distance"]), r["entity"]) for r in result[0]] if result else []

    def _own_id(self, stored_id: str) -> str:
        return stored_id[len(self._id_prefix) :] if self._id_prefix else stored_id

    def search_weighted(
        self, vector: Sequence[float], text: str, k: int, alpha: float, filter_expr: str = ""
    ) -> list[Hit]:
        """alpha * normalised vector score + (1 - alpha) * normalised BM25 score.

        Fused here rather than by Milvus' WeightedRanker, which in Milvus Lite 2.5 normalises BM25
        as if it were a distance and so ranks the best keyword matches last."""
        candidates = self._hybrid_candidates(k)
        dense = self.search_vector(vector, candidates, filter_expr)
        sparse = self.search_keyword(text, candidates, filter_expr)
        rows: dict[str, dict[str, Any]] = {}
        fused: dict[str, float] = {}
        for hits, weight, normalise in (
            (dense, alpha, self._normalise_similarity),
            (sparse, 1 - alpha, _normalise_bm25),
        ):
            for hit in hits:
                rows[hit.id] = hit.row
                fused[hit.id] = fused.get(hit.id, 0.0) + weight * normalise(hit.score)
        ranked = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:k]
        return [Hit(chunk_id, score, rows[chunk_id]) for chunk_id, score in ranked]

    def _hybrid_candidates(self, k: int) -> int:
        return min(16_384, k * max(1, self.settings.hybrid_candidates_factor))

    def _guard_empty_bm25(self, search):
        # BM25 over a collection with no rows divides by a zero average length: Milvus answers
        # "NaN or Inf" instead of nothing.
        try:
            return search()
        except MilvusException as exc:
            if "NaN or Inf" in str(exc) and self.count() == 0:
                return None
            raise

    def _vector_search_params(self, k: int) -> dict[str, Any]:
        return {
            "metric_type": self.settings.metric_type,
            "params": self.settings.index_search_params(k, self.rows_estimate),
        }

    def _keyword_search_params(self) -> dict[str, Any]:
        return {"metric_type": "BM25", "params": {"drop_ratio_search": self.settings.bm25_drop_ratio_search}}

    def _normalise_similarity(self, score: float) -> float:
        """A vector score mapped to [0, 1], as Milvus normalises it for weighted fusion."""
        if self.settings.metric_type == "COSINE":
            return (1.0 + score) / 2.0
        if self.settings.metric_type == "IP":
            return 0.5 + math.atan(score) / math.pi
        return score  # L2 scores are already 1 / (1 + distance)

    def _similarity(self, distance: float) -> float:
        # COSINE and IP report a similarity already; L2 reports a squared distance, mapped to
        # (0, 1] so that, for every metric, a higher score is a closer match.
        if self.settings.metric_type == "L2":
            return 1.0 / (1.0 + float(distance))
        return float(distance)


def _row_bytes(row: dict[str, Any]) -> int:
    size = 0
    for value in row.values():
        if isinstance(value, str):
            size += len(value.encode("utf-8"))
        elif isinstance(value, list):
            size += 4 * len(value)
        else:
            size += len(json.dumps(value, default=str))
    return size


def _normalise_bm25(score: float) -> float:
    return 2.0 * math.atan(score) / math.pi
