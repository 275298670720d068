"""Readers for each input format; each yields Articles or IngestErrors naming the file."""

from ingest.loaders.dispatch import SUPPORTED_SUFFIXES, iter_sources, read_source

__all__ = ["SUPPORTED_SUFFIXES", "iter_sources", "read_source"]
