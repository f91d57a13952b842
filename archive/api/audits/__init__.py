"""Fixity audits: a sweep over every blob, run in the background, and its report."""
