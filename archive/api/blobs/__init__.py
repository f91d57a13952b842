"""Blobs by digest: fetch, verify, and re-check fixity."""
