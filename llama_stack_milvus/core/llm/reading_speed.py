"""How fast the local LLM reads a prompt, and the retrieval budget that keeps an agent turn short.

The tutorial's client waits 60 s for a non-streaming turn. Most of a turn on the CPU is the model
reading the retrieved text: ~70-90 tokens/s on 2 AVX-512 cores, ~18 on 2 AVX2 cores, hundreds on a
recent laptop. A fixed knowledge_search budget either starves fast machines or times out slow ones,
so with `max_tokens_in_context: auto` the rag runtime asks here: as many tokens as this process's
local LLM reads in AUTO_SECONDS, measured at load and on every request. One engine per process
(the stack's), so the measurement is process-wide. Pure logic: no model, no Llama Stack.
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

_lock = threading.Lock()
_tokens_per_second: float | None = None


def record(tokens: int, seconds: float) -> None:
    """One prompt read: `tokens` evaluated in `seconds` (prefixes restored from cache not counted)."""
    global _tokens_per_second
    if tokens < MIN_MEASURED_TOKENS or seconds <= 0:
        return
    speed = tokens / seconds
    with _lock:
        previous = _tokens_per_second
        _tokens_per_second = speed if previous is None else (1 - SMOOTHING) * previous + SMOOTHING * speed


def tokens_per_second() -> float | None:
    """The local LLM's reading speed; None where no local LLM has read a prompt in this process."""
    return _tokens_per_second


def auto_budget() -> int:
    """Tokens of retrieved text for `max_tokens_in_context: auto`."""
    speed = _tokens_per_second
    if speed is None:  # no local LLM here: a remote LLM reads fast
        return AUTO_MAX_TOKENS
    return max(AUTO_MIN_TOKENS, min(AUTO_MAX_TOKENS, int(speed * AUTO_SECONDS)))


def forget() -> None:
    """Back to no measurement (the engine closed; tests)."""
    global _tokens_per_second
    with _lock:
        _tokens_per_second = None
