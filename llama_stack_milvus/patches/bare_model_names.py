"""Upstream bug (llama-stack 0.2.20, core/routing_tables/common.py, lookup_model): a model that a
run config registers with model_id == provider_model_id (ours: all-MiniLM-L6-v2) is stored under
the scoped identifier `sentence-transformers/all-MiniLM-L6-v2`, while the tutorial, and the vector
DBs it registers, name it `all-MiniLM-L6-v2`. Every lookup by that name misses, logs a WARNING and
scans every registered object; an embedding call looks the model up twice, so each query and each
insert paid for two warnings and two scans.

Fix: a name that is no identifier resolves through a map from provider model ids to identifiers,
kept per routing table and built once; it is dropped when a model is registered or removed. Only a
name that one model answers to resolves this way; any other miss is upstream's (its warning, its
scan, its "not found" or "multiple providers" error). Access rules still apply: the model found is
read through get_object_by_identifier.

Upstream since: gone by OGX 1.5.0 (the renamed Llama Stack): lookup_model looks up the identifier
only, with no scan; not checked in between.
"""

import functools

from ._guard import once

# The routing table's attribute holding {provider_model_id: identifier} (None: build it again).
ALIASES = "_llama_stack_milvus_bare_model_names"


async def _aliases(routing_table) -> dict[str, str]:
    aliases = getattr(routing_table, ALIASES, None)
    if aliases is None:
        owners: dict[str, list[str]] = {}
        for model in await routing_table.get_all_with_type("model"):
            owners.setdefault(model.provider_resource_id, []).append(model.identifier)
        aliases = {name: ids[0] for name, ids in owners.items() if len(ids) == 1}
        setattr(routing_table, ALIASES, aliases)
    return aliases


def _forget_aliases(method):
    @functools.wraps(method)
    async def wrapper(self, obj, *args, **kwargs):
        if getattr(obj, "type", None) == "model":
            setattr(self, ALIASES, None)
        return await method(self, obj, *args, **kwargs)

    return wrapper


@once
def apply() -> None:
    from llama_stack.core.routing_tables import common, models, vector_dbs

    original = common.lookup_model

    @functools.wraps(original)
    async def lookup_model(routing_table, model_id: str):
        model = await routing_table.get_object_by_identifier("model", model_id)
        if model is not None:
            return model
        identifier = (await _aliases(routing_table)).get(model_id)
        if identifier is not None:
            model = await routing_table.get_object_by_identifier("model", identifier)
            if model is not None:
                return model
            setattr(routing_table, ALIASES, None)  # removed meanwhile (another replica)
        return await original(routing_table, model_id)

    for module in (common, models, vector_dbs):  # both routing tables imported the function by name
        module.lookup_model = lookup_model
    table = common.CommonRoutingTableImpl
    table.register_object = _forget_aliases(table.register_object)
    table.unregister_object = _forget_aliases(table.unregister_object)
