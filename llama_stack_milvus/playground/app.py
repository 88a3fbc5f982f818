"""The playground's entry: `streamlit run` this file (scripts/playground.sh does, offline).

Our two pages (chat with your documents; the vector DBs, their documents and search) beside
Llama Stack 0.2.20's own Chat and API Providers pages. Its Resources page is left out: it asks
for APIs this distribution does not serve (datasets, scoring, benchmarks) and loads its menu icons
from a CDN; its RAG page is replaced by ours (see docs/playground.md for why).
"""

import importlib.util
import os
from pathlib import Path

import streamlit as st

from llama_stack_milvus.playground import chat_page, documents_page, stack

TITLE = "llama-stack-milvus"


def upstream_page(relative: str) -> Path:
    """A page file of llama_stack/core/ui (found without importing Llama Stack's server code)."""
    spec = importlib.util.find_spec("llama_stack")
    return Path(next(iter(spec.submodule_search_locations))) / "core" / "ui" / "page" / relative


def main() -> None:
    # An emoji favicon is drawn in the browser; without page_icon, the page's Material icon becomes the
    # favicon, fetched from Google's fonts CDN (the icons in the menu come from the bundled font).
    st.set_page_config(page_title=TITLE, page_icon="🦙", layout="wide")
    url = stack.stack_url()
    os.environ.setdefault("LLAMA_STACK_ENDPOINT", url)  # where Llama Stack's own pages look
    if not stack.is_up(url):
        st.title(TITLE)
        st.error(stack.down_message(url))
        if st.button("Try again"):
            st.rerun()
        st.stop()
    pages = st.navigation(
        {
            "Your documents": [
                st.Page(
                    chat_page.render,
                    title="Chat with your documents",
                    icon=":material/forum:",
                    url_path="rag",
                    default=True,
                ),
                st.Page(
                    documents_page.render,
                    title="Documents and search",
                    icon=":material/library_books:",
                    url_path="documents",
                ),
            ],
            "Llama Stack": [
                st.Page(
                    upstream_page("playground/chat.py"),
                    title="Chat (no documents)",
                    icon=":material/chat:",
                    url_path="chat",
                ),
                st.Page(
                    upstream_page("distribution/providers.py"),
                    title="API providers",
                    icon=":material/hub:",
                    url_path="providers",
                ),  # fmt: skip
            ],
        }
    )
    st.sidebar.caption(f"Stack: {url}")
    pages.run()


if __name__ == "__main__":  # streamlit run runs this file as __main__
    main()
