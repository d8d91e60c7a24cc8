"""`cctk verify FILE.pdf`: a thin wrapper over cctk.filing.verify (fast path, no pyHanko import)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cctk import i18n


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output. 机器可读输出。")
@click.option("--full", is_flag=True,
              help="Also run pyHanko's complete PAdES validation (slower, ≈ 2 s). 另以 pyHanko 完整校验。")
def verify(file, as_json, full):
    """Verify a filed PDF: signature, embedded record, repository filing (校验备案 PDF).

    Says whether the file is the filed PDF of a contract in this repository and whether it was
    altered (any changed byte, appended page or edited embedded record). Exit 0 when valid, 1 when not.

    \b
    Example:
      cctk verify contracts/2019/LHHT-2019-000001/filed.pdf
      cctk verify received.pdf --json
    """
    from cctk.filing.verify import find_root, verify as run
    from cctk.render.errors import RenderError
    root = find_root()
    try:
        data = file.read_bytes()
        verdict = run(data, root, name=str(file))
        if full:
            from cctk.render.verify import verify_pdf
            deep = verify_pdf(data, root, name=str(file))
            verdict.valid = verdict.valid and deep.valid
            verdict.problems += [(k, a) for k, a in deep.problems]
    except RenderError as exc:
        click.echo(i18n.t("fverify.invalid") + ": " + exc.text(), err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(verdict.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in verdict.lines():
            click.echo(line)
    sys.exit(0 if verdict.valid else 1)
