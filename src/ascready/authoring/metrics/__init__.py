"""Performance measures brought in from published tables."""
