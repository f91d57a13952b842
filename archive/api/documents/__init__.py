"""Documents and their versions: archive, list and search, describe, fetch, compare."""
