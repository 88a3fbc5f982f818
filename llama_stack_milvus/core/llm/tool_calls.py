"""Tool calls that small models get right: decide when a call is due and constrain it to JSON.

A 1.5B model offered tools in `auto` mode tends to explain the tool in prose instead of calling it,
and llama.cpp's own `required` grammar still lets prose come first. So when a call is due, the
model's output is constrained to one call's JSON (`{"name": ..., "arguments": {...}}`, strings
bounded), and once a tool has answered, the answer is asked for with the tools left out.

A search tool (one required string argument named query: the RAG agent's knowledge_search) is
called with the user's own words when `search_query` is "user" and no other tool offered needs
anything from them (the RAG tool group also offers insert_into_memory, which takes no arguments),
without running the model: Qwen2.5-Coder-1.5B, held to the call's JSON, wrote "What is the capital of
France?" as the query for 2 of 8 questions here (the stock example of a search query it has
learnt), and rewriting costs a model pass. A question that refers back ("And which tokenizer does
it use?") is searched together with the user's question before it.
Pure logic: no model, no Llama Stack.
"""

import copy
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

# A bound on every string argument, so a constrained call cannot run on for thousands of tokens.
DEFAULT_MAX_STRING_LENGTH = 300
# The argument a search tool takes the user's words in.
SEARCH_ARGUMENT = "query"
# A question that refers back to the conversation: a pronoun or a leading "and"/"what about".
_REFERS_BACK = re.compile(
    r"\b(it|its|it's|they|them|their|this|that|these|those|he|she|his|her|one|ones|there)\b"
    r"|^\s*(and|also|what about|how about)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TurnPlan:
    """What one chat request asks of the model."""

    call_tool: bool  # True: the reply is one tool call, constrained to call_schema
    tools: list[dict[str, Any]] | None  # the tools the prompt shows (None: left out)
    call_schema: dict[str, Any] | None = None
    direct_call: dict[str, Any] | None = None  # {"name", "arguments"}: the call, made without the model


def plan_turn(
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    tool_choice: str | dict[str, Any] | None,
    max_string_length: int = DEFAULT_MAX_STRING_LENGTH,
    search_query: str = "model",
) -> TurnPlan:
    """A call is due when tools are offered, the choice allows one, and no tool has answered yet.

    `auto` calls a tool when the last message is the user's (the small model would otherwise
    describe the tool); `required` and a named tool always call; `none` never does. After a tool
    result (the last message is a tool's), the model answers with the tools left out, since it
    otherwise repeats the call's JSON.
    """
    if not tools:
        return TurnPlan(call_tool=False, tools=None)
    choice = _choice(tool_choice)
    if choice == "none":
        return TurnPlan(call_tool=False, tools=None)
    if isinstance(choice, dict):
        named = [t for t in tools if _tool_name(t) == choice["name"]]
        if not named:
            offered = ", ".join(_tool_name(t) for t in tools)
            raise ValueError(f"tool_choice names tool {choice['name']!r}, which is not among the tools: {offered}")
        return TurnPlan(True, tools, call_schema(named, max_string_length))
    last_role = messages[-1].get("role") if messages else None
    if choice == "auto" and last_role not in ("user", "system"):
        return TurnPlan(call_tool=False, tools=None)
    search = search_tool(tools) if last_role == "user" and choice == "auto" else None
    if search is not None and search_query == "user":
        query = user_query(messages)[:max_string_length]
        return TurnPlan(True, tools, direct_call={"name": search, "arguments": {SEARCH_ARGUMENT: query}})
    if search is not None:
        # The model writes the query, held to the search tool: offered the RAG group's
        # insert_into_memory too, it often picked that (no arguments to write; docs/benchmarks.md, "QA").
        searched = [t for t in tools if _tool_name(t) == search]
        return TurnPlan(True, tools, call_schema(searched, max_string_length))
    return TurnPlan(True, tools, call_schema(tools, max_string_length))


def search_tool(tools: list[dict[str, Any]]) -> str | None:
    """The name of the one search tool offered (its one required argument: the string `query`),
    where every other tool offered takes no required arguments; else None."""
    searches, others = [], []
    for tool in tools:
        parameters = tool.get("function", tool).get("parameters") or {}
        required = parameters.get("required") or []
        schema = (parameters.get("properties") or {}).get(SEARCH_ARGUMENT) or {}
        if required == [SEARCH_ARGUMENT] and schema.get("type") == "string" and "enum" not in schema:
            searches.append(_tool_name(tool))
        elif required:
            others.append(_tool_name(tool))
    return searches[0] if len(searches) == 1 and not others else None


def user_query(messages: list[dict[str, Any]]) -> str:
    """The user's last message; after the one before it where it refers back to it."""
    asked = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    asked = [text.strip() for text in asked if text.strip()]
    if not asked:
        return ""
    if len(asked) > 1 and _REFERS_BACK.search(asked[-1]):
        return f"{asked[-2]} {asked[-1]}"
    return asked[-1]


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return content or ""


def _choice(tool_choice: str | dict[str, Any] | None) -> str | dict[str, str]:
    if tool_choice is None:
        return "auto"
    if isinstance(tool_choice, str):
        if tool_choice not in ("auto", "required", "none"):
            # Llama Stack names a tool by a bare string
            return {"name": tool_choice}
        return tool_choice
    function = tool_choice.get("function") or {}
    name = function.get("name") or tool_choice.get("name")
    if not name:
        raise ValueError(f"tool_choice must be auto, required, none or name a function; got {tool_choice!r}")
    return {"name": name}


def _tool_name(tool: dict[str, Any]) -> str:
    return tool.get("function", tool).get("name", "")


def call_schema(tools: list[dict[str, Any]], max_string_length: int = DEFAULT_MAX_STRING_LENGTH) -> dict[str, Any]:
    """The JSON schema of one call of any of `tools`: {"name": <tool>, "arguments": <its parameters>}."""
    options = []
    for tool in tools:
        function = tool.get("function", tool)
        parameters = copy.deepcopy(function.get("parameters") or {"type": "object", "properties": {}})
        parameters.setdefault("type", "object")
        _bound_strings(parameters, max_string_length)
        options.append(
            {
                "type": "object",
                "properties": {"name": {"const": function["name"]}, "arguments": parameters},
                "required": ["name", "arguments"],
            }
        )
    return options[0] if len(options) == 1 else {"anyOf": options}


def _bound_strings(schema: Any, max_length: int) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "string" and "enum" not in schema and "const" not in schema:
            schema["maxLength"] = min(int(schema.get("maxLength", max_length)), max_length)
        for value in schema.values():
            _bound_strings(value, max_length)
    elif isinstance(schema, list):
        for value in schema:
            _bound_strings(value, max_length)


def parse_call(text: str) -> dict[str, Any]:
    """The OpenAI tool call in a constrained reply: {"id", "type": "function", "function": {"name", "arguments"}}."""
    try:
        call = json.loads(text)
        name, arguments = call["name"], call["arguments"]
    except (ValueError, KeyError, TypeError) as exc:
        # Only a reply cut short by max_tokens gets here: the grammar admits nothing else.
        raise ValueError(f"the model's tool call was cut short ({len(text)} characters); raise max_tokens") from exc
    return openai_call(name, arguments)


def openai_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"call_{uuid.uuid4().hex[:24]}",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def prompt_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI messages as chat templates read them: text content, tool-call arguments as objects."""
    prepared = []
    for message in messages:
        message = dict(message)
        content = message.get("content")
        if isinstance(content, list) or content is None:
            message["content"] = _text(content)
        if message.get("tool_calls"):
            message["tool_calls"] = [_template_call(call) for call in message["tool_calls"]]
        prepared.append(message)
    return prepared


def _template_call(call: dict[str, Any]) -> dict[str, Any]:
    # Templates render `arguments | tojson`: a JSON string would come out quoted twice.
    function = dict(call.get("function", {}))
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        try:
            function["arguments"] = json.loads(arguments)
        except ValueError:
            pass
    return {**call, "function": function}
