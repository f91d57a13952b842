"""Wire models that more than the HTTP API renders: versions, diffs, receipts, audits and verifications as
JSON, built from service results and rows by their `.of()` constructors. The API serves them, the web
interface shows them and the CLI prints and exports them, so each is spelled once, here. Nothing here
imports the HTTP edge or the CLI, and nothing below imports this."""
