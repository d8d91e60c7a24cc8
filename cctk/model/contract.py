"""The contract record and the records each lifecycle stage adds. Plain data, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

CATEGORIES = ("goods", "services", "works", "lease-out", "other")
PROCUREMENT_METHODS = (
    "open-tender", "invited-tender", "competitive-negotiation", "competitive-consultation",
    "single-source", "inquiry", "framework", "direct",
)
KEY_SUPERVISION = ("state-assets", "urban-renewal", "major-amount", "other")
# Lifecycle states. "performing" is entered by filing (or by signing when filing is not required).
STATUSES = (
    "drafting", "review", "approved", "signed", "performing",
    "accepted", "evaluated", "archived", "rejected", "terminated",
)
LIVE_STATUSES = ("signed", "performing")          # being performed: in filing scope if big enough
END_STATUSES = ("archived", "rejected", "terminated")
TRIGGERS = ("signing", "delivery", "acceptance", "filing", "date")
DATE_KEYS = ("drafted", "submitted", "award", "signed", "published", "start", "end", "delivered")


@dataclass(slots=True)
class Party:
    name: str
    credit_code: str
    sme: bool | None = None          # SME status fixed at signing (保障中小企业款项支付条例 art. 3)
    contact: str | None = None


@dataclass(slots=True)
class Instalment:
    id: str
    trigger: str                     # one of TRIGGERS
    days: int = 0                    # term after the trigger
    share: Decimal | None = None     # fraction of the amount, e.g. 0.30
    amount: Decimal | None = None    # or a fixed amount
    advance: bool = False            # paid before delivery/acceptance (预付款)
    on: dt.date | None = None        # for trigger "date"
    final: bool = False              # the final (balance) payment
    agreed_days: bool = False        # a longer SME term expressly agreed (≤ 60 days)

    def value(self, total: Decimal) -> Decimal:
        if self.amount is not None:
            return self.amount
        return (total * (self.share or Decimal(0))).quantize(Decimal("0.01"))


@dataclass(slots=True)
class Approval:
    step: str                        # e.g. "unit-review", "legality-review", "unit-head"
    by: str                          # person id from policy/org.yaml
    on: dt.date
    result: str = "approved"         # approved | rejected
    opinion: str = ""
    role: str | None = None


@dataclass(slots=True)
class Filing:
    number: str | None = None        # filing number (备案号)
    on: dt.date | None = None
    by: str | None = None
    required: bool = True
    late: bool = False
    sha256: str | None = None        # canonical content hash at filing
    pdf_sha256: str | None = None


@dataclass(slots=True)
class Acceptance:
    on: dt.date
    result: str                      # pass | fail
    members: list[str] = field(default_factory=list)
    report: str | None = None


@dataclass(slots=True)
class Payment:
    on: dt.date
    amount: Decimal
    instalment: str | None = None
    by: str | None = None
    note: str = ""


@dataclass(slots=True)
class Evaluation:
    on: dt.date
    score: Decimal
    by: str | None = None
    scores: dict[str, Decimal] = field(default_factory=dict)


@dataclass(slots=True)
class Amendment:
    id: str
    title: str
    amount_change: Decimal = Decimal(0)
    signed: dt.date | None = None
    path: str | None = None
    status: str = "drafting"


@dataclass(slots=True)
class Attachment:
    path: str
    kind: str = "other"              # signed-scan | acceptance-report | amendment | other
    sha256: str | None = None


@dataclass(slots=True)
class Suppression:
    """A finding the record says to ignore, with the reason (shown in every report).

    ``scope``: "contract" (every finding of ``code`` in the contract), "field" (findings on
    ``field`` or inside it, or without a field on ``line``) or "line" (findings on ``line``: a
    comment trailing a line of the contract text). ``line`` is where a suppression comment is
    written (None for an ``ignore:`` entry of the record).
    """
    code: str
    reason: str
    line: int | None = None
    field: str | None = None
    scope: str = "contract"


@dataclass(slots=True)
class Contract:
    code: str
    title: str
    category: str
    unit: str
    counterparty: Party
    amount: Decimal
    status: str
    procurement_method: str | None = None
    key_supervision: list[str] = field(default_factory=list)
    template: str | None = None
    currency: str = "CNY"
    performance_bond: Decimal | None = None
    payment_schedule: list[Instalment] = field(default_factory=list)
    dates: dict[str, dt.date] = field(default_factory=dict)
    approvals: list[Approval] = field(default_factory=list)
    filing: Filing | None = None
    acceptance: Acceptance | None = None
    payments: list[Payment] = field(default_factory=list)
    evaluation: Evaluation | None = None
    amendments: list[Amendment] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    ignore: list[Suppression] = field(default_factory=list)
    secret: bool = False
    clerk: str | None = None
    body: str = ""
    path: str = ""                   # repository-relative path of contract.md
    body_line: int = 1               # line of the body's first line in the file
    oid: str | None = None           # git blob id of contract.md

    @property
    def year(self) -> int | None:
        day = self.dates.get("signed") or self.dates.get("drafted")
        return day.year if day else None

    @property
    def supplier(self) -> str:
        return self.counterparty.credit_code

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def amended_total(self) -> Decimal:
        return sum((a.amount_change for a in self.amendments if a.status != "rejected"), Decimal(0))

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def approvers(self) -> list[str]:
        return [a.by for a in self.approvals]

    @property
    def attachment_paths(self) -> list[str]:
        return [a.path for a in self.attachments]


@dataclass(slots=True)
class Supplier:
    credit_code: str
    name: str
    sme: bool | None = None
    region: str | None = None
    listings: list[dict] = field(default_factory=list)   # shaped by the suppliers issue
    path: str = ""


@dataclass(slots=True)
class Person:
    id: str
    name: str
    email: str
    roles: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)        # SSH/GPG public keys for signed commits


@dataclass(slots=True)
class Unit:
    code: str
    name: str
    name_en: str | None = None
    parent: str | None = None


@dataclass(slots=True)
class Org:
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    roles: dict[str, dict] = field(default_factory=dict)

    def person_by_email(self, email: str) -> Person | None:
        for person in self.people.values():
            if person.email.lower() == email.lower():
                return person
        return None
