"""Two people acting on the same contract at once: what the one who pushed second meets, in cctk's words.

Actions on different contracts touch different files, so git merges or rebases them cleanly. Two
actions on the same contract.md conflict in git (a non-fast-forward push, then a conflict on pull).
A record with conflict markers, or a repository in the middle of a merge or rebase, must not be acted
on: a verb refuses with what happened and the two ways out (resolve, or abort and redo the action on
top of the current main). ``cctk check`` reports the markers themselves (cctk.store.records, CC009).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from cctk.i18n import register
from cctk.lifecycle import moves
from cctk.lifecycle.workflow import Refused
from cctk.store.records import conflict_line

register({
    "lc.conflict": ("{code} has a merge conflict ({path}, line {line}): someone else acted on the same contract "
                    "first and your git {op} cannot combine the two actions. Drop yours with {drop} (theirs stands: "
                    "see 'cctk history {code}'), then redo your action on top of the current main if it still "
                    "applies",
                    "{code} 存在合并冲突（{path} 第 {line} 行）：他人已先对同一合同执行了操作，本次 git {op} "
                    "无法合并两个操作。请用 {drop} 丢弃己方操作（对方操作保留：见“cctk history {code}”），"
                    "如仍需要，再在最新的 main 上重新执行"),
    "lc.in_progress": ("a git {op} is in progress in this repository; finish it ('{cont}') or abort it ('{abort}') "
                       "before '{action}'",
                       "本仓库有未完成的 git {op}；请先完成（“{cont}”）或中止（“{abort}”），再执行“{action}”"),
    "lc.merge_mix": ("{code}: this merge combines actions taken on the same contract on both sides ({file}); "
                     "a record changes through one action at a time — abort the merge ('git merge --abort'), "
                     "rebase instead ('git pull --rebase'), drop your conflicting action ('git rebase --skip') "
                     "and redo it on top of the current main if it still applies",
                     "{code}：此次合并把双方对同一合同的操作混合在一起（{file}）；记录每次只能由一个操作修改——"
                     "请中止合并（“git merge --abort”），改用变基（“git pull --rebase”），丢弃己方冲突的操作"
                     "（“git rebase --skip”），如仍需要再在最新的 main 上重新执行"),
})

OPS = {  # file or directory in the git dir -> (operation, continue, abort)
    "rebase-merge": ("rebase", "git rebase --continue", "git rebase --abort"),
    "rebase-apply": ("rebase", "git rebase --continue", "git rebase --abort"),
    "MERGE_HEAD": ("merge", "git commit", "git merge --abort"),
    "CHERRY_PICK_HEAD": ("cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"),
    "REVERT_HEAD": ("revert", "git revert --continue", "git revert --abort"),
}
moves.CODES["lc.merge_mix"] = "LC014"
# How the one who came second drops their conflicting action (the other one stands).
DROP = {
    "rebase": "'git rebase --skip'",
    "merge": "'git merge --abort', 'git pull --rebase' and 'git rebase --skip'",
    "cherry-pick": "'git cherry-pick --skip'",
    "revert": "'git revert --skip'",
}


def in_progress(git_dir: Path) -> tuple[str, str, str] | None:
    """(operation, continue command, abort command) of an unfinished merge/rebase/cherry-pick, or None."""
    for name, op in OPS.items():
        if (git_dir / name).exists():
            return op
    return None


def unmerged(root: Path, paths: list[str]) -> list[str]:
    proc = subprocess.run(["git", "-C", str(root), "ls-files", "-u", "-z", "--", *paths], capture_output=True)
    return sorted({item.partition("\t")[2] for item in proc.stdout.decode("utf-8", "replace").split("\0") if item})


def refuse_if_conflicted(root: Path, git_dir: Path, path: str, code: str, action: str) -> None:
    """Refuse an action on ``path`` when it carries a conflict or the repository is mid-merge/rebase."""
    op = in_progress(git_dir)
    try:
        text = (root / path).read_text("utf-8", "replace")
    except OSError:
        text = ""
    line = conflict_line(text)
    # Unmerged index entries exist only while an operation is unfinished (reading the index costs).
    if line is not None or (op is not None and unmerged(root, [path])):
        name = op[0] if op else "merge"
        raise Refused("lc.conflict", code=code, path=path, line=line or 1, op=name, drop=DROP[name])
    if op is not None:
        raise Refused("lc.in_progress", op=op[0], cont=op[1], abort=op[2], action=action)


def _contract_records(text: str) -> set[str]:
    return {p for p in text.splitlines() if p.endswith("/contract.md") and p.count("/") == 3}


def both_sides(root: Path, heads: list[str]) -> list[str]:
    """contract.md files changed since the merge base on more than one of ``heads``."""
    proc = subprocess.run(["git", "-C", str(root), "merge-base", "--octopus", *heads], capture_output=True)
    base = proc.stdout.decode().strip()
    if not base:
        return []
    seen: dict[str, int] = {}
    for head in heads:
        out = subprocess.run(["git", "-C", str(root), "-c", "core.quotePath=false", "diff-tree", "-r", "--name-only",
                              "--no-renames", base, head, "--", "contracts"], capture_output=True)
        for path in _contract_records(out.stdout.decode("utf-8", "replace")):
            seen[path] = seen.get(path, 0) + 1
    return sorted(p for p, n in seen.items() if n > 1)


def mixed_paths(root: Path, merge: str, parents: list[str]) -> list[str]:
    """contract.md files a merge commit may not hold: changed on both sides, or different from every
    parent (a hand-made result no action produced)."""
    proc = subprocess.run(["git", "-C", str(root), "-c", "core.quotePath=false", "diff-tree", "-c", "--name-only",
                           "--no-commit-id", "-r", merge, "--", "contracts"], capture_output=True)
    return sorted(_contract_records(proc.stdout.decode("utf-8", "replace")) | set(both_sides(root, parents)))
