"""What the chat page makes of an agent turn's stream: the answer's text and the knowledge
search's passages and sources (the stream's shapes are llama-stack-client 0.2.20's)."""

from llama_stack_client.types.agents.agent_turn_response_stream_chunk import AgentTurnResponseStreamChunk

from llama_stack_milvus.playground.turns import Retrieval, Source, sources, turn_parts


def chunk(payload: dict) -> AgentTurnResponseStreamChunk:
    return AgentTurnResponseStreamChunk.model_validate({"event": {"payload": payload}})


def text(delta: str) -> AgentTurnResponseStreamChunk:
    return chunk({"event_type": "step_progress", "step_type": "inference", "step_id": "s",
                  "delta": {"type": "text", "text": delta}})  # fmt: skip


def tool_step(tool_name: str, content, metadata: dict) -> AgentTurnResponseStreamChunk:
    response = {"call_id": "c", "tool_name": tool_name, "content": content, "metadata": metadata}
    details = {"step_id": "t", "turn_id": "x", "step_type": "tool_execution", "tool_calls": [],
               "tool_responses": [response]}  # fmt: skip
    return chunk({"event_type": "step_complete", "step_type": "tool_execution", "step_id": "t",
                  "step_details": details})  # fmt: skip


def test_text_and_the_search_come_out_in_stream_order():
    stream = [
        chunk({"event_type": "turn_start", "turn_id": "x"}),
        tool_step(
            "knowledge_search",
            [{"type": "text", "text": "BEGIN "}, {"type": "text", "text": "keeper: Miriam"}],
            {"document_ids": ["a.pdf", "b.md", "a.pdf"], "scores": [0.4, 0.3, 0.7]},
        ),  # fmt: skip
        text("The keeper "),
        text(""),
        text("is Miriam."),
    ]
    parts = list(turn_parts(stream))
    assert parts == [
        Retrieval("BEGIN keeper: Miriam", [Source("a.pdf", 0.7), Source("b.md", 0.3)]),
        "The keeper ",
        "is Miriam.",
    ]


def test_another_tool_is_not_taken_for_a_search():
    assert list(turn_parts([tool_step("get_weather", "sunny", {}), text("It is sunny.")])) == ["It is sunny."]


def test_a_search_that_found_nothing_has_no_sources():
    assert sources({}) == [] and sources({"document_ids": [None], "scores": [1.0]}) == []
