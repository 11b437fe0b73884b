"""Read-only answers about a repository: the validate pipeline, gaps, diff."""
