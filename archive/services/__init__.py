"""Use cases as plain functions over a session and a blob store. They flush; the caller commits."""
