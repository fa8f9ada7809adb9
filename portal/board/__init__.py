"""The requirement board: requirements, votes, comments, status, merges, search."""
