"""Rule settings: the package defaults (cctk/data/rules/defaults.yaml) overridden by the
repository's policy/thresholds.yaml and then policy/rules.yaml."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import lru_cache
from importlib import resources

import yaml

# Keys of policy/rules.yaml that are not settings.
NON_SETTINGS = ("custom",)


@lru_cache(maxsize=1)
def defaults() -> dict:
    text = resources.files("cctk").joinpath("data/rules/defaults.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _merge(base: dict, over: dict) -> dict:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def settings(policy: dict) -> dict:
    out = copy.deepcopy(defaults())
    for stem in ("thresholds", "rules"):
        layer = policy.get(stem)
        if isinstance(layer, dict):
            _merge(out, {k: v for k, v in layer.items() if k not in NON_SETTINGS})
    return out


def fingerprint(*parts) -> str:
    """A short stable hash of JSON-able parts (settings, rule sources, dates)."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha1(blob).hexdigest()[:16]
