"""How fast the local LLM reads a prompt, and the retrieval budget that keeps an agent turn short.

The tutorial's client waits 60 s for a non-streaming turn. Most of a turn on the CPU is the model
reading the retrieved text: ~70-90 tokens/s on 2 AVX-512 cores, ~18 on 2 AVX2 cores, hundreds on a
recent laptop. A fixed knowledge_search budget either starves fast machines or times out slow ones,
so with `max_tokens_in_context: auto` the rag runtime asks the stack's local LLM how fast it reads:
as many tokens as that model reads in AUTO_SECONDS, measured at load and on every request. The
llama.cpp provider owns one ReadingSpeed and hands it to its engine, which records into it; the
rag runtime is given the same object when the stack wires its providers. Pure logic: no model, no
Llama Stack.
"""

import threading

# What a turn spends reading retrieved text, for a turn of about 15 s where the model reads ~70
# tokens/s (the rest: the prompt's frame, the answer's decoding). Passages, not chunk heads, fill
# the budget (passages.py): on the QA benchmark 600 tokens of passages held the facts of 38 of 43
# answers, as many as 1,000 tokens of chunk heads (benchmarks/qa.py, docs/benchmarks.md).
AUTO_SECONDS = 10.0
AUTO_MIN_TOKENS = 300  # the best passages, however slow the machine
AUTO_MAX_TOKENS = 2500  # beyond this a 1.5B model gains little and a GPU LLM is configured anyway
SMOOTHING = 0.3  # weight of the newest measurement
MIN_MEASURED_TOKENS = 32  # shorter prompts time the overheads, not the reading


class ReadingSpeed:
    """One local LLM's prompt reading speed (tokens/s), smoothed over its requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens_per_second: float | None = None

    def record(self, tokens: int, seconds: float) -> None:
        """One prompt read: `tokens` evaluated in `seconds` (prefixes restored from cache not counted)."""
        if tokens < MIN_MEASURED_TOKENS or seconds <= 0:
            return
        speed = tokens / seconds
        with self._lock:
            previous = self._tokens_per_second
            self._tokens_per_second = speed if previous is None else (1 - SMOOTHING) * previous + SMOOTHING * speed

    def tokens_per_second(self) -> float | None:
        """None until the model has read a prompt."""
        return self._tokens_per_second

    def forget(self) -> None:
        """Back to no measurement (the model was closed)."""
        with self._lock:
            self._tokens_per_second = None


def auto_budget(speed: ReadingSpeed | None) -> int:
    """Tokens of retrieved text for `max_tokens_in_context: auto`, for an LLM reading at `speed`
    (None: no local LLM in this stack; a remote LLM reads fast)."""
    tokens_per_second = speed.tokens_per_second() if speed is not None else None
    if tokens_per_second is None:
        return AUTO_MAX_TOKENS
    return max(AUTO_MIN_TOKENS, min(AUTO_MAX_TOKENS, int(tokens_per_second * AUTO_SECONDS)))
