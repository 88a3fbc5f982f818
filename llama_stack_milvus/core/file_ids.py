"""A document's id as the file id of our providers' view of a vector DB's documents (the vector
store files API): `doc_` and the document id in URL-safe base64, because document ids are paths
and URLs and a `/` cannot travel in the path /v1/vector_stores/{id}/files/{file_id}."""

import base64
import binascii

FILE_ID_PREFIX = "doc_"


def file_id(document_id: str) -> str:
    return FILE_ID_PREFIX + base64.urlsafe_b64encode(document_id.encode("utf-8")).decode("ascii").rstrip("=")


def document_id_of(file_id_: str) -> str | None:
    """The document a file id names; None for an id that is not one of ours."""
    encoded = file_id_.removeprefix(FILE_ID_PREFIX)
    if not file_id_.startswith(FILE_ID_PREFIX) or not encoded:
        return None
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
