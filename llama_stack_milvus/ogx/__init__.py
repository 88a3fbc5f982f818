"""Our Milvus provider for OGX (the renamed Llama Stack, 1.5): the same core as the 0.2.20 shell,
behind OGX's vector_io provider API. An OGX run config names it with a `module:` entry:

    vector_io:
    - provider_id: milvus
      provider_type: inline::milvus      # or remote::milvus
      module: llama_stack_milvus.ogx
      config: {db_path: ..., persistence: {backend: kv_default, namespace: vector_io::milvus}}

It takes the place of OGX's built-in Milvus provider of the same type (OGX reads the spec from
this package's `provider` module). Nothing here is imported by the 0.2.20 distribution.
"""
