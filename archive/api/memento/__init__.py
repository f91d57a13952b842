"""Memento (RFC 7089): TimeMaps, TimeGates, and the headers of the mementos a document's versions are."""
