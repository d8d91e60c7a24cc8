"""Payments against the schedule: when each instalment falls due, what was paid, what is late, and
the late-payment interest owed to SMEs (保障中小企业款项支付条例 2025, arts. 9, 10, 17).

    from cctk.payments import schedule_state, interest
    for s in schedule_state(contract, as_of=date, settings=settings):
        s.due, s.outstanding, s.status, s.interest
"""

from cctk.payments.schedule import (  # noqa: F401
    DAILY_RATE, InstalmentState, as_of_date, interest, next_due, payment_settings, repository_states,
    schedule_state,
)
