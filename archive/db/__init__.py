"""Persistence: typed models, the engine and its one commit point, the repository, and migrations."""
