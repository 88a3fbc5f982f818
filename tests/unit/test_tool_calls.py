"""When the local model must call a tool, and the JSON it is held to (pure logic, no model)."""

import json

import pytest

from llama_stack_milvus.core.llm.tool_calls import call_schema, parse_call, plan_turn, prompt_messages

SEARCH = {
    "type": "function",
    "function": {
        "name": "knowledge_search",
        "description": "Search for information in a database.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        },
    },
}
INSERT = {"type": "function", "function": {"name": "insert_into_memory", "description": "Insert documents into memory",
          "parameters": {"type": "object", "properties": {}}}}  # fmt: skip
USER = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What attention does Llama3 use?"}]
AFTER_TOOL = USER + [
    {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
     "function": {"name": "knowledge_search", "arguments": "{\"query\": \"attention\"}"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": [{"type": "text", "text": "grouped-query attention"}]},
]  # fmt: skip


def test_auto_calls_a_tool_when_the_user_has_just_asked():
    plan = plan_turn(USER, [SEARCH], "auto")
    assert plan.call_tool and plan.tools == [SEARCH]
    assert plan.call_schema["properties"]["name"] == {"const": "knowledge_search"}


def test_after_a_tool_result_the_answer_is_asked_for_without_tools():
    for choice in ("auto", None):
        plan = plan_turn(AFTER_TOOL, [SEARCH], choice)
        assert not plan.call_tool and plan.tools is None


def test_required_and_named_always_call():
    assert plan_turn(AFTER_TOOL, [SEARCH], "required").call_tool
    named = plan_turn(AFTER_TOOL, [SEARCH, WEATHER], {"type": "function", "function": {"name": "get_weather"}})
    assert named.call_tool and named.call_schema["properties"]["name"] == {"const": "get_weather"}
    # Llama Stack names a tool with a bare string
    assert plan_turn(USER, [SEARCH, WEATHER], "get_weather").call_schema["properties"]["name"]["const"] == "get_weather"


def test_none_and_no_tools_never_call():
    assert not plan_turn(USER, [SEARCH], "none").call_tool
    assert plan_turn(USER, [SEARCH], "none").tools is None
    assert not plan_turn(USER, None, "required").call_tool
    assert not plan_turn(USER, [], "auto").call_tool


def test_a_named_tool_that_is_not_offered_is_a_clear_error():
    with pytest.raises(ValueError, match="'nope', which is not among the tools: knowledge_search"):
        plan_turn(USER, [SEARCH], {"type": "function", "function": {"name": "nope"}})


def test_several_tools_give_one_schema_per_tool_and_strings_are_bounded():
    schema = call_schema([SEARCH, WEATHER], max_string_length=50)
    names = [option["properties"]["name"]["const"] for option in schema["anyOf"]]
    assert names == ["knowledge_search", "get_weather"]
    weather_args = schema["anyOf"][1]["properties"]["arguments"]["properties"]
    assert weather_args["city"]["maxLength"] == 50
    assert "maxLength" not in weather_args["unit"]  # an enum is bounded already
    assert "maxLength" not in WEATHER["function"]["parameters"]["properties"]["city"]  # the request is untouched


def test_parse_call_makes_an_openai_tool_call():
    call = parse_call('{"name": "knowledge_search", "arguments": {"query": "Llama3 attention"}}')
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"]["name"] == "knowledge_search"
    assert json.loads(call["function"]["arguments"]) == {"query": "Llama3 attention"}


def test_a_call_cut_short_says_to_raise_max_tokens():
    with pytest.raises(ValueError, match="raise max_tokens"):
        parse_call('{"name": "knowledge_search", "argum')


def test_prompt_messages_flatten_content_and_decode_call_arguments():
    prepared = prompt_messages(AFTER_TOOL)
    assert prepared[2]["content"] == ""
    assert prepared[2]["tool_calls"][0]["function"]["arguments"] == {"query": "attention"}
    assert prepared[3]["content"] == "grouped-query attention"
    assert AFTER_TOOL[2]["tool_calls"][0]["function"]["arguments"] == '{"query": "attention"}'


def test_a_search_tool_offered_alone_is_called_with_the_users_words_without_the_model():
    plan = plan_turn(USER, [SEARCH], "auto", search_query="user")
    assert plan.call_tool and plan.call_schema is None
    assert plan.direct_call == {"name": "knowledge_search", "arguments": {"query": "What attention does Llama3 use?"}}
    assert plan_turn(USER, [SEARCH], "auto", search_query="model").direct_call is None


def test_a_question_that_refers_back_is_searched_with_the_question_before_it():
    follow_up = AFTER_TOOL + [
        {"role": "assistant", "content": "Grouped-query attention."},
        {"role": "user", "content": "And which tokenizer does it use?"},
    ]
    plan = plan_turn(follow_up, [SEARCH], "auto", search_query="user")
    assert plan.direct_call["arguments"]["query"] == "What attention does Llama3 use? And which tokenizer does it use?"
    standalone = follow_up[:-1] + [{"role": "user", "content": "Which index guarantees exact search results?"}]
    plan = plan_turn(standalone, [SEARCH], "auto", search_query="user")
    assert plan.direct_call["arguments"]["query"] == "Which index guarantees exact search results?"


def test_the_rag_groups_insert_tool_beside_the_search_does_not_stop_the_direct_call():
    plan = plan_turn(USER, [SEARCH, INSERT], "auto", search_query="user")
    assert plan.direct_call == {"name": "knowledge_search", "arguments": {"query": "What attention does Llama3 use?"}}
    # The model writing the query is held to the search tool, not offered the argument-less insert.
    plan = plan_turn(USER, [SEARCH, INSERT], "auto", search_query="model")
    assert plan.direct_call is None and plan.call_schema["properties"]["name"] == {"const": "knowledge_search"}


def test_other_tools_and_several_tools_are_still_called_by_the_model():
    for tools in ([WEATHER], [SEARCH, WEATHER]):
        plan = plan_turn(USER, tools, "required", search_query="user")
        assert plan.direct_call is None and plan.call_schema is not None
    assert plan_turn(AFTER_TOOL, [SEARCH], "auto", search_query="user") == plan_turn(AFTER_TOOL, [SEARCH], "auto")
