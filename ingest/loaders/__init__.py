"""Readers for each input format; each yields Articles or IngestErrors naming the file."""

from ingest.loaders.dispatch import (
    SUPPORTED_SUFFIXES,
    fetch_source,
    iter_sources,
    parse_source,
    read_source,
)

__all__ = ["SUPPORTED_SUFFIXES", "fetch_source", "iter_sources", "parse_source", "read_source"]
