"""The result-folder swap (model/write/folder.py): atomic exchange, a run without a plan never
replaces a plan, staging names that never collide, stale staging folders cleaned, umask."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from model.write import folder as F
from model.write.folder import check_writable, clean_stale, identity, staged_folder


def plan_folder(path: Path, marker: str) -> Path:
    (path / "csv").mkdir(parents=True)
    (path / "csv" / "builds.csv").write_text("project\n")
    (path / "summary.json").write_text(f'{{"status": "{marker}"}}\n')
    return path


def diagnosis_folder(path: Path, marker: str) -> Path:
    path.mkdir(parents=True)
    (path / "summary.json").write_text(f'{{"status": "{marker}"}}\n')
    return path


def write(target: Path, marker: str, plan: bool) -> Path:
    with staged_folder(target, plan=plan) as stage:
        if plan:
            plan_folder(stage.path, marker)
        else:
            (stage.path / "summary.json").write_text(f'{{"status": "{marker}"}}\n')
    return stage.folder


def status(path: Path) -> str:
    return (path / "summary.json").read_text().split('"')[3]


def entries(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


def test_a_new_plan_is_swapped_in_with_one_exchange(tmp_path):
    target = plan_folder(tmp_path / "stem" / "base", "old")
    before = identity(target)
    with staged_folder(target) as stage:
        plan_folder(stage.path, "new")
        staged = identity(stage.path)
        assert status(target) == "old"  # readers see the old plan until the swap
    assert stage.folder == target and status(target) == "new"
    assert identity(target) == staged != before  # the staged folder itself, moved in one rename
    assert entries(target.parent) == ["base"]


def test_the_fallback_swap_without_renameat2(tmp_path, monkeypatch):
    monkeypatch.setattr(F, "exchange", lambda a, b: False)
    target = plan_folder(tmp_path / "base", "old")
    assert write(target, "new", plan=True) == target
    assert status(target) == "new" and entries(tmp_path) == ["base"]


# (what the folder holds before, this run has a plan, where this run goes, what stays in base)
PLACES = [
    ("nothing", True, "base", "new"),
    ("nothing", False, "base", "new"),
    ("plan", True, "base", "new"),
    ("plan", False, "_failed/base", "old"),
    ("diagnosis", True, "base", "new"),
    ("diagnosis", False, "base", "new"),
]


@pytest.mark.parametrize("before,plan,goes_to,base_holds", PLACES)
def test_a_run_without_a_plan_never_replaces_a_plan(tmp_path, before, plan, goes_to, base_holds):
    target = tmp_path / "base"
    if before == "plan":
        plan_folder(target, "old")
    elif before == "diagnosis":
        diagnosis_folder(target, "old")
    dest = write(target, "new", plan=plan)
    assert dest == tmp_path / goes_to
    assert status(target) == base_holds and status(dest) == "new"
    assert [p for p in tmp_path.rglob("*") if p.name.startswith(".")] == []


def test_writing_the_scenario_folder_removes_an_older_failure(tmp_path):
    target = plan_folder(tmp_path / "base", "old")
    failed = write(target, "infeasible", plan=False)
    assert failed == tmp_path / "_failed" / "base"
    again = write(target, "infeasible again", plan=False)  # a second failure replaces the first
    assert again == failed and status(failed) == "infeasible again" and status(target) == "old"
    write(target, "new", plan=True)
    assert entries(tmp_path) == ["base"]  # the failure no longer describes the latest run


@pytest.mark.parametrize("umask,mode", [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_the_folder_mode_follows_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        dest = write(tmp_path / "base", "new", plan=True)
    finally:
        os.umask(old)
    assert dest.stat().st_mode & 0o777 == mode
    assert (dest / "summary.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_staging_names_never_collide_and_old_leftovers_do_not_matter(tmp_path):
    target = plan_folder(tmp_path / "base", "old")
    # what the previous version left with a PID that this process now has
    (tmp_path / f".base.old-{os.getpid()}").mkdir()
    with staged_folder(target) as outer:
        plan_folder(outer.path, "outer")
        with staged_folder(target) as inner:
            plan_folder(inner.path, "inner")
        assert inner.path != outer.path and status(target) == "inner"
    assert status(target) == "outer"
    assert entries(tmp_path) == [".base.old-%d" % os.getpid(), "base"]  # not ours: left alone


def _dead_run(parent: Path, name: str, kind: str) -> Path:
    """What a run killed with SIGKILL leaves: its staging folder and lock file (no lock held)."""
    uid = uuid.uuid4().hex
    (parent / f".{name}.lock-{uid}").write_text("")
    entry = parent / f".{name}.{kind}-{uid}"
    plan_folder(entry, "left by a killed run")
    return entry


def test_stale_staging_folders_are_removed_and_live_ones_kept(tmp_path):
    target = plan_folder(tmp_path / "base", "old")
    dead_tmp = _dead_run(tmp_path, "base", "tmp")
    dead_old = _dead_run(tmp_path, "base", "old")  # target exists: an old copy, garbage
    orphan = tmp_path / f".ban.tmp-{uuid.uuid4().hex}"  # no lock file at all
    orphan.mkdir()
    stale = sorted([dead_tmp, dead_old, orphan, *tmp_path.glob(".base.lock-*")])
    assert sorted(clean_stale(tmp_path)) == stale and len(stale) == 5
    assert entries(tmp_path) == ["base"]
    for kind in ("tmp", "old"):
        _dead_run(tmp_path, "base", kind)
    with staged_folder(tmp_path / "other") as live:  # a run starts by cleaning; its own lock is held
        assert entries(tmp_path) == sorted(["base", live.path.name, f".other.lock-{live.path.name[-32:]}"])
        assert clean_stale(tmp_path) == [] and live.path.is_dir()
        plan_folder(live.path, "live")
    assert entries(tmp_path) == ["base", "other"] and status(target) == "old"


def test_a_run_killed_between_the_fallback_renames_gets_its_old_folder_back(tmp_path):
    aside = _dead_run(tmp_path, "base", "old")  # base was renamed aside, the new one not yet in
    write(tmp_path / "ban", "new", plan=True)  # any later run in the same folder puts it back
    assert status(tmp_path / "base") == "left by a killed run"
    assert not aside.exists() and entries(tmp_path) == ["ban", "base"]


def test_check_writable(tmp_path):
    check_writable(tmp_path / "new" / "deeper")  # made later; nothing is left behind
    assert entries(tmp_path) == []
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        check_writable(tmp_path / "file" / "sub")
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        with pytest.raises(PermissionError):
            check_writable(ro / "out")
