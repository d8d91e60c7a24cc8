"""Performance inspections (履约检查): the yearly random sample — reproducible and verifiable by anyone —
inspection records (inspections/<year>.yaml) and the coverage report.

    from cctk.inspections import draw, seed_for_year, record, load_records, report
"""

from cctk.inspections.sample import ALGORITHM, Sample, draw, rank, rate_for_year, seed_for_year  # noqa: F401
from cctk.inspections.records import load_records, record, report, save_sample  # noqa: F401
