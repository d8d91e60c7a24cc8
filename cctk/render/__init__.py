"""Model contract texts (Jinja2, sandboxed), contract PDFs (Typst), the filing stamp,
the PAdES signature of filed PDFs and their verification.

Modules: ``templates`` (model texts), ``pdf`` (contract and legality-review form),
``stamp`` (filing watermark + embedded record), ``sign`` (district CA, PAdES),
``verify`` (self-verification of a filed PDF). Every error a person reads is a
``RenderError`` with a bilingual catalog message.
"""

from cctk.render.errors import RenderError

__all__ = ["RenderError"]
