"""Ingest: turn files and records into Articles split into their own Paragraphs."""

from ingest.errors import IngestError
from ingest.models import Article, Paragraph

__all__ = ["Article", "IngestError", "Paragraph"]
