"""The bad-input corpus: each case gives a located diagnostic, never a crash, and writes nothing."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cctk.cli.main import cli
from conftest import run_git

CONTRACT = "contracts/2019/LHHT-2019-000001/contract.md"


def sample_text(repo: Path) -> str:
    return (repo / CONTRACT).read_text("utf-8")


def replace(old, new):
    def mutate(repo):
        text = sample_text(repo)
        assert old in text
        return text.replace(old, new, 1).encode("utf-8")
    return mutate


CASES = {
    # name: (mutation -> bytes, expected code, expected line or None, severity)
    "malformed-yaml": (replace('title: "罗湖区', 'title: ["罗湖区'), "CC005", None, "error"),
    "wrong-type": (replace("sme: true", "sme: [1]"), "CC010", 14, "error"),
    "duplicate-key": (replace("currency: CNY", "currency: CNY\namount: \"1.00\""), "CC006", 17, "error"),
    "unknown-field": (replace("currency: CNY", "curency: CNY"), "CC011", 16, "warning"),
    "float-amount": (replace('amount: "86500.00"', "amount: 86500.5"), "CC012", 15, "error"),
    "negative-amount": (replace('amount: "86500.00"', 'amount: "-86500.00"'), "CC012", 15, "error"),
    "nan-amount": (replace('amount: "86500.00"', "amount: .nan"), "CC012", 15, "error"),
    "impossible-date": (replace('signed: "2019-03-12"', 'signed: "2018-02-30"'), "CC013", 33, "error"),
    "non-utf8": (lambda repo: sample_text(repo).encode("gb18030"), "CC001", None, "error"),
    "bom": (lambda repo: b"\xef\xbb\xbf" + sample_text(repo).encode("utf-8"), "CC002", 1, "warning"),
    "crlf": (lambda repo: sample_text(repo).replace("\n", "\r\n").encode("utf-8"), "CC002", 1, "warning"),
    "huge-body": (lambda repo: sample_text(repo).encode("utf-8") + b"x" * (20 * 1024 * 1024), "CC003", 1, "error"),
    "alias-bomb": (lambda repo: ("---\n" + "a: &a [x, x, x, x, x, x, x, x, x]\n" +
                                 "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
                                         for i in range(8)) + "---\n").encode(), "CC007", None, "error"),
    "dotdot-attachment": (replace("status: archived", "status: archived\nattachments:\n  - path: ../../../etc/passwd"),
                          "CC019", 40, "error"),
    "missing-attachment": (replace("status: archived", "status: archived\nattachments:\n  - path: signed.pdf"),
                           "CC019", 40, "error"),
    "missing-fence": (lambda repo: sample_text(repo).split("---\n", 2)[2].encode("utf-8"), "CC004", 1, "error"),
    "unclosed-fence": (lambda repo: sample_text(repo).replace("\n---\n", "\n", 1).replace("\n---\n", "\n").encode(),
                       "CC004", None, "error"),
    "not-a-mapping": (lambda repo: b"---\n- a\n- b\n---\nbody\n", "CC004", 2, "error"),
    "bad-credit-code": (replace('credit_code: "91440303MA5F0A1B22"', 'credit_code: "91440303MA5F0A1B23"'),
                        "CC014", 13, "error"),
    "unknown-unit": (replace('unit: "LH001"', 'unit: "LH999"'), "CC015", 9, "error"),
    "dates-reversed": (replace('start: "2019-03-12"', 'start: "2019-06-12"'), "CC017", 36, "error"),
    "schedule-sum": (replace('share: "70%"', 'share: "60%"'), "CC018", 19, "error"),
    "python-tag": (replace("category: goods", "category: !!python/object/apply:os.system [ls]"), "CC005", None, "error"),
    # a character YAML forbids: libyaml's reader error (a byte offset, no mark) located as line and column
    "control-character": (replace('title: "罗湖区', 'title: "罗湖区\x01'), "CC005", 4, "error"),
}


def tree_state(repo: Path) -> dict:
    out = {}
    for path in sorted(repo.rglob("*")):
        if ".git" in path.relative_to(repo).parts or path.is_dir():
            continue
        out[str(path.relative_to(repo))] = path.read_bytes()
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_located_and_nothing_written(sample_repo, name, monkeypatch):
    mutate, code, line, severity = CASES[name]
    (sample_repo / CONTRACT).write_bytes(mutate(sample_repo))
    before = tree_state(sample_repo)
    head = run_git(sample_repo, "rev-parse", "HEAD")
    monkeypatch.chdir(sample_repo)
    result = CliRunner().invoke(cli, ["check", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    diags = json.loads(result.stdout)
    found = [d for d in diags if d["code"] == code]
    assert found, diags
    d = found[0]
    assert d["path"] == CONTRACT and d["severity"] == severity
    assert d["message"]["en"] and d["message"]["zh"] and d["message"]["en"] != d["message"]["zh"]
    if line is not None:
        assert d["line"] == line, d
    assert result.exit_code == (1 if severity == "error" else 0)
    assert tree_state(sample_repo) == before
    assert run_git(sample_repo, "rev-parse", "HEAD") == head


def test_symlinked_attachment_is_refused(sample_repo, monkeypatch):
    folder = sample_repo / CONTRACT
    os.symlink("/etc/hostname", folder.parent / "scan.pdf")
    text = sample_text(sample_repo).replace("status: archived", "status: archived\nattachments:\n  - path: scan.pdf")
    folder.write_text(text, "utf-8")
    monkeypatch.chdir(sample_repo)
    result = CliRunner().invoke(cli, ["check", "--format", "json"])
    codes = [(d["code"], d["args"] if "args" in d else d["message"]["en"]) for d in json.loads(result.stdout)]
    assert result.exit_code == 1 and any(c == "CC019" and "symbolic link" in m for c, m in codes)


def test_unknown_field_suggests_the_right_name(sample_repo, monkeypatch):
    (sample_repo / CONTRACT).write_bytes(replace("currency: CNY", "curency: CNY")(sample_repo))
    monkeypatch.chdir(sample_repo)
    diags = json.loads(CliRunner().invoke(cli, ["check", "--format", "json"]).stdout)
    assert diags[0]["suggestion"]["en"] == "did you mean 'currency'?"


def test_new_with_bad_input_writes_nothing(sample_repo, monkeypatch):
    before = tree_state(sample_repo)
    monkeypatch.chdir(sample_repo)
    result = CliRunner().invoke(cli, ["new", "--title", "x", "--category", "goods", "--unit", "LH001",
                                      "--supplier", "91440303MA5F0A1B22", "--amount", "12.345"])
    assert result.exit_code == 1 and "CC012" in result.output
    assert tree_state(sample_repo) == before
