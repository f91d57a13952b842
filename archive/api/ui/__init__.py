"""The web interface: server-rendered pages for archivists, auditors and readers."""
