import pytest

from llama_stack_milvus.core.milvus import expressions


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


def test_a_tenant_view_confines_every_expression_to_its_vector_db():
    from llama_stack_milvus.core.milvus.collection import ChunkCollection
    from llama_stack_milvus.core.milvus.settings import IndexSettings

    shared = ChunkCollection(None, "lsm_vector_dbs_2d", 2, IndexSettings(), False, shared=True)
    view = shared.for_tenant('a" or vector_db != "b')
    assert view._scoped("") == 'vector_db == "a\\" or vector_db != \\"b"'
    assert view._scoped('metadata["x"] == 1 or 1 == 1') == (
        'vector_db == "a\\" or vector_db != \\"b" and (metadata["x"] == 1 or 1 == 1)'
    )
    assert shared._scoped("x == 1") == "x == 1"  # the whole collection: only for maintenance
    other = shared.for_tenant("b")
    assert view._own_id(view._id_prefix + "chunk-1") == "chunk-1" and view._id_prefix != other._id_prefix
    with pytest.raises(ValueError, match="holds one vector DB"):
        ChunkCollection(None, "lsm_one", 2, IndexSettings(), False).for_tenant("a")
