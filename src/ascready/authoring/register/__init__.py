"""The evidence register workbook: its layout, export and import."""
