"""The evaluation date as a value that records what a rule asked of it.

Per-contract findings depend on the evaluation date only through comparisons like "today is past
the filing deadline". Running a contract's rules with an ``AsOf`` in place of the date yields, with
the findings, the range of dates on which every one of those comparisons — and so the findings —
come out the same. The findings cache keeps that range, so a new day re-checks only the contracts
whose outcome can have changed (a deadline passed in between, or a message that counts days),
not all 100,000. Anything but an order comparison (arithmetic, formatting, the year...) pins the
range to the one day, which is always correct, merely not reusable.

No library does this (it is a small, exact instance of recording the branch conditions a result
depends on), hence the hand-written class.
"""

from __future__ import annotations

import datetime as dt

_DAY = dt.timedelta(days=1)


class Window:
    """The dates on which the recorded comparisons all give the answers they gave."""

    __slots__ = ("lo", "hi")

    def __init__(self):
        self.lo, self.hi = dt.date.min, dt.date.max

    def at_least(self, day: dt.date):
        if day > self.lo:
            self.lo = day

    def at_most(self, day: dt.date):
        if day < self.hi:
            self.hi = day


def _plus(day: dt.date, n: int) -> dt.date:
    try:
        return day + n * _DAY
    except OverflowError:
        return dt.date.max if n > 0 else dt.date.min


class AsOf(dt.date):
    """A ``datetime.date`` that narrows ``window`` on every use."""

    def __new__(cls, day: dt.date, window: Window):
        obj = super().__new__(cls, day.year, day.month, day.day)
        obj.window = window
        return obj

    def plain(self) -> dt.date:
        return dt.date(dt.date.year.__get__(self), dt.date.month.__get__(self), dt.date.day.__get__(self))

    def _exact(self) -> dt.date:
        day = self.plain()
        self.window.at_least(day)
        self.window.at_most(day)
        return day

    # -- order comparisons: narrow the window to the side the answer came from ---------------------
    def __gt__(self, other):
        if type(other) is not dt.date:
            return self._exact() > other
        if self.plain() > other:
            self.window.at_least(_plus(other, 1))
            return True
        self.window.at_most(other)
        return False

    def __ge__(self, other):
        if type(other) is not dt.date:
            return self._exact() >= other
        if self.plain() >= other:
            self.window.at_least(other)
            return True
        self.window.at_most(_plus(other, -1))
        return False

    def __lt__(self, other):
        if type(other) is not dt.date:
            return self._exact() < other
        if self.plain() < other:
            self.window.at_most(_plus(other, -1))
            return True
        self.window.at_least(other)
        return False

    def __le__(self, other):
        if type(other) is not dt.date:
            return self._exact() <= other
        if self.plain() <= other:
            self.window.at_most(other)
            return True
        self.window.at_least(_plus(other, 1))
        return False

    def __eq__(self, other):
        return self._exact() == other

    def __ne__(self, other):
        return self._exact() != other

    def __hash__(self):
        return hash(self._exact())

    # -- everything else depends on the exact day ---------------------------------------------------
    def __sub__(self, other):
        return self._exact() - (other.plain() if isinstance(other, AsOf) else other)

    def __rsub__(self, other):
        return other - self._exact()

    def __add__(self, other):
        return self._exact() + other

    __radd__ = __add__

    def __str__(self):
        return str(self._exact())

    def __repr__(self):
        return f"AsOf({self.plain().isoformat()})"

    def __format__(self, spec):
        return format(self._exact(), spec)

    def __reduce__(self):
        return (dt.date, (self.year, self.month, self.day))

    def isoformat(self):
        return self._exact().isoformat()

    def strftime(self, fmt):
        return self._exact().strftime(fmt)

    def toordinal(self):
        return self._exact().toordinal()

    def weekday(self):
        return self._exact().weekday()

    def isoweekday(self):
        return self._exact().isoweekday()

    def isocalendar(self):
        return self._exact().isocalendar()

    def timetuple(self):
        return self._exact().timetuple()

    def replace(self, *args, **kwargs):
        return self._exact().replace(*args, **kwargs)

    @property
    def year(self):
        return self._exact().year

    @property
    def month(self):
        return self._exact().month

    @property
    def day(self):
        return self._exact().day
