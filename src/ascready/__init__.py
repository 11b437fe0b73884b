"""ascready: CQC adult social care assessment evidence, kept as YAML in git."""

__version__ = "0.1.0"
