"""Chat with your documents: make a vector DB, drop files into it, ask; the answer streams in with
the documents it came from and the passages the model read."""

import re
import time
import uuid

import streamlit as st
from llama_stack_client import Agent

from ..cli.main import embedding_defaults
from . import stack
from .turns import Retrieval, turn_parts
from .uploads import UPLOAD_TYPES, store_uploads

INSTRUCTIONS = "You are a helpful assistant. Use the knowledge_search tool to answer."
VECTOR_DB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
DEFAULT_VECTOR_DB = "my-documents"
# Redrawing the answer for every token costs the browser and Streamlit CPU that the LLM, on every
# core, is waiting for: a few redraws a second read as smoothly.
REDRAW_SECONDS = 0.25


def render() -> None:
    url = stack.stack_url()
    api = stack.client(url)
    st.title("Chat with your documents")
    try:
        names = stack.vector_db_ids(api)  # this page reruns on every click: no chunk counts here
        models = stack.llms(api)
        with st.sidebar:
            chosen = _vector_db_section(api, url, names)
            model = st.selectbox("LLM", models) if models else None
            if st.button("New conversation", use_container_width=True):
                _forget_conversation()
                st.rerun()
    except Exception as exc:  # the stack went down or refused between two clicks
        st.error(stack.problem(exc, url))
        return
    if not names:
        st.info("Make a vector DB in the sidebar and add your files to it, then ask about them here.")
    if not models:
        st.warning(stack.NO_LLM)
    _show_history()
    question = st.chat_input("Ask about your documents", disabled=not (chosen and model))
    if question:
        _ask(api, url, model, chosen, question)


def _vector_db_section(api, url: str, names: list[str]) -> list[str]:
    st.subheader("Your documents")
    created = st.session_state.get("created_vector_db")
    default = [created] if created in names else names[:1]
    chosen = st.multiselect("Search in", names, default=default, help="The vector DBs the answers come from")
    with st.expander("New vector DB", expanded=not names):
        name = st.text_input("Name", value="" if names else DEFAULT_VECTOR_DB, key="new_vector_db")
        if st.button("Create vector DB"):
            _create(api, url, name.strip(), names)
    target = st.selectbox("Add files to", names, index=names.index(chosen[0]) if chosen else 0) if names else None
    files = st.file_uploader(
        "Files (txt, md, rst, html, pdf)",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"uploads-{st.session_state.get('upload_round', 0)}",
        disabled=target is None,
    )
    if files and target and st.button(f"Store {len(files)} file(s) in {target}", type="primary"):
        _store(api, url, target, files)
    for line, ok in st.session_state.get("upload_report", []):
        (st.success if ok else st.error)(line)
    return chosen


def _create(api, url: str, name: str, existing: list[str]) -> None:
    if not VECTOR_DB_NAME.match(name):
        st.error("A vector DB's name is 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit.")
        return
    if name in existing:
        st.error(f"A vector DB named {name!r} exists already: pick it under 'Add files to'.")
        return
    try:
        model, dimension = embedding_defaults(api, None, None)
        providers = stack.vector_io_providers(api)
        api.vector_dbs.register(
            vector_db_id=name, embedding_model=model, embedding_dimension=dimension, provider_id=providers[0]
        )
    except Exception as exc:
        st.error(stack.problem(exc, url))
        return
    st.session_state.created_vector_db = name
    st.rerun()


def _store(api, url: str, vector_db_id: str, files) -> None:
    bar = st.progress(0.0, text="Storing…")

    def progress(done: int, name: str) -> None:
        text = f"Storing {name} ({done + 1} of {len(files)})…" if name else f"Stored {len(files)} file(s)"
        bar.progress(done / len(files), text=text)

    results = store_uploads(api, url, vector_db_id, [(f.name, f.getvalue()) for f in files], progress)
    st.session_state.upload_report = [(r.line(), r.outcome != "failed") for r in results]
    st.session_state.upload_round = st.session_state.get("upload_round", 0) + 1  # empties the uploader
    st.rerun()


def _forget_conversation() -> None:
    for key in ("agent_key", "agent", "session_id", "messages"):
        st.session_state.pop(key, None)


def _agent(api, model: str, vector_db_ids: list[str]) -> tuple[Agent, str]:
    """One agent and session per (LLM, vector DBs): a follow-up question keeps its conversation."""
    key = (model, tuple(vector_db_ids))
    if st.session_state.get("agent_key") != key:
        _forget_conversation()
        agent = Agent(
            api,
            model=model,
            instructions=INSTRUCTIONS,
            tools=[{"name": "builtin::rag/knowledge_search", "args": {"vector_db_ids": list(vector_db_ids)}}],
        )
        st.session_state.update(
            agent_key=key, agent=agent, session_id=agent.create_session(f"playground-{uuid.uuid4().hex[:8]}")
        )
    return st.session_state.agent, st.session_state.session_id


def _show_history() -> None:
    for message in st.session_state.get("messages", []):
        with st.chat_message(message["role"]):
            st.markdown(message["content"])
            if message.get("retrieval"):
                _show_retrieval(message["retrieval"])


def _ask(api, url: str, model: str, vector_db_ids: list[str], question: str) -> None:
    try:
        agent, session_id = _agent(api, model, vector_db_ids)  # a new one forgets the conversation
    except Exception as exc:
        st.error(stack.problem(exc, url))
        return
    st.session_state.setdefault("messages", [])
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        answer, found = "", None
        shown = st.empty()
        shown.markdown("_Searching your documents…_")
        try:
            stream = agent.create_turn(
                messages=[{"role": "user", "content": question}], session_id=session_id, stream=True
            )
            drawn = 0.0
            for part in turn_parts(stream):
                if isinstance(part, Retrieval):
                    found = part
                    shown.markdown("_Reading what was found…_")
                    continue
                answer += part
                if time.monotonic() - drawn >= REDRAW_SECONDS:
                    shown.markdown(answer + "▌")
                    drawn = time.monotonic()
        except Exception as exc:
            shown.empty()
            st.error(stack.problem(exc, url))
            return
        shown.markdown(answer or "_(no answer)_")
        if found:
            _show_retrieval(found)
    st.session_state.messages += [
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer, "retrieval": found},
    ]


def _show_retrieval(found: Retrieval) -> None:
    if found.sources:
        st.caption("Sources: " + " · ".join(f"{s.document_id} ({s.score:.2f})" for s in found.sources))
    else:
        st.caption("Sources: nothing in the selected vector DBs matched")
    with st.expander("Passages the model read"):
        st.text(found.passages)
