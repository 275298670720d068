"""The assistant: retrieval, grounded answers with citations, settings and the CLI."""
