"""Vector store: embed paragraphs, upsert them into Chroma by id, search them back as Hits."""
