"""The policy engine: the rule book as code and data (see docs/rules.md, generated from the rules).

    from cctk.rules import run, load_rules
    result = run(snapshot, base=all_diagnostics(snapshot))
"""

from cctk.rules.base import REGISTRY, Context, Doc, Finding, Quote, Rule, rule  # noqa: F401
from cctk.rules.engine import (  # noqa: F401
    Result, RuleSet, Suppressed, builtin_rules, changed_contracts, default_as_of, load_rules, run,
)
from cctk.rules import templates as _templates  # noqa: F401,E402  (registers CC601)
