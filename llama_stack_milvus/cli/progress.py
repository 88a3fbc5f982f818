"""Progress of an ingest: a bar in a terminal, one plain line per document otherwise (CI logs, pipes)."""

import sys
from typing import TextIO

from tqdm import tqdm


class Progress:
    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.chunks = 0
        self.bar = tqdm(total=total, unit="doc", file=stream, dynamic_ncols=True) if stream.isatty() else None

    def document(self, document_id: str, outcome: str, chunks: int = 0) -> None:
        """outcome: stored, replaced, unchanged or failed: <why>."""
        self.done += 1
        self.chunks += chunks
        if self.bar is not None:
            self.bar.set_postfix_str(f"chunks {self.chunks}", refresh=False)
            self.bar.update(1)
            if outcome.startswith("failed"):
                self.bar.write(f"{document_id}: {outcome}", file=self.stream)
            return
        detail = f" ({chunks} chunk{'s' if chunks != 1 else ''})" if chunks else ""
        print(f"[{self.done}/{self.total}] {document_id}: {outcome}{detail}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
