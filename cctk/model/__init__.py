"""Plain data types; no I/O."""

from cctk.model.contract import (  # noqa: F401
    Acceptance, Amendment, Approval, Attachment, Contract, Evaluation, Filing, Instalment,
    Org, Party, Payment, Person, Supplier, Suppression, Unit,
    CATEGORIES, DATE_KEYS, END_STATUSES, KEY_SUPERVISION, LIVE_STATUSES, PROCUREMENT_METHODS,
    STATUSES, TRIGGERS,
)
from cctk.model.diagnostics import Diagnostic, Severity  # noqa: F401
