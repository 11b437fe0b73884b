"""Formatters: reports in, text, Markdown, JSON or workbook bytes out."""
