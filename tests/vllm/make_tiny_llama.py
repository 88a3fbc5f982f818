"""Builds a tiny Llama (~2M parameters) that `vllm serve` loads and that behaves predictably: no download.

Run with the vLLM venv's Python (it has torch, transformers and tokenizers):
    .venv-vllm/bin/python tests/vllm/make_tiny_llama.py OUT_DIR CORPUS_DIR

The tokenizer is a byte-level BPE trained on the text files of CORPUS_DIR, with Llama 3's special
tokens and a Llama-3.1-style chat template. Random weights cannot call a tool, so the weights are
programmed as a next-token table: every block's output projections are scaled to ~0, so the
residual stream stays the current token's embedding, and lm_head maps each token of a few chains
to its successor. The chat template ends the prompt with a marker token that picks the chain:
- tools offered (knowledge_search) and the last message is not a tool result:
  {"name": "knowledge_search", "parameters": {"query": "attention"}} then end of turn, which
  vLLM's llama3_json tool parser reads as a tool call;
- otherwise: the sentence ANSWER then end of turn.
Under a grammar (a forced tool call, response_format json_schema) the chain's next token is often not
allowed; then a fixed preference decides, read from one hidden dimension that every embedding shares:
end of turn, closers (`}` `]`), ` "` (whose successor is the word "attention"), `"`, `:`, `{`, `[`,
`,`, and whitespace last; `"` and ` "` are followed by the word "attention" where a string may
hold it. So a JSON string value reads "attention" and is closed at once, objects and arrays close as
soon as the schema allows, and generation ends right after the JSON.
"""

import sys
from pathlib import Path

SPECIAL = [
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|python_tag|>",
]
CALL_MARKER, ANSWER_MARKER = "<|call_tool|>", "<|answer|>"
CALL_CHAIN = ['{"name": "knowledge_search", "parameters": {"query": "', "attention", '"}}']
ANSWER_CHAIN = ["Based on the documents,", " the answer is grouped-query attention."]
ANSWER = "".join(ANSWER_CHAIN)
WORD = CALL_CHAIN[1]
# Opens a JSON string and is followed by WORD; a lone '"' closes one.
OPENER = ' "'
# Logit bonus of a token in every context; a chain's next token gets CHAIN_LOGIT on top of it.
CHAIN_LOGIT = 150.0
PREFERENCE = {"<|eot_id|>": 75, "}": 60, "]": 48, OPENER: 42, '"': 36, ":": 24, "{": 18, "[": 12, ",": 6}
WHITESPACE_PENALTY = -30.0
SHARED_DIM, SHARED_VALUE = 0, 0.3

CHAT_TEMPLATE = (
    "{{ '<|begin_of_text|>' }}"
    "{% set ns = namespace(search=false) %}"
    "{% for tool in (tools or []) %}"
    "{% if (tool.function.name if tool.function is defined else tool.name) == 'knowledge_search' %}"
    "{% set ns.search = true %}{% endif %}{% endfor %}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% elif message['content'] %}{% for part in message['content'] %}{{ part['text'] }}{% endfor %}{% endif %}"
    "{% for call in (message['tool_calls'] or []) if message['tool_calls'] is defined %}"
    "{{ '{\"name\": \"' + call.function.name + '\", \"parameters\": ' + (call.function.arguments | string) + '}' }}"
    "{% endfor %}"
    "{{ '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
    "{% if ns.search and messages[-1]['role'] not in ('tool', 'ipython') %}{{ '" + CALL_MARKER + "' }}"
    "{% else %}{{ '" + ANSWER_MARKER + "' }}{% endif %}{% endif %}"
)


def train_tokenizer(corpus: Path, special: list[str], pieces: list[str], vocab_size: int = 4096):
    """A byte-level BPE trained on CORPUS's text files, with Llama 3's special tokens (and `special`),
    and `pieces` as ordinary tokens of their own."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    files = [str(p) for p in sorted(corpus.rglob("*")) if p.is_file() and p.suffix in (".rst", ".md", ".txt")]
    tokenizer.train(files, trainer)
    if special:
        tokenizer.add_special_tokens(special)
    if pieces:
        tokenizer.add_tokens([AddedToken(piece, normalized=False) for piece in pieces])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<|begin_of_text|>",
        eos_token="<|eot_id|>",
        pad_token="<|end_of_text|>",
    )


def main(out: Path, corpus: Path) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    # Chain pieces are ordinary (decoded) tokens of their own, so each has exactly one successor.
    fast = train_tokenizer(corpus, [CALL_MARKER, ANSWER_MARKER], [*CALL_CHAIN, *ANSWER_CHAIN, OPENER])
    fast.chat_template = CHAT_TEMPLATE
    out.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(out)

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=256,
        intermediate_size=512,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=32768,  # room for the RAG context of five 1024-token chunks
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config)
    ids = {piece: fast.convert_tokens_to_ids(piece) for piece in [CALL_MARKER, ANSWER_MARKER, "<|eot_id|>"]}
    ids.update({piece: fast.convert_tokens_to_ids(piece) for piece in CALL_CHAIN + ANSWER_CHAIN})
    successors = {}
    for chain, marker in ((CALL_CHAIN, CALL_MARKER), (ANSWER_CHAIN, ANSWER_MARKER)):
        path = [marker, *chain, "<|eot_id|>"]
        successors.update({ids[a]: ids[b] for a, b in zip(path, path[1:], strict=False)})
    # Both open a JSON string; where the grammar forbids WORD (after a closing quote, in a key) the
    # preferences below decide.
    successors[fast.convert_tokens_to_ids(OPENER)] = ids[WORD]
    successors[fast.convert_tokens_to_ids('"')] = ids[WORD]
    # Where the grammar forbids WORD's chain successor '"}}', WORD's second choice closes the string alone.
    second_choices = {ids[WORD]: fast.convert_tokens_to_ids('"')}
    bonus = {fast.convert_tokens_to_ids(token): value for token, value in PREFERENCE.items()}
    for token_id in range(len(fast)):
        text = fast.decode([token_id])
        if text and not text.strip():
            bonus[token_id] = WHITESPACE_PENALTY

    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.mul_(1e-4)
            layer.mlp.down_proj.weight.mul_(1e-4)
        embed = model.model.embed_tokens.weight
        lm_head = model.lm_head.weight
        lm_head.zero_()
        embed[:, SHARED_DIM] = SHARED_VALUE
        normalized = embed / embed.pow(2).mean(dim=1, keepdim=True).sqrt()  # what the final RMSNorm yields
        for source, target in successors.items():
            direction = normalized[source].clone()
            direction[SHARED_DIM] = 0
            lm_head[target] += CHAIN_LOGIT * direction / direction.pow(2).sum()
            if source in second_choices:
                lm_head[second_choices[source]] += CHAIN_LOGIT / 2 * direction / direction.pow(2).sum()
        shared = normalized[:, SHARED_DIM].mean()
        for token_id, value in bonus.items():
            lm_head[token_id, SHARED_DIM] += value / shared
    model.save_pretrained(out, safe_serialization=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
