"""The `llama-stack-milvus` command, run as a user runs it, against a real stack over HTTP."""

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from inprocess_stack import InProcessStack
from pdf import pdf_with_text
from servers import RUN_CONFIGS, free_port
from tutorial import all_chunks

COMMAND = Path(sys.executable).parent / "llama-stack-milvus"
TORCHTUNE = Path(__file__).parents[1] / "data" / "torchtune"
PDF_FACT = "Quantization-aware training keeps int4 models within a point of their bf16 accuracy."


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with InProcessStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path_factory.mktemp("ingest-stack")) as server:
        yield server


def run(stack, *args, cwd, timeout=300):
    env = {**os.environ, "LLAMA_STACK_URL": stack.base_url}
    return subprocess.run([str(COMMAND), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def make_folder(root: Path) -> Path:
    docs = root / "docs"
    (docs / "guides").mkdir(parents=True)
    (docs / "qat.pdf").write_bytes(pdf_with_text([PDF_FACT]))
    (docs / "guides" / "llama3.rst").write_text((TORCHTUNE / "llama3.rst").read_text())
    (docs / "guides" / "hnsw.md").write_text("# HNSW\n\nThe ef parameter is the size of the search candidate list.\n")
    (docs / "guides" / "tenants.html").write_text(
        "<html><head><style>p {color: red}</style><script>var hidden = 1;</script></head><body>"
        "<h1>Tenants</h1><p>A partition key keeps many tenants in one Milvus collection.</p></body></html>"
    )
    (docs / "guides" / "image.png").write_bytes(b"\x89PNG not a document")  # not a document type: left out
    return docs


def sources(client, vector_db_id):
    return sorted({c.metadata["document_id"] for c in all_chunks(client, vector_db_id)})


def test_ingest_a_folder_then_search_and_list(stack, tmp_path):
    make_folder(tmp_path)
    result = run(stack, "ingest", "docs", "--vector-db", "folder-db", "--create", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "folder-db: 4 documents (4 new, 0 replaced, 0 unchanged)" in result.stdout
    assert "[4/4]" in result.stderr  # plain progress lines when not a terminal
    client = stack.client()
    assert sources(client, "folder-db") == [
        "docs/guides/hnsw.md", "docs/guides/llama3.rst", "docs/guides/tenants.html", "docs/qat.pdf"
    ]  # fmt: skip
    html_chunks = [c.content for c in all_chunks(client, "folder-db") if c.metadata["document_id"].endswith(".html")]
    assert html_chunks == ["Tenants\nA partition key keeps many tenants in one Milvus collection."]

    found = run(stack, "search", "--vector-db", "folder-db", "--json", "-k", "2", "int4 accuracy of QAT", cwd=tmp_path)
    hits = json.loads(found.stdout)
    assert hits[0]["source"].endswith("docs/qat.pdf") and PDF_FACT in hits[0]["content"]
    assert [h["rank"] for h in hits] == [1, 2] and hits[0]["mode"] == "vector" and hits[0]["score"] > hits[1]["score"]
    plain = run(stack, "search", "--vector-db", "folder-db", "What is ef in HNSW?", "-k", "1", cwd=tmp_path)
    assert plain.returncode == 0 and "1. " in plain.stdout and "docs/guides/hnsw.md" in plain.stdout

    listed = run(stack, "list", cwd=tmp_path)
    row = next(line.split() for line in listed.stdout.splitlines() if line.startswith("folder-db "))
    assert int(row[-1]) == len(all_chunks(client, "folder-db"))


def test_killed_mid_way_the_rerun_stores_exactly_the_expected_chunks(stack, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(2):
        for page in sorted(TORCHTUNE.glob("*.rst")):
            # the first 4,000 characters: a few chunks a document, so that a kill lands between documents
            (docs / f"{i}-{page.name}").write_text(f"Copy {i}.\n\n" + page.read_text()[:4000])
    reference = run(stack, "ingest", "docs", "--vector-db", "resume-reference", "--create", cwd=tmp_path)
    assert reference.returncode == 0, reference.stderr
    expected = sorted(c.chunk_id for c in all_chunks(stack.client(), "resume-reference"))

    env = {**os.environ, "LLAMA_STACK_URL": stack.base_url}
    command = [str(COMMAND), "ingest", "docs", "--vector-db", "resume-db", "--create"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # kill it once a few documents are in
        if line.startswith("[3/8]"):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    interrupted = sorted(c.chunk_id for c in all_chunks(stack.client(), "resume-db"))
    assert 0 < len(interrupted) < len(expected)

    again = run(stack, "ingest", "docs", "--vector-db", "resume-db", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "8 documents" in again.stdout and " 0 failed" in again.stdout
    unchanged = int(again.stdout.split(" replaced, ")[1].split(" unchanged")[0])
    assert unchanged >= 3
    assert sorted(c.chunk_id for c in all_chunks(stack.client(), "resume-db")) == expected

    third = run(stack, "ingest", "docs", "--vector-db", "resume-db", cwd=tmp_path)
    assert "8 documents (0 new, 0 replaced, 8 unchanged), 0 chunks stored" in third.stdout


def test_a_changed_file_replaces_its_chunks(stack, tmp_path):
    docs = make_folder(tmp_path)
    assert run(stack, "ingest", "docs", "--vector-db", "changes-db", "--create", cwd=tmp_path).returncode == 0
    (docs / "guides" / "hnsw.md").write_text("# HNSW\n\nM is the number of links per node in the graph.\n")
    result = run(stack, "ingest", "docs", "--vector-db", "changes-db", cwd=tmp_path)
    assert "4 documents (0 new, 1 replaced, 3 unchanged)" in result.stdout
    chunks = [c for c in all_chunks(stack.client(), "changes-db") if c.metadata["document_id"] == "docs/guides/hnsw.md"]
    assert [c.content for c in chunks] == ["# HNSW\n\nM is the number of links per node in the graph.\n"]


def test_an_unreadable_file_is_named_and_the_rest_is_stored(stack, tmp_path):
    docs = make_folder(tmp_path)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF")
    (docs / "guides" / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    result = run(stack, "ingest", "docs", "https://127.0.0.1:1/gone.html", "--vector-db", "broken-db", "--create",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1
    assert "4 documents (4 new, 0 replaced, 0 unchanged)" in result.stdout and "3 failed" in result.stdout
    assert "failed: docs/broken.pdf: it is not a readable PDF" in result.stdout
    assert "failed: docs/guides/binary.txt: it is binary" in result.stdout
    assert "failed: https://127.0.0.1:1/gone.html: fetching it failed" in result.stdout
    assert "docs/broken.pdf" not in sources(stack.client(), "broken-db")
    assert len(sources(stack.client(), "broken-db")) == 4


def test_a_terminal_gets_a_progress_bar(stack, tmp_path):
    make_folder(tmp_path)
    leader, follower = pty.openpty()
    env = {**os.environ, "LLAMA_STACK_URL": stack.base_url}
    command = [str(COMMAND), "ingest", "docs", "--vector-db", "tty-db", "--create"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the command closed the terminal
            break
        if not data:
            break
        output += data
    assert process.wait(timeout=60) == 0
    os.close(leader)
    text = output.decode("utf-8", "replace")
    assert "4/4" in text and "100%" in text and "chunks" in text and "\r" in text
    assert "[1/4]" not in text  # the bar, not the plain lines


def test_clear_errors_for_the_server_the_vector_db_and_the_dimension(stack, tmp_path):
    make_folder(tmp_path)
    down = subprocess.run([str(COMMAND), "--base-url", f"http://127.0.0.1:{free_port()}", "list"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert down.returncode == 2 and "cannot reach the Llama Stack server at http://127.0.0.1:" in down.stderr

    unknown = run(stack, "ingest", "docs", "--vector-db", "never-made", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "vector DB 'never-made' does not exist" in unknown.stderr and "--create" in unknown.stderr
    assert run(stack, "search", "--vector-db", "never-made", "x", cwd=tmp_path).returncode == 2

    assert run(stack, "ingest", "docs/qat.pdf", "--vector-db", "dims-db", "--create", cwd=tmp_path).returncode == 0
    mismatch = run(stack, "ingest", "docs", "--vector-db", "dims-db", "--embedding-dimension", "768", cwd=tmp_path)
    assert mismatch.returncode == 2 and "has embedding dimension 384, not 768" in mismatch.stderr
    wrong_model = run(stack, "ingest", "docs", "--vector-db", "dims-db-2", "--create", "--embedding-dimension", "768",
                      cwd=tmp_path)  # fmt: skip
    assert wrong_model.returncode == 2 and "makes 384-dimension embeddings, not 768" in wrong_model.stderr
