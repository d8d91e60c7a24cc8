"""Payments: due dates, paid vs due, SME terms and late interest — hand-computed examples, real commands."""

import datetime as dt
import json
import subprocess
from decimal import Decimal as D
from pathlib import Path


from conftest import run
from cctk.model import Contract, Instalment, Party, Payment
from cctk.model.contract import Acceptance
from cctk.payments import interest, schedule_state

CODE = "LHHT-2019-000031"      # 1,951,800.00; instalment 1 = 30% on filing (2020-01-06) + 15 days


def make_sme(root):
    path = next(root.glob(f"contracts/*/{CODE}/contract.md"))
    path.write_text(path.read_text("utf-8").replace("sme: false", "sme: true", 1), "utf-8")
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "correct SME status"], check=True)


def test_interest_hand_computed():
    # 100,000 due 2019-12-02; 40,000 paid 2019-12-12 (10 days late); rest unpaid until 2020-01-15 (34 more days)
    # 100000 × 0.0005 × 10 = 500.00 ; 60000 × 0.0005 × 34 = 1020.00
    assert interest([(dt.date(2019, 12, 12), D("40000"))], dt.date(2019, 12, 2), dt.date(2020, 1, 15),
                    opening=D("100000")) == D("1520.00")
    # on the due date itself nothing accrues (民法典 art. 201: the first day is not counted)
    assert interest([], dt.date(2020, 1, 1), dt.date(2020, 1, 1), opening=D("5000")) == D("0.00")
    # half-up rounding once at the end: 333.33 × 0.0005 × 3 = 0.499995 → 0.50
    assert interest([], dt.date(2020, 3, 2), dt.date(2020, 3, 5), opening=D("333.33")) == D("0.50")
    # an agreed rate (art. 17) replaces 0.05%
    assert interest([], dt.date(2020, 3, 2), dt.date(2020, 3, 12), D("0.0002"), opening=D("10000")) == D("20.00")


def _contract(**kw):
    base = dict(code="T-1", title="t", category="goods", unit="U", amount=D("100000.00"), status="accepted",
                counterparty=Party("S", "91440300MA5XXXXXX0", sme=True))
    base.update(kw)
    return Contract(**base)


def test_sme_term_capped_and_holiday_shift():
    # 45 days agreed in the record but no express agreement: the SME term is 30 days (art. 9)
    c = _contract(payment_schedule=[Instalment("1", "acceptance", days=45, share=D("1"))],
                  acceptance=Acceptance(dt.date(2019, 9, 2), "pass"))
    s = schedule_state(c, as_of=dt.date(2019, 11, 1))[0]
    # 2019-09-02 + 30 = 2019-10-02, inside the National Day holiday → next working day 2019-10-08
    assert (s.days, s.due, s.status) == (30, dt.date(2019, 10, 8), "overdue")
    assert s.days_late == 24 and s.interest == D("1200.00")        # 100000 × 0.0005 × 24
    c.payment_schedule[0].agreed_days = True                           # agreed: 45 days allowed (≤ 60)
    s = schedule_state(c, as_of=dt.date(2019, 11, 1))[0]
    assert (s.days, s.due) == (45, dt.date(2019, 10, 17))


def test_deemed_acceptance_and_remainder():
    # no acceptance held: art. 10 starts the clock when the acceptance period (30 days after delivery) ends
    c = _contract(status="performing", dates={"delivered": dt.date(2019, 6, 3)},
                  payment_schedule=[Instalment("1", "signing", days=10, share=D("0.3333")),
                                    Instalment("2", "acceptance", days=10, share=D("0.6667"), final=True)],
                  payments=[Payment(dt.date(2019, 5, 1), D("33330.00"), "1")])
    c.dates["signed"] = dt.date(2019, 4, 25)
    s1, s2 = schedule_state(c, as_of=dt.date(2019, 8, 1))
    assert s1.status == "paid" and s2.deemed and s2.trigger_date == dt.date(2019, 7, 3)
    assert s2.value == D("66670.00") and s2.due == dt.date(2019, 7, 15)   # 07-13 is a Saturday
    # a non-SME gets no interest, but is still overdue
    c.counterparty.sme = False
    s2 = schedule_state(c, as_of=dt.date(2019, 8, 1))[1]
    assert s2.status == "pending" and s2.interest == 0


def test_payments_command_overdue_interest(repo):
    make_sme(repo)
    res = run(repo, "payments", "--overdue", "--as-of", "2020-03-01", "--format", "json")
    assert res.exit_code == 1, res.output
    rows = [r for r in json.loads(res.output)["instalments"] if r["contract"] == CODE]
    assert rows == [{**rows[0], "instalment": "1", "due": "2020-01-21", "value": "585540.00", "status": "overdue",
                     "days_late": 40, "interest": "11710.80"}]              # 585540 × 0.0005 × 40
    # pay 200,000 on 2020-02-10 (20 days late) through the real lifecycle verb
    res = run(repo, "pay", CODE, "--amount", "200000.00", "--on", "2020-02-10", "--instalment", "1", "--as", "liu.yang")
    assert res.exit_code == 0, res.output
    res = run(repo, "payments", "--unit", "LH029", "--as-of", "2020-03-01", "--format", "json")
    row = [r for r in json.loads(res.output)["instalments"] if r["contract"] == CODE and r["instalment"] == "1"][0]
    # 585540 × 0.0005 × 20 = 5855.40 ; 385540 × 0.0005 × 20 = 3855.40
    assert (row["paid"], row["outstanding"], row["interest"]) == ("200000.00", "385540.00", "9710.80")
    text = run(repo, "payments", "--overdue", "--as-of", "2020-03-01")
    assert "9,710.80" in text.output and "interest" in text.output


def test_pay_refusals_still_hold(repo):
    res = run(repo, "pay", CODE, "--amount", "1366260.00", "--on", "2020-01-20", "--instalment", "2", "--as", "liu.yang")
    assert res.exit_code == 1 and "acceptance" in res.output
    res = run(repo, "pay", CODE, "--amount", "9999999.00", "--on", "2020-01-20", "--as", "liu.yang")
    assert res.exit_code == 1 and "above the contract amount" in res.output


def test_export_payments_json_csv(repo, tmp_path):
    res = run(repo, "export", "payments", "--since", "2019-12-01", "-o", str(tmp_path / "out" / "pay"))
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "pay.json").read_text("utf-8"))
    assert doc["format"] == "cctk-payments/1" and doc["since"] == "2019-12-01"
    codes = {c["code"] for c in doc["contracts"]}
    assert CODE in codes and all(c["filing_number"] for c in doc["contracts"])
    inst = [c for c in doc["contracts"] if c["code"] == CODE][0]["instalments"][0]
    assert inst["payable"] is True and inst["value"] == "585540.00"
    csv_text = (tmp_path / "out" / "pay.csv").read_text("utf-8").splitlines()
    assert csv_text[0].startswith("contract,filing_number") and any(CODE in l for l in csv_text)
    # an unfiled contract is never exported
    assert "LHHT-2019-000022" not in codes


def test_cli_subprocess(repo):
    out = subprocess.run([str(Path(__file__).parent.parent / ".venv/bin/cctk"), "--lang", "zh", "payments"],
                         cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0 and "逾期利息" in out.stdout
