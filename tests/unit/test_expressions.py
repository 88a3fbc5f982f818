import pytest

from llama_stack_milvus.milvus import expressions


@pytest.mark.parametrize(
    "value, expected",
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('" or chunk_id != "', '"\\" or chunk_id != \\""'),
        ("line\nbreak", '"line\\nbreak"'),
        (3, "3"),
        (2.5, "2.5"),
        (True, "true"),
    ],
)
def test_literal_escapes_everything_that_could_end_the_string(value, expected):
    assert expressions.literal(value) == expected


@pytest.mark.parametrize("value", [None, [1], {"a": 1}, float("nan"), float("inf")])
def test_literal_refuses_what_is_not_a_scalar(value):
    with pytest.raises(ValueError):
        expressions.literal(value)


def test_in_list():
    assert expressions.in_list("chunk_id", ["a", 'b"]']) == 'chunk_id in ["a", "b\\"]"]'
