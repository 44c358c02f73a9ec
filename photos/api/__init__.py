"""The upstream-compatible ID-photo API."""
