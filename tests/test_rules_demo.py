"""The demo district's planted problems are all found by `cctk check`, and nothing else at error level."""

import json

import yaml
from click.testing import CliRunner

from cctk.cli.main import cli
from conftest import run

EXPECTED_CODE = {
    "late-filing": "CC201", "missing-legal-review": "CC101", "amendment-over-10pct": "CC302",
    "payment-beyond-amount": "CC303", "blacklisted-supplier": "CC105",
}


def test_demo_planted_problems_are_exactly_the_errors(tmp_path):
    root = tmp_path / "demo"
    res = CliRunner().invoke(cli, ["demo", str(root), "--pdfs", "none", "--no-tui"])
    assert res.exit_code == 0, res.output
    planted = yaml.safe_load((root / ".cctk/planted.yaml").read_text("utf-8"))["problems"]
    assert {p["problem"] for p in planted} == set(EXPECTED_CODE)
    result = run(root, "check", "--format", "json")
    assert result.exit_code == 1
    errors = {(d["contract"], d["code"]) for d in json.loads(result.stdout) if d["severity"] == "error"}
    assert errors == {(p["contract"], EXPECTED_CODE[p["problem"]]) for p in planted}
