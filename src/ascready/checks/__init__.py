"""The checks: what ascready finds wrong in a repository, as findings.

- :mod:`~ascready.checks.base`: what a check is;
- :mod:`~ascready.checks.registry`: every check, by id, and :func:`run_checks`;
- :mod:`~ascready.checks.reading` and :mod:`~ascready.checks.pydantic_errors`: what reading
  and validating one file finds; :mod:`~ascready.checks.personal_data`: the personal-data scan;
- :mod:`~ascready.checks.document`: one file checked as validate checks it, and
  :mod:`~ascready.checks.load`: a whole repository read and checked file by file;
- :mod:`~ascready.checks.references` and :mod:`~ascready.checks.sources`: the checks across
  files.
"""
