"""Errors of a service behind our providers (Milvus, vLLM), answered with their own HTTP status.

Llama Stack 0.2.20 answers any exception it does not know with a bare 500; patches/error_status.py teaches its
server these, so a client reads which service failed and why.
"""


class UpstreamError(Exception):
    status_code = 502

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        if status_code is not None:
            self.status_code = status_code


class ServiceUnavailableError(UpstreamError):
    """The service does not answer (down, unreachable, refusing connections): 503."""

    status_code = 503


class UpstreamTimeoutError(UpstreamError):
    status_code = 504
