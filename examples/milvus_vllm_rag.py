"""The "RAG with Milvus, vLLM and Llama 3.1" tutorial on a llama-stack-milvus server.

Loads a folder of documents (Markdown, HTML, text), splits them into chunks (512 characters with
10% overlap by default), embeds them with the stack's embedding model, inserts them through
vector_io into our Milvus provider, retrieves the top-k chunks for a question (printing each hit's
score and source), builds the tutorial's prompt with that context and its sources, and generates
the answer with the stack's inference API (a vLLM server behind our remote::vllm).

    python examples/milvus_vllm_rag.py --docs path/to/milvus-docs --model meta-llama/Llama-3.1-8B-Instruct
"""

import argparse
import html.parser
import os
import re
import sys
from pathlib import Path

from llama_stack_client import LlamaStackClient

SUFFIXES = {".md", ".markdown", ".mdx", ".txt", ".rst", ".html", ".htm"}
SYSTEM_PROMPT = (
    "Human: You are an AI assistant. You are able to find answers to the questions from the "
    "contextual passage snippets provided."
)
USER_PROMPT = """Use the following pieces of information enclosed in <context> tags to provide an answer to the
question enclosed in <question> tags. Name the sources you used.
<context>
{context}
</context>
<question>
{question}
</question>"""


class _TextOfHtml(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skipping += 1
        elif tag in ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "pre"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def read_document(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        parser = _TextOfHtml()
        parser.feed(text)
        text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def load_folder(folder: Path) -> dict[str, str]:
    """Relative path -> text, for every document under folder."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return {str(p.relative_to(folder)): text for p in files if (text := read_document(p))}


def split_text(text: str, size: int, overlap: int) -> list[str]:
    """Chunks of at most `size` characters, cut at paragraph, line, sentence or word boundaries where
    possible (like the tutorial's RecursiveCharacterTextSplitter), each starting `overlap` characters
    before the previous one ended."""
    if size <= overlap:
        raise ValueError(f"chunk size ({size}) must be larger than the overlap ({overlap})")
    chunks, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            window = text[start:end]
            for separator in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(separator)
                if cut > overlap:
                    end = start + cut + len(separator)
                    break
        chunk = text[start:end].strip()
        if chunk:
            chunks.append(chunk)
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return chunks


def pick_model(client: LlamaStackClient, model_type: str, wanted: str | None) -> str | None:
    models = [m for m in client.models.list() if m.model_type == model_type]
    for model in models:
        if wanted in (model.identifier, model.provider_resource_id):
            return model.identifier
    if wanted:
        names = ", ".join(m.identifier for m in models) or "none"
        sys.exit(f"the stack has no {model_type} model {wanted!r}; it has: {names}")
    return models[0].identifier if models else None


def embedding_dimension(client: LlamaStackClient, model: str) -> int:
    found = next(m for m in client.models.list() if m.identifier == model)
    return int(found.metadata["embedding_dimension"])


def index_documents(client, vector_db_id, documents, embedding_model, size, overlap, provider_id) -> int:
    dimension = embedding_dimension(client, embedding_model)
    client.vector_dbs.register(
        vector_db_id=vector_db_id, embedding_model=embedding_model, embedding_dimension=dimension,
        provider_id=provider_id,
    )  # fmt: skip
    chunks = [
        {"content": piece, "chunk_id": f"{source}#{i}", "metadata": {"document_id": source, "source": source}}
        for source, text in documents.items()
        for i, piece in enumerate(split_text(text, size, overlap))
    ]
    for start in range(0, len(chunks), 64):
        batch = chunks[start : start + 64]
        vectors = client.embeddings.create(model=embedding_model, input=[c["content"] for c in batch])
        for chunk, vector in zip(batch, vectors.data, strict=True):
            chunk["embedding"] = vector.embedding
        client.vector_io.insert(vector_db_id=vector_db_id, chunks=batch)
    return len(chunks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default=os.environ.get("LLAMA_STACK_URL", "http://localhost:8321"))
    parser.add_argument("--docs", type=Path, required=True, help="folder of .md, .html and .txt documents")
    parser.add_argument("--question", default="What do the parameters for HNSW mean?")
    parser.add_argument("--chunk-size", type=int, default=512, help="characters per chunk")
    parser.add_argument("--overlap", type=int, default=None, help="characters shared by neighbours (10%% of size)")
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--vector-db-id", default="milvus-vllm-rag")
    parser.add_argument("--provider-id", default="milvus", help="the stack's vector_io provider")
    parser.add_argument("--embedding-model", default=None, help="default: the stack's first embedding model")
    parser.add_argument("--model", default=os.environ.get("INFERENCE_MODEL"), help="default: the first LLM")
    parser.add_argument("--max-tokens", type=int, default=512)
    args = parser.parse_args()
    overlap = args.overlap if args.overlap is not None else args.chunk_size // 10

    client = LlamaStackClient(base_url=args.base_url, timeout=600)
    documents = load_folder(args.docs)
    if not documents:
        sys.exit(f"no .md, .html or .txt documents under {args.docs}")
    embedding_model = pick_model(client, "embedding", args.embedding_model)
    if embedding_model is None:
        sys.exit("the stack has no embedding model")
    if args.vector_db_id not in {db.identifier for db in client.vector_dbs.list()}:
        count = index_documents(
            client, args.vector_db_id, documents, embedding_model, args.chunk_size, overlap, args.provider_id
        )
        print(f"indexed {count} chunks of {len(documents)} documents with {embedding_model}")

    hits = client.vector_io.query(
        vector_db_id=args.vector_db_id, query=args.question, params={"max_chunks": args.top_k}
    )
    print(f"\nquestion: {args.question}\ntop {args.top_k}:")
    for chunk, score in zip(hits.chunks, hits.scores, strict=True):
        print(f"  score {score:.4f}  {chunk.metadata['source']}")
    sources = list(dict.fromkeys(chunk.metadata["source"] for chunk in hits.chunks))
    context = "\n\n".join(f"[{c.metadata['source']}]\n{c.content}" for c in hits.chunks)

    model = pick_model(client, "llm", args.model)
    if model is None:
        print(
            "\nno LLM on this stack: install the local-llm extra for the embedded LLM, or set VLLM_URL (and "
            "INFERENCE_MODEL) when starting it, to generate the answer."
        )
        return 2
    reply = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": USER_PROMPT.format(context=context, question=args.question)},
        ],
        max_tokens=args.max_tokens,
        temperature=0,
    )
    print(f"\nanswer ({model}):\n{reply.choices[0].message.content}\n\nsources:")
    for source in sources:
        print(f"  {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
