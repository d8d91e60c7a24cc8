"""One exception type for the render package, carrying a catalog key so the CLI can
print it in either language."""

from __future__ import annotations

from cctk import i18n
from cctk.render import messages  # noqa: F401  (registers the catalog)


class RenderError(Exception):
    """A problem a person must fix; ``key`` is a catalog key, ``args`` its arguments."""

    def __init__(self, key: str, **args: object):
        self.key = key
        self.args_ = args
        super().__init__(i18n.t(key, "en", **args))

    def text(self, lang: str | None = None) -> str:
        return i18n.t(self.key, lang, **self.args_)

    def both(self) -> str:
        """Both languages, Chinese first: for logs and errors seen by either reader."""
        return f"{i18n.t(self.key, 'zh', **self.args_)}\n{i18n.t(self.key, 'en', **self.args_)}"
