"""Supplier red and black lists (供应商红黑名单): listing records, derivation from policy/suppliers.yaml,
manual listings by an authorised person, appeals, and the supplier's record (contracts, payments, scores).

    from cctk.suppliers import derive, effective_listings, in_force, supplier_record
"""

from cctk.suppliers.listings import (  # noqa: F401
    Listing, add_listing, appeal, apply_derived, derive, effective_listings, in_force, listed, policy_for,
    supplier_record,
)
from cctk.suppliers.rubric import compute_score, failures_for, parse_criteria, rubric  # noqa: F401
