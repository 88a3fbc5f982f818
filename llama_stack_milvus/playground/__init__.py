"""The page to chat with your documents: Llama Stack's Streamlit playground on this distribution
(scripts/playground.sh). A client of a running stack, like the `llama-stack-milvus` command."""
