"""The contracts index: one flat row per contract, filtered and sorted in memory.

Pure data, no Textual: the table widget renders only the rows it shows from ``View.order``.
At 100,000 rows a substring filter is one pass of ``in`` over precomputed lower-cased
keys (tens of ms); typing more characters narrows the previous result instead of
rescanning; sort orders are computed once per column and then filtered by a mask.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress, repeat
from operator import contains

from cctk.model import Contract, Diagnostic

COLUMNS = ("code", "title", "unit", "supplier", "amount", "stage", "deadline", "findings")
FACETS = ("unit", "stage", "year", "category", "key", "findings")


@dataclass(slots=True)
class Row:
    code: str
    title: str
    unit: str
    unit_name: str
    supplier: str           # credit code
    supplier_name: str
    amount: Decimal
    stage: str
    year: int | None
    category: str
    key: tuple[str, ...]
    deadline: dt.date | None  # next payment due (cctk.payments.next_due)
    overdue: bool             # an instalment is overdue (cctk.payments)
    findings: int
    errors: int
    search: str             # lower-cased code + title + supplier name + credit code + unit
    filed: dt.date | None = None   # filing.on (the dashboard's filings of the month)


def build_rows(contracts: list[Contract], diagnostics: list[Diagnostic], unit_names: dict[str, str],
               supplier_names: dict[str, str] | None = None, *, states: dict[str, list] | None = None) -> list[Row]:
    """One row per contract. ``states``: contract code -> its instalments' states from
    cctk.payments (the deadline is ``payments.next_due``; overdue when one is overdue)."""
    from cctk.payments import next_due

    counts: dict[str, list[int]] = {}
    for d in diagnostics:
        key = d.contract or d.path
        n = counts.setdefault(key, [0, 0])
        n[0] += 1
        if int(d.severity) >= 3:
            n[1] += 1
    states = states or {}
    rows = []
    for c in contracts:
        n = counts.get(c.code) or counts.get(c.path) or (0, 0)
        sname = c.counterparty.name or (supplier_names or {}).get(c.supplier, "")
        uname = unit_names.get(c.unit, c.unit)
        mine = states.get(c.code, ())
        rows.append(Row(
            code=c.code, title=c.title, unit=c.unit, unit_name=uname, supplier=c.supplier, supplier_name=sname,
            amount=c.amount, stage=c.status, year=c.year, category=c.category, key=tuple(c.key_supervision),
            deadline=next_due(mine) if mine else None, overdue=any(s.status == "overdue" for s in mine),
            findings=n[0], errors=n[1],
            search=f"{c.code}\t{c.title}\t{sname}\t{c.supplier}\t{c.unit}\t{uname}".lower(),
            filed=c.filing.on if c.filing is not None else None,
        ))
    return rows


def _sort_key(col: str):
    if col == "deadline":
        return lambda r: (r.deadline is None, r.deadline or dt.date.min)
    if col == "unit":
        return lambda r: r.unit
    if col == "supplier":
        return lambda r: r.supplier_name
    return lambda r: getattr(r, col)


@dataclass
class Query:
    text: str = ""
    facets: dict[str, object] = field(default_factory=dict)   # facet -> wanted value
    sort: str = "code"
    reverse: bool = False


def facet_match(row: Row, facet: str, value) -> bool:
    if facet == "key":
        return value in row.key if value != "*" else bool(row.key)
    if facet == "findings":
        return (row.findings > 0) == bool(value)
    if facet == "codes":
        return row.code in value
    return getattr(row, facet) == value


class Index:
    """Rows plus the current view (indices into rows) for a query."""

    def __init__(self, rows: list[Row], fill_search=None):
        """``fill_search``: the rows were built without their search keys (the first screen paints
        sooner): a function that fills ``Row.search`` and returns the keys, called on first use."""
        import threading
        self.rows = rows
        self._fill = fill_search
        self._keys: list[str] | None = None if fill_search else [r.search for r in rows]   # flat: no attribute lookups
        self._fill_lock = threading.Lock()
        from operator import attrgetter
        codes = list(map(attrgetter("code"), rows))          # a C-level key: half the time of a lambda
        self._codes = codes                                  # position(): list.index, not a Python loop
        self._orders: dict[str, list[int]] = {"code": sorted(range(len(rows)), key=codes.__getitem__)}
        self._last: tuple[Query, list[int]] | None = None   # last text-filtered set, for narrowing
        self.query = Query()
        self.order: list[int] = list(self._orders["code"])
        self.version = 0            # bumped when row values change in place (``changed``)

    def __len__(self):
        return len(self.order)

    @property
    def _search(self) -> list[str]:
        keys = self._keys
        return keys if keys is not None else self.search_keys()

    def search_keys(self) -> list[str]:
        """The lower-cased search keys, filling the rows' first if they were built without them (the
        loading worker calls this after the first paint; a keystroke before that waits for it)."""
        with self._fill_lock:
            if self._keys is None:
                self._keys = self._fill()
                self._fill = None
            return self._keys

    def changed(self) -> None:
        """Row values changed (findings and due dates arrive after the first screen): drop the
        sort orders and the narrowing memo, and re-apply the current query."""
        self.version += 1
        self._orders = {"code": self._orders["code"]}
        for attr in [a for a in vars(self) if a.startswith("_rank_")]:
            delattr(self, attr)
        self._last = None
        self.apply(self.query)

    def sort_order(self, col: str) -> list[int]:
        if col not in self._orders:
            key = _sort_key(col)
            rows = self.rows
            self._orders[col] = sorted(range(len(rows)), key=lambda i: key(rows[i]))
        return self._orders[col]

    def _matching(self, query: Query) -> list[int] | bytes | None:
        """Indices matching text and facets, None for 'all rows', or — one term over all rows, no facet,
        an eighth of the rows or more — the scan's byte mask (``apply`` builds the view from it, and the
        narrowing memo from the view: no list of indices and its int objects)."""
        text = query.text.strip().lower()
        facets = {k: v for k, v in query.facets.items() if v is not None}
        if not text and not facets:
            return None
        base: range | list[int] = range(len(self.rows))
        last = self._last
        # Typing one more character only narrows: scan the previous result, not all rows.
        if last and text and last[0].facets == facets and text.startswith(last[0].text) and last[0].text:
            base = last[1]
        rows = self.rows
        terms = text.split()
        if terms:
            search = self._search
            if len(terms) == 1:
                t0 = terms[0]
                if isinstance(base, range):      # the whole index: one pass over the flat list of keys, in C
                    mask = bytes(map(contains, search, repeat(t0)))
                    if not facets and mask.count(1) >= len(search) // 8:
                        self._last = (Query(text=text, facets=facets), None)     # filled by apply
                        return mask
                    base = list(compress(range(len(search)), mask))
                else:
                    base = [i for i in base if t0 in search[i]]
            else:
                base = [i for i in base if all(t in search[i] for t in terms)]
        for facet, value in facets.items():
            base = [i for i in base if facet_match(rows[i], facet, value)]
        base = list(base)
        self._last = (Query(text=text, facets=facets), base)
        return base

    def apply(self, query: Query) -> list[int]:
        self.query = query
        matched = self._matching(query)
        order = self.sort_order(query.sort)
        if matched is None:
            view = list(order)
        elif isinstance(matched, bytes):         # the scan's mask
            view = list(order) if matched.count(1) == len(order) else [i for i in order if matched[i]]
            self._last = (self._last[0], view)
        elif len(matched) < len(self.rows) // 8:
            rank = self._rank(query.sort)
            view = sorted(matched, key=rank.__getitem__)
        else:
            mask = bytearray(len(self.rows))
            for i in matched:
                mask[i] = 1
            view = [i for i in order if mask[i]]
        if query.reverse:
            view.reverse()
        self.order = view
        return view

    def _rank(self, col: str) -> list[int]:
        attr = "_rank_" + col
        rank = getattr(self, attr, None)
        if rank is None:
            from collections import deque
            order = self.sort_order(col)
            rank = [0] * len(order)
            deque(map(rank.__setitem__, order, range(len(order))), maxlen=0)   # rank[order[p]] = p, in C
            setattr(self, attr, rank)
        return rank

    def prepare(self) -> None:
        """What the first keystroke would otherwise build: the search keys and the current sort's rank
        (the loading worker calls this once the rows are painted)."""
        self.search_keys()
        self._rank(self.query.sort)

    def row(self, pos: int) -> Row:
        return self.rows[self.order[pos]]

    def facet_values(self, facet: str) -> list:
        # map over the rows with one attrgetter (no per-row Python frame): ≈ 10 ms at 100,000 rows
        from operator import attrgetter
        if facet == "key":
            return sorted(set().union(*set(map(attrgetter("key"), self.rows))))
        if facet == "findings":
            return [True, False]
        values = set(map(attrgetter(facet), self.rows))
        values.discard(None)
        return sorted(values)

    def position(self, code: str) -> int | None:
        """The position of ``code`` in the view (the first, should a code be duplicated)."""
        codes = self._codes
        try:
            i = codes.index(code)                      # list.index: C-level scans, not a Python loop
            if codes.count(code) == 1:
                return self.order.index(i)
        except ValueError:
            return None
        for pos, i in enumerate(self.order):         # a duplicated code: the first shown
            if self.rows[i].code == code:
                return pos
        return None
