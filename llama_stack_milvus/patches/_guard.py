"""What every patch does first: check the installed Llama Stack, and apply once."""

import functools


def once(apply):
    """The patch's apply(): version-checked, and a no-op after the first call."""

    @functools.wraps(apply)
    def guarded() -> None:
        if guarded.applied:
            return
        from . import check_llama_stack_version

        check_llama_stack_version()
        apply()
        guarded.applied = True

    guarded.applied = False
    return guarded
