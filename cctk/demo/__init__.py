"""The demo district: `generate` builds a realistic contracts repository with real git history."""

from cctk.demo.generate import AS_OF, DemoError, DemoSummary, generate

__all__ = ["AS_OF", "DemoError", "DemoSummary", "generate"]
