"""Capture by URL."""
