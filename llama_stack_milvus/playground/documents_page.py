"""The vector DBs with their chunk counts, each one's documents (delete one), and a search without
the LLM, as the ingest command's `search`: scores and the documents' sources."""

import streamlit as st

from ..cli.queries import SEARCH_MODES, search_hits
from . import stack

DEFAULT_MODE = "hybrid"  # the rag runtime's default; Milvus older than 2.5 has vector search only
SNIPPET_CHARACTERS = 400


def render() -> None:
    url = stack.stack_url()
    api = stack.client(url)
    st.title("Documents and search")
    try:
        dbs = stack.vector_dbs(api)
    except Exception as exc:
        st.error(stack.problem(exc, url))
        return
    if not dbs:
        st.info("No vector DB yet: make one on the chat page, or with `llama-stack-milvus ingest --create`.")
        return
    st.dataframe(
        [
            {
                "vector DB": db.identifier,
                "chunks": db.chunks,
                "embedding model": db.embedding_model,
                "dimension": db.embedding_dimension,
                "provider": db.provider_id,
            }  # fmt: skip
            for db in dbs
        ],
        hide_index=True,
    )
    chosen = st.selectbox("Vector DB", [db.identifier for db in dbs])
    documents_tab, search_tab = st.tabs(["Documents", "Search"])
    with documents_tab:
        _documents(api, url, chosen)
    with search_tab:
        _search(api, url, chosen)


def _documents(api, url: str, vector_db_id: str) -> None:
    try:
        files = stack.documents(api, vector_db_id)
    except Exception as exc:
        st.error(stack.problem(exc, url))
        return
    if notice := st.session_state.pop("deleted_notice", None):
        st.success(notice)
    if not files:
        st.write("No documents stored.")
        return
    st.write(f"{len(files)} document(s)")
    for f in files:
        name, source, chunks = f.attributes["document_id"], f.attributes.get("source"), f.attributes.get("chunks")
        row = st.columns([6, 1, 1])
        row[0].markdown(f"**{name}**" + (f"  \n{source}" if source and source != name else ""))
        row[1].write(f"{int(chunks)} chunks")
        if row[2].button("Delete", key=f"delete-{f.id}"):
            st.session_state.confirm_delete = (vector_db_id, f.id, name, chunks)
        if st.session_state.get("confirm_delete") == (vector_db_id, f.id, name, chunks):
            _confirm(api, url, vector_db_id, f.id, name, chunks)


def _confirm(api, url: str, vector_db_id: str, file_id: str, name: str, chunks) -> None:
    st.warning(f"Delete {name} and its {int(chunks)} chunks from {vector_db_id}? This cannot be undone.")
    yes, no = st.columns(2)
    if yes.button("Delete it", key=f"yes-{file_id}", type="primary"):
        try:
            api.vector_stores.files.delete(file_id, vector_store_id=vector_db_id)
        except Exception as exc:
            st.error(stack.problem(exc, url))
            return
        st.session_state.pop("confirm_delete", None)
        st.session_state.deleted_notice = f"Deleted {name} ({int(chunks)} chunks)."
        st.rerun()
    if no.button("Keep it", key=f"no-{file_id}"):
        st.session_state.pop("confirm_delete", None)
        st.rerun()


def _search(api, url: str, vector_db_id: str) -> None:
    with st.form("search"):
        query = st.text_input("Search for")
        left, right = st.columns(2)
        mode = left.selectbox("Mode", SEARCH_MODES, index=SEARCH_MODES.index(DEFAULT_MODE))
        k = right.slider("Results", 1, 20, 5)
        asked = st.form_submit_button("Search")
    if not (asked and query.strip()):
        return
    try:
        hits = search_hits(api, vector_db_id, query.strip(), k, mode)
    except Exception as exc:
        st.error(stack.problem(exc, url))
        return
    if not hits:
        st.write(f"Nothing in {vector_db_id} matches.")
    for hit in hits:
        snippet = " ".join(hit.content.split())[:SNIPPET_CHARACTERS]
        st.markdown(f"**{hit.rank}. {hit.source}** · score {hit.score:.4f} · {hit.mode}")
        st.text(snippet)
