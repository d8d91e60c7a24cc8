"""The performance-evaluation rubric (policy/evaluation.yaml): weighted criteria and caps after failures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from cctk.supervision.policy import policy_section


def rubric(policy: dict) -> dict:
    return policy_section(policy, "evaluation")


def compute_score(scores: dict, policy: dict, *, failures: tuple[str, ...] = ()) -> tuple[Decimal, list[str]]:
    """Weighted score from criterion scores (each 0–100); returns (score, notes). Raises ValueError on a
    missing or unknown criterion, or weights that do not add up to 100."""
    rb = rubric(policy)
    criteria = rb.get("criteria") or []
    weights = {str(c["id"]): Decimal(str(c["weight"])) for c in criteria}
    if sum(weights.values(), Decimal(0)) != 100:
        raise ValueError("evaluation.yaml: weights must add up to 100 / 权重合计须为100")
    unknown = sorted(set(scores) - set(weights))
    missing = sorted(set(weights) - set(scores))
    if unknown or missing:
        raise ValueError(f"criteria expected {', '.join(weights)}; missing {', '.join(missing) or '-'}, "
                         f"unknown {', '.join(unknown) or '-'} / 评价项缺失或未知")
    total = Decimal(0)
    for key, weight in weights.items():
        value = Decimal(str(scores[key]))
        if not 0 <= value <= 100:
            raise ValueError(f"{key}: {value} is not within 0–100 / 分值须在0–100之间")
        total += value * weight / 100
    score = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    notes = []
    for failure in failures:
        cap = (rb.get("caps") or {}).get(failure)
        if cap is not None and score > Decimal(str(cap)):
            notes.append(f"{failure}: capped {score} → {cap} / 因{failure}封顶")
            score = Decimal(str(cap)).quantize(Decimal("0.01"))
    return score, notes


def failures_for(contract, inspections=()) -> tuple[str, ...]:
    """The rubric's cap keys that apply to ``contract``: a failed acceptance on the record, a failed
    inspection among ``inspections`` (records as cctk.inspections.load_records returns them)."""
    out = []
    if contract.acceptance is not None and contract.acceptance.result == "fail":
        out.append("acceptance-failed")
    if any(r.get("contract") == contract.code and r.get("result") == "fail" for r in inspections):
        out.append("inspection-failed")
    return tuple(out)


def parse_criteria(items) -> dict[str, Decimal]:
    """``["quality=90", "timeliness=80,service=70"]`` -> {criterion: Decimal}; ValueError on a malformed item,
    a repeated criterion or a value that is not a score (0–100, at most two decimals)."""
    out: dict[str, Decimal] = {}
    for item in items or ():
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not key or not value:
                raise ValueError(f"'{part}': expected criterion=score / 应为 评价项=分值")
            if key in out:
                raise ValueError(f"{key}: given twice / 重复给出")
            try:
                number = Decimal(value)
            except ArithmeticError:
                raise ValueError(f"{key}: '{value}' is not a number / 不是数字") from None
            if not number.is_finite() or not 0 <= number <= 100 or number != number.quantize(Decimal("0.01")):
                raise ValueError(f"{key}: '{value}' is not a score from 0 to 100 / 分值须在0–100之间")
            out[key] = number
    return out
