"""archive: a source-document archival and provenance service."""

__version__ = "0.1.0"
