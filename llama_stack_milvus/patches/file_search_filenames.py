"""Upstream bug (llama-stack 0.2.20, providers/inline/agents/meta_reference/responses/tool_executor.py,
_build_result_messages): a Responses `file_search_call` names each result's file by its id
(`filename=doc_id`), although the vector store search it ran returned the file's name.

Fix: while the executor searches its vector stores, the names of the files its hits came from are
noted (a context variable, so that concurrent responses do not mix); the result messages the
original builds then carry them.

Upstream since: unfixed: llama-stack 0.8.0 still passes filename=doc_id.
"""

import functools
from contextvars import ContextVar

from ._guard import once

# file id -> filename of the hits of the file_search now running in this context.
_hit_filenames: ContextVar[dict[str, str] | None] = ContextVar("file_search_hit_filenames", default=None)


@once
def apply() -> None:
    from llama_stack.core.routers.vector_io import VectorIORouter
    from llama_stack.providers.inline.agents.meta_reference.responses.tool_executor import ToolExecutor

    search = VectorIORouter.openai_search_vector_store

    @functools.wraps(search)
    async def openai_search_vector_store(self, *args, **kwargs):
        page = await search(self, *args, **kwargs)
        noted = _hit_filenames.get()
        if noted is not None:
            noted.update({hit.file_id: hit.filename for hit in page.data if hit.file_id and hit.filename})
        return page

    knowledge_search = ToolExecutor._execute_knowledge_search_via_vector_store

    @functools.wraps(knowledge_search)
    async def execute_knowledge_search(self, *args, **kwargs):
        noted: dict[str, str] = {}
        token = _hit_filenames.set(noted)
        try:
            result = await knowledge_search(self, *args, **kwargs)
        finally:
            _hit_filenames.reset(token)
        ids = result.metadata.get("document_ids", [])
        result.metadata["filenames"] = [noted.get(file_id, file_id) for file_id in ids]
        return result

    build = ToolExecutor._build_result_messages

    @functools.wraps(build)
    async def build_result_messages(self, function, tool_call_id, tool_kwargs, ctx, error_exc, result, *rest):
        output_message, input_message = await build(
            self, function, tool_call_id, tool_kwargs, ctx, error_exc, result, *rest
        )
        filenames = (getattr(result, "metadata", None) or {}).get("filenames", [])
        for hit, filename in zip(getattr(output_message, "results", None) or [], filenames, strict=False):
            hit.filename = filename
        return output_message, input_message

    VectorIORouter.openai_search_vector_store = openai_search_vector_store
    ToolExecutor._execute_knowledge_search_via_vector_store = execute_knowledge_search
    ToolExecutor._build_result_messages = build_result_messages
