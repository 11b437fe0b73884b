"""Files in and out: atomic writes and spreadsheet reading."""
