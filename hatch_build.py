"""Ships llama_stack_milvus_patches.pth in editable installs too (wheels get it by force-include)."""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class PatchesHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if version == "editable":
            build_data["force_include_editable"]["llama_stack_milvus_patches.pth"] = "llama_stack_milvus_patches.pth"
