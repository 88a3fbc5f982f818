"""rag_tool: documents in (fetched and read strictly), chunks out."""
