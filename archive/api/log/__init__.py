"""The verifiable log: signed checkpoints, entries, RFC 9162 proofs, and receipts of versions."""
