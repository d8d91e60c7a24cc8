"""The result memo: a whole ``cctk check`` result keyed by everything it was computed from.

A check is a pure function of the listed files (Snapshot.digest: the blob id of every record,
register, policy file, inspection record and model text), the evaluation date, the code of
the rules and the review, and the options. When all of them are equal, the previous result
is the result: a second run over an unchanged 100,000-contract repository then costs the
listing and the printing only. The few file-system questions a check asks beyond the
listing (untracked attachments) are stored with the result and asked again before reuse.
Stored with the other commands' answers (cctk/store/answers.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from cctk.model import Diagnostic
from cctk.store.answers import Answers, key as _answer_key


class _Stored(msgspec.Struct, array_like=True):
    diagnostics: list[dict]
    suppressed: list[tuple[dict, str]]
    checked: int
    probes: dict[str, bool]


_ENC = msgspec.msgpack.Encoder()
_DEC = msgspec.msgpack.Decoder(_Stored)


def key(digest: str, *parts) -> str:
    """The memo key: the repository digest plus every other input (versions, date, options)."""
    return _answer_key("check", digest, *parts)


class ResultMemo:
    """Check results in the stored-answers table (cctk/store/answers.py), with the probes re-asked."""

    def __init__(self, path: Path):
        self.store = Answers(path)

    def get(self, memo_key: str, root: Path):
        """(diagnostics, [(diagnostic, reason)], checked) or None; None too when a probe answers differently."""
        payload = self.store.get(memo_key)
        if payload is None:
            return None
        try:
            stored = _DEC.decode(payload)
        except msgspec.DecodeError:
            return None
        tests = {"islink": os.path.islink, "isfile": os.path.isfile}
        for probe, answer in stored.probes.items():
            test, _, path = probe.partition(":")
            if test not in tests or tests[test](os.path.join(root, path)) != answer:
                return None
        return ([Diagnostic.from_json(d) for d in stored.diagnostics],
                [(Diagnostic.from_json(d), reason) for d, reason in stored.suppressed], stored.checked)

    def put(self, memo_key: str, diagnostics: list[Diagnostic], suppressed: list[tuple[Diagnostic, str]],
            checked: int, probes: dict[str, bool]):
        self.store.put(memo_key, _ENC.encode(_Stored([d.to_cache() for d in diagnostics],
                                                     [(d.to_cache(), reason) for d, reason in suppressed],
                                                     checked, probes)))

    def close(self):
        self.store.close()
