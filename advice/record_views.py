"""Being built (issue 6)."""
