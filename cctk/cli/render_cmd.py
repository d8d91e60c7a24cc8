"""`cctk render`, `cctk templates`, `cctk verify`: thin wrappers around cctk.render."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from cctk import i18n
from cctk.render.errors import RenderError


def _fail(exc: RenderError, code: int = 1):
    click.echo(exc.text(), err=True)
    sys.exit(code)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command()
@click.argument("code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: CODE.pdf, or CODE-legality-review.pdf). 输出文件。")
@click.option("--form", type=click.Choice(["contract", "legality-review"]), default="contract", show_default=True,
              help="What to render: the contract or the legality review opinion form (合法性审查意见表).")
@click.option("--draft/--final", default=None,
              help="Force or drop the 草稿 watermark (default: draft until filed). 是否加草稿水印。")
def render(code, output, form, draft):
    """Render contract CODE to PDF (合同生成 PDF).

    \b
    Example:
      cctk render LHHT-2019-000001 -o contract.pdf
      cctk render LHHT-2019-000001 --form legality-review
    """
    from cctk.render.pdf import render_contract_pdf, render_legality_form
    from cctk.render.repo import find_repo_root, load_contract
    try:
        root = find_repo_root()
        contract = load_contract(root, code)
        if form == "legality-review":
            findings = _findings(contract, root)
            pdf = render_legality_form(contract, findings, root)
            default = f"{code}-legality-review.pdf"
        else:
            is_draft = draft if draft is not None else not (contract.filing and contract.filing.number)
            pdf = render_contract_pdf(contract, root, draft=is_draft)
            default = f"{code}.pdf"
    except RenderError as exc:
        _fail(exc, 2 if exc.key in ("render.no_repo", "pdf.no_font", "pdf.font_missing") else 1)
    target = output or Path(default)
    _write_atomic(target, pdf)
    click.echo(str(target))


def _findings(contract, root) -> list:
    """The automatic review's findings, when the review module is there (another issue's work)."""
    try:
        from cctk.review import load_playbook, review_contract
    except ImportError:
        return []
    try:
        return [f.to_diagnostic(contract.code) for f in review_contract(contract, playbook=load_playbook(root))]
    except Exception:  # the review is optional for the form; a broken review must not block printing
        return []


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def templates(as_json):
    """List the model contract templates (示范文本列表).

    \b
    Example:
      cctk templates
    """
    from cctk.render.repo import find_repo_root
    from cctk.render.templates import list_templates
    try:
        try:
            root = find_repo_root()
        except RenderError:
            root = None
        items = list_templates(root)
    except RenderError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps([{"template": t.ref, "id": t.id, "version": t.version, "title": t.title,
                                "title_en": t.title_en, "category": t.category, "path": str(t.path),
                                "variables": {n: {"type": v.type, "label": v.label, "default": v.default,
                                                  "required": v.required, "options": v.options}
                                              for n, v in t.variables.items()}}
                               for t in items], ensure_ascii=False, indent=2, default=str))
        return
    zh = i18n.get_lang() == "zh"
    for t in items:
        click.echo(f"{t.ref:<22} {t.category:<10} {t.title if zh else (t.title_en or t.title)}")
