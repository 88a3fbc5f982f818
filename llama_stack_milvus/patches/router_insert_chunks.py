"""Upstream bug (llama-stack 0.2.20, core/routers/vector_io.py, VectorIORouter.insert_chunks): the
router formats a debug line with `chunk.metadata['document_id']` of the first three chunks before
routing an insert, so a chunk without that key is a 500 (KeyError), whatever the provider does.

Fix: before the original runs, a chunk without it keeps the chunk id it has and gets the document
id our Milvus provider gives it anyway (its chunk_metadata's, else its own chunk id), so the line
formats and what is stored does not change.

Upstream since: fixed in llama-stack 0.3.0 (its log line reads chunk.document_id).
"""

import functools

from ._guard import once


@once
def apply() -> None:
    from llama_stack.core.routers.vector_io import VectorIORouter

    original = VectorIORouter.insert_chunks

    # wraps() keeps the signature the server reads to parse request bodies into Chunk objects.
    @functools.wraps(original)
    async def insert_chunks(self, vector_db_id, chunks, ttl_seconds=None):
        for chunk in chunks:
            if "document_id" not in chunk.metadata:
                # The id first: without a document id it is derived from a fresh uuid each time
                # it is read, and with one it would be derived from that instead.
                chunk.stored_chunk_id = chunk.chunk_id
                from_metadata = chunk.chunk_metadata.document_id if chunk.chunk_metadata else None
                chunk.metadata["document_id"] = from_metadata or chunk.stored_chunk_id
        return await original(self, vector_db_id, chunks, ttl_seconds)

    VectorIORouter.insert_chunks = insert_chunks
