"""llama-stack-milvus: ingest documents into a vector DB of a running Llama Stack, search it, list.

    llama-stack-milvus ingest docs/ https://example.org/page.html --vector-db my_docs --create
    llama-stack-milvus search --vector-db my_docs "What attention type does Llama3-8B use?"
    llama-stack-milvus list

The server is --base-url, else $LLAMA_STACK_URL, else http://localhost:8321.
Exit status: 0 done; 1 some documents failed (named in the summary); 2 the command could not run
(server unreachable, unknown vector DB, bad arguments); 130 interrupted (run it again to resume).
"""

import argparse
import json
import logging
import os
import sys

import llama_stack_client
from llama_stack_client import LlamaStackClient

from .ingest import ingest
from .queries import SEARCH_MODES, chunk_count, search_hits

DEFAULT_URL = "http://localhost:8321"
REQUEST_TIMEOUT_SECONDS = 600  # one document's insert embeds all its chunks on the server


class CommandError(Exception):
    """The command cannot run; the message says why and what to do."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="llama-stack-milvus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    top.add_argument("--base-url", default=os.environ.get("LLAMA_STACK_URL", DEFAULT_URL), help="the stack's URL")
    commands = top.add_subparsers(dest="command", required=True)

    add = commands.add_parser("ingest", help="store folders, files and URLs in a vector DB (resumable)")
    add.add_argument("inputs", nargs="+", metavar="PATH_OR_URL", help="folders (recursively), files, http(s) URLs")
    add.add_argument("--vector-db", required=True, help="the vector DB's id")
    add.add_argument("--create", action="store_true", help="register the vector DB if it does not exist")
    add.add_argument("--embedding-model", help="with --create: default, the server's first embedding model")
    add.add_argument("--embedding-dimension", type=int, help="with --create: default, the model's dimension")
    add.add_argument("--provider-id", help="with --create: the vector_io provider (default: the server's first)")
    add.add_argument("--chunk-size", type=int, default=512, help="tokens per chunk, as rag_tool.insert (512)")

    find = commands.add_parser("search", help="the best chunks for a query")
    find.add_argument("query")
    find.add_argument("--vector-db", required=True)
    find.add_argument("-k", "--top-k", type=int, default=5)
    find.add_argument("--mode", choices=SEARCH_MODES, default="vector")
    find.add_argument("--json", action="store_true", help="print the hits as JSON")

    commands.add_parser("list", help="vector DBs with their chunk counts")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for noisy in ("llama_stack_client", "httpx"):  # retries and every request: not news here
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged PDF is reported in the summary
    client = LlamaStackClient(base_url=args.base_url, timeout=REQUEST_TIMEOUT_SECONDS, max_retries=2)
    try:
        if args.command == "ingest":
            return run_ingest(client, args)
        if args.command == "search":
            return run_search(client, args)
        return run_list(client)
    except CommandError as exc:
        print(f"llama-stack-milvus: {exc}", file=sys.stderr)
        return 2
    except llama_stack_client.APIConnectionError:
        print(
            f"llama-stack-milvus: cannot reach the Llama Stack server at {args.base_url}: start one "
            "(llama stack run run-configs/milvus-lite.yaml) or point --base-url / LLAMA_STACK_URL at it",
            file=sys.stderr,
        )
        return 2
    except llama_stack_client.APIStatusError as exc:
        print(f"llama-stack-milvus: the server refused: {_detail(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("llama-stack-milvus: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


def run_ingest(client: LlamaStackClient, args) -> int:
    ensure_vector_db(client, args)
    summary = ingest(client, args.vector_db, args.inputs, args.chunk_size, sys.stderr)
    for line in summary.lines(args.vector_db):
        print(line)
    return 1 if summary.failures else 0


def ensure_vector_db(client: LlamaStackClient, args) -> None:
    existing = {db.identifier: db for db in client.vector_dbs.list()}
    if args.vector_db in existing:
        db = existing[args.vector_db]
        wanted = args.embedding_dimension
        if wanted is not None and wanted != db.embedding_dimension:
            raise CommandError(
                f"vector DB {args.vector_db!r} has embedding dimension {db.embedding_dimension}, not {wanted}; "
                "use another vector DB or leave --embedding-dimension out"
            )
        return
    if not args.create:
        raise CommandError(
            f"vector DB {args.vector_db!r} does not exist on {client.base_url}; pass --create to register it "
            f"(known: {', '.join(sorted(existing)) or 'none'})"
        )
    model, dimension = embedding_defaults(client, args.embedding_model, args.embedding_dimension)
    client.vector_dbs.register(
        vector_db_id=args.vector_db,
        embedding_model=model,
        embedding_dimension=dimension,
        **({"provider_id": args.provider_id} if args.provider_id else {}),
    )
    print(f"registered vector DB {args.vector_db!r} ({model}, {dimension} dimensions)", file=sys.stderr)


def embedding_defaults(client: LlamaStackClient, model: str | None, dimension: int | None) -> tuple[str, int]:
    models = [m for m in client.models.list() if m.model_type == "embedding"]
    if not models:
        raise CommandError("the server has no embedding model; register one or use a run config that has one")
    chosen = next((m for m in models if model in (m.identifier, m.provider_resource_id)), None) if model else models[0]
    if chosen is None:
        names = ", ".join(m.identifier for m in models)
        raise CommandError(f"the server has no embedding model {model!r}; it has {names}")
    known = (chosen.metadata or {}).get("embedding_dimension")
    if dimension is not None and known is not None and int(known) != dimension:
        raise CommandError(f"{chosen.identifier} makes {int(known)}-dimension embeddings, not {dimension}")
    if dimension is None and known is None:
        raise CommandError(f"the server does not say {chosen.identifier}'s dimension: pass --embedding-dimension")
    return chosen.identifier, int(dimension if dimension is not None else known)


def run_search(client: LlamaStackClient, args) -> int:
    _require(client, args.vector_db)
    hits = search_hits(client, args.vector_db, args.query, args.top_k, args.mode)
    if args.json:
        print(json.dumps([h.as_dict() for h in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print(f"no chunk of {args.vector_db!r} matches")
    for hit in hits:
        snippet = " ".join(hit.content.split())[:200]
        print(f"{hit.rank}. {hit.score:.4f} [{hit.mode}] {hit.source}\n   {snippet}")
    return 0


def run_list(client: LlamaStackClient) -> int:
    dbs = sorted(client.vector_dbs.list(), key=lambda db: db.identifier)
    if not dbs:
        print("no vector DBs")
        return 0
    rows = [("VECTOR DB", "PROVIDER", "EMBEDDING MODEL", "DIM", "CHUNKS")]
    for db in dbs:
        rows.append((db.identifier, db.provider_id, db.embedding_model, str(db.embedding_dimension),
                     _shown(chunk_count(client, db.identifier))))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _shown(count: int | None) -> str:
    return "?" if count is None else str(count)


def _require(client: LlamaStackClient, vector_db_id: str) -> None:
    known = {db.identifier for db in client.vector_dbs.list()}
    if vector_db_id not in known:
        raise CommandError(
            f"vector DB {vector_db_id!r} does not exist on {client.base_url} "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )


def _detail(exc: llama_stack_client.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    detail = body.get("detail") or body.get("error") or exc.message
    return f"{detail} (HTTP {exc.status_code})"


if __name__ == "__main__":
    sys.exit(main())
