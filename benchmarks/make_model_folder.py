"""A model folder for `vllm serve --load-format dummy`: an architecture config from benchmarks/models,
a tokenizer trained on local text, a Llama-3.1-style chat template. No weights, no download.

Run with the Python of a venv that has vLLM (it has transformers and tokenizers):
    .venv-vllm/bin/python benchmarks/make_model_folder.py benchmarks/models/tiny-llama.json OUT CORPUS_DIR
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "vllm"))

from make_tiny_llama import train_tokenizer  # noqa: E402

CHAT_TEMPLATE = (
    "{{ '<|begin_of_text|>' }}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% elif message['content'] %}{% for part in message['content'] %}{{ part['text'] }}{% endfor %}{% endif %}"
    "{{ '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
)


def main(config_path: Path, out: Path, corpus: Path) -> None:
    config = json.loads(config_path.read_text())
    tokenizer = train_tokenizer(corpus, [], [], vocab_size=min(8000, config["vocab_size"]))
    tokenizer.chat_template = CHAT_TEMPLATE
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out)
    config.update(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    (out / "config.json").write_text(json.dumps(config, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
