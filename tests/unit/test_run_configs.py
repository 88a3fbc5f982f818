"""The five run configs are generated from one description (llama_stack_milvus/run_configs.py)."""

import yaml

from llama_stack_milvus import run_configs


def test_the_committed_files_are_as_generated():
    assert run_configs.main(["--check"]) == 0, "run: python -m llama_stack_milvus.run_configs"


def test_a_changed_file_is_found_and_rewritten(tmp_path):
    for config in run_configs.run_configs():
        (tmp_path / config.path).parent.mkdir(parents=True, exist_ok=True)
    assert run_configs.main(["--root", str(tmp_path)]) == 0
    lite = tmp_path / "run-configs" / "milvus-lite.yaml"
    lite.write_text(lite.read_text().replace("LLM_MAX_TOKENS:=256", "LLM_MAX_TOKENS:=9999"))
    assert run_configs.main(["--check", "--root", str(tmp_path)]) == 1
    assert run_configs.main(["--root", str(tmp_path)]) == 0
    assert run_configs.main(["--check", "--root", str(tmp_path)]) == 0


def test_every_file_shares_the_stock_providers_and_names_ours_by_module():
    documents = {c.path: yaml.safe_load(c.render()) for c in run_configs.run_configs()}
    stock = {p: documents["run-configs/milvus-lite.yaml"]["providers"][p] for p in ("files", "safety", "telemetry")}
    for path, document in documents.items():
        for api in ("files", "safety", "telemetry"):
            assert document["providers"][api] == stock[api], (path, api)
        ours = [p for ps in document["providers"].values() for p in ps if "module" in p]
        assert ours and all(p["module"].startswith("llama_stack_milvus.providers.") for p in ours)


def test_the_ogx_run_configs_are_as_generated_and_name_our_provider():
    from llama_stack_milvus.ogx import run_configs as ogx_run_configs

    assert ogx_run_configs.main(["--check"]) == 0, "run: python -m llama_stack_milvus.ogx.run_configs"
    for config in ogx_run_configs.shipped().values():
        (milvus,) = config["providers"]["vector_io"]
        assert milvus["module"] == "llama_stack_milvus.ogx"
        assert config["vector_stores"]["default_provider_id"] == milvus["provider_id"]
