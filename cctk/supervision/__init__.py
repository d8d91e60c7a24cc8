"""Supervision: alerts (系统提示), problem reports (问题反馈), the yearly supervision report, and the
policy defaults of the supervision files (policy/evaluation.yaml, suppliers.yaml, inspections.yaml).
Kept import-light: submodules are imported where used."""
