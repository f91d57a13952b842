"""The vocabulary every layer shares: the kinds of agents, the roles a credit gives and the kinds of update
notices, with what each maps to outside the archive. Plain values only: nothing here imports another part of
the archive, so extraction, the database, the services and the edges can all name the same things."""
