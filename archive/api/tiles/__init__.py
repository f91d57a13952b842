"""The log as C2SP tlog-tiles: hash tiles and entry bundles."""
