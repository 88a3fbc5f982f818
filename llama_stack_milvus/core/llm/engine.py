"""llama.cpp in-process: one GGUF model, OpenAI-shaped chat and text completions, one request at a time.

The model is loaded once (at stack start-up); llama.cpp releases the GIL while it computes, so the
server's event loop keeps serving retrieval while a reply is generated in a worker thread.
"""

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .reading_speed import ReadingSpeed
from .tool_calls import DEFAULT_MAX_STRING_LENGTH, openai_call, parse_call, plan_turn, prompt_messages

# OpenAI sampling keywords llama-cpp-python takes under the same name.
SAMPLING_KEYS = ("temperature", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty", "logit_bias")
# A constrained tool call is short: this bounds it whatever the request's reply length.
TOOL_CALL_MAX_TOKENS = 256
# Read once at load to measure the reading speed (reading_speed.py) before the first request.
WARM_UP_TEXT = "Retrieval-augmented generation reads retrieved passages before it answers. " * 8


@dataclass(frozen=True)
class EngineSettings:
    n_ctx: int = 8192
    n_threads: int | None = None  # None: the cores this process may use
    n_batch: int = 512
    max_tokens: int = 256  # reply length when a request gives none
    max_string_length: int = DEFAULT_MAX_STRING_LENGTH
    prompt_cache_mb: int = 512  # model states kept for prompt prefixes seen before; 0: none
    search_query: str = "user"  # a search tool's query: the user's words, or "model" (tool_calls.py)


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class ContextOverflowError(ValueError):
    """A prompt longer than the model's context window."""


class LlamaCppEngine:
    def __init__(
        self,
        model_path: Path,
        settings: EngineSettings,
        model_name: str,
        report: Callable[[str], None] | None = None,
        reading: ReadingSpeed | None = None,
    ) -> None:
        """`report`, where given, hears a line per request: prompt tokens read and cached, tokens written.
        `reading` records how fast the model reads prompts (the caller's, to share; else its own)."""
        from llama_cpp import Llama  # the compiled engine: imported only where a model is loaded

        threads = settings.n_threads or default_threads()
        self.settings = settings
        self.model_name = model_name
        self.model_path = model_path
        self.report = report
        self.reading = reading if reading is not None else ReadingSpeed()
        self._llama = Llama(
            model_path=str(model_path),
            n_ctx=settings.n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=settings.n_batch,
            verbose=False,
        )
        if settings.prompt_cache_mb > 0:
            # An agent's next turn starts with the same system prompt and tools as its last call
            # step, but the answer step in between overwrote the context: the cache restores the
            # longest prefix seen before, so that prefix (~185 tokens, 10 s on 2 AVX2 cores) is
            # not read again.
            from llama_cpp import LlamaRAMCache

            self._llama.set_cache(LlamaRAMCache(capacity_bytes=settings.prompt_cache_mb << 20))
        self._lock = threading.Lock()
        self._measure_reading()

    def _measure_reading(self) -> None:
        tokens = self._llama.tokenize(WARM_UP_TEXT.encode(), add_bos=False)
        started = time.monotonic()
        self._llama.eval(tokens)
        self.reading.record(len(tokens), time.monotonic() - started)
        self._llama.reset()

    @property
    def reading_speed(self) -> float | None:
        """Prompt tokens read per second, measured at load and on every request."""
        return self.reading.tokens_per_second()

    @contextmanager
    def _timed_reading(self):
        """Record the prompt tokens llama.cpp evaluated (not restored from cache) in this request,
        and log what the request read and wrote: a turn's time is mostly its new prompt tokens."""
        from llama_cpp import llama_perf_context

        before = llama_perf_context(self._llama._ctx.ctx)
        try:
            yield
        finally:
            after = llama_perf_context(self._llama._ctx.ctx)
            read, read_s = after.n_p_eval - before.n_p_eval, (after.t_p_eval_ms - before.t_p_eval_ms) / 1000
            wrote, wrote_s = after.n_eval - before.n_eval, (after.t_eval_ms - before.t_eval_ms) / 1000
            self.reading.record(read, read_s)
            if self.report is not None:
                self.report(
                    f"read {read} new prompt tokens in {read_s:.1f} s (the rest of the prompt restored from its "
                    f"prompt cache), wrote {wrote} tokens in {wrote_s:.1f} s"
                )

    @property
    def context_length(self) -> int:
        return self._llama.n_ctx()

    def close(self) -> None:
        with self._lock:
            self._llama.close()
        self.reading.forget()

    # Chat -------------------------------------------------------------------------------------

    def chat(self, request: dict[str, Any], cancelled: threading.Event | None = None) -> Iterator[dict[str, Any]]:
        """The reply to an OpenAI chat request: one completion dict, or chunk dicts when streamed.

        Always a generator, so the caller drives it from its worker thread; the lock is held
        until the generator ends or is closed.
        """
        _check_n(request)
        plan = plan_turn(
            request["messages"],
            request.get("tools"),
            request.get("tool_choice"),
            self.settings.max_string_length,
            self.settings.search_query,
        )
        stream = bool(request.get("stream"))
        if plan.direct_call is not None:
            reply = _direct_reply(self.model_name)
            call = openai_call(plan.direct_call["name"], plan.direct_call["arguments"])
            yield from (_call_chunks(reply, call) if stream else [_call_completion(reply, call)])
            return
        messages = prompt_messages(request["messages"])
        options = self._sampling(request)
        with self._lock, self._timed_reading():
            if plan.call_tool:
                options["max_tokens"] = min(options["max_tokens"], TOOL_CALL_MAX_TOKENS)
                reply = self._create_chat(messages, plan.tools, _grammar(plan.call_schema), options, stream=False)
                call = parse_call(reply["choices"][0]["message"]["content"] or "")
                yield from (_call_chunks(reply, call) if stream else [_call_completion(reply, call)])
                return
            grammar = _grammar(_response_schema(request.get("response_format")))
            if not stream:
                yield self._create_chat(messages, None, grammar, options, stream=False)
                return
            for chunk in self._create_chat(messages, None, grammar, options, stream=True):
                yield chunk
                if cancelled is not None and cancelled.is_set():
                    return

    def _create_chat(self, messages, tools, grammar, options, stream: bool):
        try:
            reply = self._llama.create_chat_completion(
                messages=messages, tools=tools, grammar=grammar, stream=stream, **options
            )
        except ValueError as exc:
            raise _overflow(exc) from exc
        if stream:
            return _guard_stream(reply)
        reply["model"] = self.model_name
        return reply

    # Text completion --------------------------------------------------------------------------

    def complete(self, request: dict[str, Any], cancelled: threading.Event | None = None) -> Iterator[dict[str, Any]]:
        _check_n(request)
        prompt = request["prompt"]
        if not isinstance(prompt, str):
            raise ValueError("the local model completes one text prompt at a time")
        options = self._sampling(request)
        if request.get("logprobs") is not None:
            options["logprobs"] = int(request["logprobs"])
        grammar = _grammar(_response_schema(request.get("response_format")))
        stream = bool(request.get("stream"))
        with self._lock, self._timed_reading():
            try:
                reply = self._llama.create_completion(
                    prompt=prompt, grammar=grammar, stream=stream, echo=bool(request.get("echo")), **options
                )
            except ValueError as exc:
                raise _overflow(exc) from exc
            if not stream:
                reply["model"] = self.model_name
                yield reply
                return
            for chunk in _guard_stream(reply):
                yield chunk
                if cancelled is not None and cancelled.is_set():
                    return

    def _sampling(self, request: dict[str, Any]) -> dict[str, Any]:
        options = {key: request[key] for key in SAMPLING_KEYS if request.get(key) is not None}
        extra = request.get("extra_body") or {}
        if "top_k" in extra:
            options["top_k"] = int(extra["top_k"])
        # llama-cpp-python's default repeat penalty (1.1) garbles quoted facts: off unless asked.
        options["repeat_penalty"] = float(extra.get("repetition_penalty", 1.0))
        max_tokens = request.get("max_completion_tokens") or request.get("max_tokens") or self.settings.max_tokens
        options["max_tokens"] = int(max_tokens)
        if request.get("logprobs") and request.get("top_logprobs") is not None:
            options["logprobs"] = True
            options["top_logprobs"] = int(request["top_logprobs"])
        return options


def _check_n(request: dict[str, Any]) -> None:
    if (request.get("n") or 1) != 1:
        raise ValueError("the local model gives one choice per request (n=1)")


def _grammar(schema: dict[str, Any] | None):
    if schema is None:
        return None
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)


def _response_schema(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    if not response_format or response_format.get("type") == "text":
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            raise ValueError("response_format json_schema needs json_schema.schema, a JSON schema object")
        return schema
    if kind == "json_object":
        return response_format.get("schema") or {"type": "object"}
    raise ValueError(f"response_format type must be text, json_object or json_schema; got {kind!r}")


def _overflow(exc: ValueError) -> ValueError:
    text = str(exc)
    if "exceed context window" in text:
        return ContextOverflowError(
            f"the prompt is too long for the local model ({text}): shorten it, retrieve fewer or smaller chunks, "
            "or raise context_length (LLM_CONTEXT_LENGTH)"
        )
    return exc


def _guard_stream(chunks: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    try:
        yield from chunks
    except ValueError as exc:
        raise _overflow(exc) from exc


def _direct_reply(model_name: str) -> dict[str, Any]:
    """The frame of a reply the model did not write (a search call made from the user's words)."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model_name,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _call_completion(reply: dict[str, Any], call: dict[str, Any]) -> dict[str, Any]:
    choice = reply["choices"][0]
    return {
        **reply,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls",
                "logprobs": choice.get("logprobs"),
            }
        ],
    }


def _call_chunks(reply: dict[str, Any], call: dict[str, Any]) -> list[dict[str, Any]]:
    base = {"id": reply.get("id") or f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk",
            "created": reply.get("created") or int(time.time()), "model": reply.get("model")}  # fmt: skip
    delta_call = {"index": 0, **call}
    return [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [delta_call]},
                              "finish_reason": None}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]  # fmt: skip
