"""A document as a BagIt (RFC 8493) bag in a zip."""
