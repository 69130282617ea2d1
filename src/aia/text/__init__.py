"""Text utilities shared by importers, search and analysis."""
