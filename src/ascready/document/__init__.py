"""The self-assessment document and the information-return pack."""
