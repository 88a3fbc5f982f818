"""Providers loaded through Llama Stack's `module:` hook."""
