"""The command line, in process (CliRunner) and as a real subprocess."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cctk.cli.main import COMMANDS, cli
from conftest import run_git


def invoke(repo, *args):
    old = os.getcwd()
    os.chdir(repo)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_ls_json_shape(sample_repo):
    result = invoke(sample_repo, "ls", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows == [{"code": "LHHT-2019-000001", "title": "罗湖区政府办公室办公设备采购合同", "unit": "LH001",
                     "supplier": "91440303MA5F0A1B22", "supplier_name": "深圳市罗湖信息技术有限公司",
                     "amount": "86500.00", "status": "archived", "category": "goods", "year": 2019,
                     "path": "contracts/2019/LHHT-2019-000001/contract.md"}]


def test_ls_filters(sample_repo):
    assert json.loads(invoke(sample_repo, "ls", "--status", "drafting", "--format", "json").stdout) == []
    assert len(json.loads(invoke(sample_repo, "ls", "--status", "archived", "--format", "json").stdout)) == 1
    assert json.loads(invoke(sample_repo, "ls", "--status", "performing", "--format", "json").stdout) == []
    assert json.loads(invoke(sample_repo, "ls", "--min-amount", "90000", "--format", "json").stdout) == []
    assert len(json.loads(invoke(sample_repo, "ls", "--supplier", "罗湖信息", "--format", "json").stdout)) == 1
    csv_out = invoke(sample_repo, "ls", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("code,title") and csv_out[1].startswith("LHHT-2019-000001,")


def test_show_json_has_record_keys(sample_repo):
    data = json.loads(invoke(sample_repo, "show", "LHHT-2019-000001", "--format", "json").stdout)
    assert data["code"] == "LHHT-2019-000001" and data["amount"] == "86500.00" and data["status"] == "archived"
    assert data["dates"]["signed"] == "2019-03-12"
    assert invoke(sample_repo, "show", "NOPE").exit_code == 1


def test_check_clean_and_rev(sample_repo):
    assert invoke(sample_repo, "check").exit_code == 0
    assert invoke(sample_repo, "check", "--rev", "HEAD").exit_code == 0
    bad = invoke(sample_repo, "check", "--rev", "no-such-rev")
    assert bad.exit_code == 2 and "no-such-rev" in bad.output


def test_outside_repository_is_usage_error(tmp_path):
    result = invoke(tmp_path, "ls")
    assert result.exit_code == 2 and "cctk init" in result.output


def test_lang_switch(sample_repo):
    (sample_repo / "contracts/2019/LHHT-2019-000001/contract.md").write_text(
        (sample_repo / "contracts/2019/LHHT-2019-000001/contract.md").read_text("utf-8").replace('unit: "LH001"', 'unit: "X"'),
        "utf-8")
    assert "未知预算单位" in invoke(sample_repo, "--lang", "zh", "check").output
    assert "unknown budget unit" in invoke(sample_repo, "--lang", "en", "check").output


def test_schema_is_valid_json_schema():
    import jsonschema
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {"code", "title", "amount", "status"} <= set(schema["properties"])


def test_init_then_new_then_check(tmp_path):
    repo = tmp_path / "district"
    assert CliRunner().invoke(cli, ["init", str(repo), "--district", "罗湖区"]).exit_code == 0
    assert (repo / ".github/workflows/cctk.yml").is_file() and (repo / ".gitlab-ci.yml").is_file()
    (repo / "suppliers/91440303MA5F0A1B22.yaml").write_text(
        'credit_code: "91440303MA5F0A1B22"\nname: "深圳市罗湖信息技术有限公司"\nsme: true\n', "utf-8")
    result = invoke(repo, "new", "--title", "办公设备采购", "--category", "goods", "--unit", "U001",
                    "--supplier", "91440303MA5F0A1B22", "--amount", "86500.00")
    assert result.exit_code == 0, result.output
    log = run_git(repo, "log", "-1", "--format=%(trailers:key=Cctk-Action,valueonly)").decode().strip()
    assert log == "create"
    rows = json.loads(invoke(repo, "ls", "--format", "json").stdout)
    assert len(rows) == 1 and rows[0]["status"] == "drafting" and rows[0]["code"].startswith("HT-")
    assert invoke(repo, "check").exit_code == 0
    assert CliRunner().invoke(cli, ["init", str(repo)]).exit_code == 2   # refuses a non-empty directory


def test_edit_refuses_frozen_change(sample_repo, monkeypatch):
    editor = sample_repo.parent / "editor.py"
    editor.write_text("import sys\np=sys.argv[1]\nt=open(p,encoding='utf-8').read()\n"
                      "open(p,'w',encoding='utf-8').write(t.replace('86500.00','96500.00',1))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    before = (sample_repo / "contracts/2019/LHHT-2019-000001/contract.md").read_bytes()
    result = invoke(sample_repo, "edit", "LHHT-2019-000001")
    assert result.exit_code == 1 and "frozen" in result.output
    assert (sample_repo / "contracts/2019/LHHT-2019-000001/contract.md").read_bytes() == before


def test_edit_saves_valid_change(sample_repo, monkeypatch):
    editor = sample_repo.parent / "editor.py"
    editor.write_text("import sys\np=sys.argv[1]\nt=open(p,encoding='utf-8').read()\n"
                      "open(p,'w',encoding='utf-8').write(t.replace('# 办公设备采购合同 —','# 办公设备采购合同（已核对）—',1))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    result = invoke(sample_repo, "edit", "LHHT-2019-000001")
    assert result.exit_code == 0, result.output
    assert "已核对" in (sample_repo / "contracts/2019/LHHT-2019-000001/contract.md").read_text("utf-8")


def test_edit_opens_a_broken_record_to_fix_it_without_loading_the_others(sample_repo, monkeypatch):
    """The record is found by its folder (no other record read), and one that does not parse can be opened
    and fixed: the edit is checked as any other."""
    from cctk.store import loader

    record = sample_repo / "contracts/2019/LHHT-2019-000001/contract.md"
    good = record.read_text("utf-8")
    record.write_text(good.replace('amount: "86500.00"', 'amount: [broken', 1), "utf-8")
    assert record.read_text("utf-8") != good
    fixed = sample_repo.parent / "fixed.md"
    fixed.write_text(good, "utf-8")
    editor = sample_repo.parent / "editor.py"
    editor.write_text(f"import sys, shutil\nshutil.copyfile({str(fixed)!r}, sys.argv[1])\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.setattr(loader, "_fill", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded every record")))
    result = invoke(sample_repo, "edit", "LHHT-2019-000001")
    assert result.exit_code == 0, result.output
    assert record.read_text("utf-8") == good


def test_every_command_has_help_with_example():
    for name in COMMANDS:
        cmd = cli.get_command(None, name)
        if cmd is None:
            continue  # a command whose module has not landed
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output or "示例" in result.output, name


def test_real_subprocess(sample_repo):
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "cctk", "ls", "--format", "json"], cwd=sample_repo,
                          capture_output=True, env=env)
    assert proc.returncode == 0 and json.loads(proc.stdout)[0]["code"] == "LHHT-2019-000001"
    proc = subprocess.run([sys.executable, "-m", "cctk", "--lang", "zh", "check"], cwd=sample_repo,
                          capture_output=True, env=env)
    assert proc.returncode == 0 and "未发现问题" in proc.stdout.decode()


def test_record_reference_doc_is_generated_from_schema():
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "scripts/gen_schema_doc.py", "--check"], cwd=root)
    assert proc.returncode == 0, "docs/record.md is stale: run python scripts/gen_schema_doc.py"


def test_precompiled_validator_matches_schema():
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "scripts/gen_validator.py", "--check"], cwd=root)
    assert proc.returncode == 0, "cctk/store/_contract_validator.py is stale: run python scripts/gen_validator.py"


def test_new_from_template_is_clean(tmp_path):
    repo = tmp_path / "district"
    assert CliRunner().invoke(cli, ["init", str(repo)]).exit_code == 0
    shutil.copy(Path(__file__).resolve().parent.parent / "suppliers/91440303MA5F0A1B22.yaml", repo / "suppliers")
    args = ["new", "--template", "goods", "--title", "办公设备采购", "--category", "goods", "--unit", "U001",
            "--supplier", "91440303MA5F0A1B22", "--amount", "86500.00"]
    missing = invoke(repo, *args)
    assert missing.exit_code == 2 and "subject" in missing.output and not list(repo.glob("contracts/*/*"))
    result = invoke(repo, *args, "--var", "subject=台式计算机20台", "--var", "delivery_date=2026-12-20")
    assert result.exit_code == 0, result.output
    text = next(repo.glob("contracts/*/*/contract.md")).read_text("utf-8")
    assert "人民币捌万陆仟伍佰元整（¥86,500.00）" in text and 'template: "goods@2018.1"' in text
    checked = invoke(repo, "check", "--format", "json")
    assert checked.exit_code == 0 and json.loads(checked.stdout) == []


def test_show_reads_one_record_not_the_repository(sample_repo, monkeypatch):
    """`cctk show CODE` finds the record by its folder (contracts/<year>/CODE/) in the work tree or at a
    revision, without loading the other records; a folder not named after its code still resolves by
    code; a record that does not parse is reported with its errors."""
    from cctk.store import loader

    record = sample_repo / "contracts/2019/LHHT-2019-000001/contract.md"
    original = record.read_text("utf-8")
    record.write_text(original.replace('"86500.00"', '"87500.00"', 1), "utf-8")
    real_fill = loader._fill
    monkeypatch.setattr(loader, "_fill", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded every record")))
    now = json.loads(invoke(sample_repo, "show", "LHHT-2019-000001", "--format", "json").stdout)
    head = json.loads(invoke(sample_repo, "show", "LHHT-2019-000001", "--format", "json", "--rev", "HEAD").stdout)
    assert now["amount"] == "87500.00" and head["amount"] == "86500.00"
    bad = invoke(sample_repo, "show", "LHHT-2019-000001", "--rev", "no-such-rev")
    assert bad.exit_code == 2 and "no-such-rev" in bad.output
    monkeypatch.setattr(loader, "_fill", real_fill)
    assert invoke(sample_repo, "show", "../2019").exit_code == 1
    # a folder named otherwise: found by the record's code (the whole repository read)
    record.write_text(original, "utf-8")
    record.parent.rename(record.parent.with_name("renamed"))
    moved = json.loads(invoke(sample_repo, "show", "LHHT-2019-000001", "--format", "json").stdout)
    assert moved["path"] == "contracts/2019/renamed/contract.md"
    # a record that does not parse: its errors, then "no contract", exit 1
    record.parent.with_name("renamed").rename(record.parent)
    record.write_text("---\ncode: [unclosed\n---\n", "utf-8")
    res = invoke(sample_repo, "--lang", "en", "show", "LHHT-2019-000001")
    assert res.exit_code == 1 and "contract.md:" in res.output and "LHHT-2019-000001" in res.output


def test_doctor_reports_the_yaml_parsers(monkeypatch, tmp_path):
    from cctk.store import yamlio
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--lang", "en", "doctor"])
    assert result.exit_code == 0, result.output       # Python, git and libyaml are what it requires
    assert "✓ libyaml C loader" in result.output and "✓ rapidyaml" in result.output
    monkeypatch.setattr(yamlio, "_RYML", False)         # not installed: optional, so said with the fix
    result = CliRunner().invoke(cli, ["--lang", "zh", "doctor"])
    assert result.exit_code == 0
    assert "✗ rapidyaml（快速解析合同记录）" in result.output and "pip install 'rapidyaml" in result.output
