"""Commands that write into a repository: init, new, import, import-metrics."""
