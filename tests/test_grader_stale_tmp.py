"""The temporary folder of a grading run killed with ``kill -9`` is removed by a later run, and
nothing else is: not a live run's folder, a recent one, another user's, or other names."""
import os
import subprocess
import sys
import time

from mlpkit.grader import local
from mlpkit.grader.local import RUN_PREFIX, STALE_AFTER, remove_stale_run_folders


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _folder(tmp, name, age):
    path = tmp / name
    path.mkdir()
    (path / "k").mkdir()
    (path / "k" / "kernel.json").write_text("{}")
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_only_a_dead_runs_old_folder_is_removed(tmp_path):
    dead, old = _dead_pid(), STALE_AFTER + 60
    stale = _folder(tmp_path, f"{RUN_PREFIX}{dead}-abc", old)
    live = _folder(tmp_path, f"{RUN_PREFIX}{os.getpid()}-abc", old)
    recent = _folder(tmp_path, f"{RUN_PREFIX}{dead}-new", 10)
    other = _folder(tmp_path, f"mlpkit-kernel-{dead}-abc", old)
    odd = _folder(tmp_path, f"{RUN_PREFIX}x{dead}-abc", old)
    plain = tmp_path / f"{RUN_PREFIX}{dead}-file"
    plain.write_text("not a folder")
    link = tmp_path / f"{RUN_PREFIX}{dead}-link"
    link.symlink_to(other)

    removed = remove_stale_run_folders(str(tmp_path))

    assert removed == [str(stale)] and not stale.exists()
    for kept in (live, recent, other, odd, plain, link):
        assert kept.exists() or kept.is_symlink(), kept
    assert (other / "k" / "kernel.json").exists()


def test_another_users_folder_is_left(tmp_path, monkeypatch):
    stale = _folder(tmp_path, f"{RUN_PREFIX}{_dead_pid()}-abc", STALE_AFTER + 60)
    monkeypatch.setattr(local.os, "getuid", lambda: os.stat(stale).st_uid + 1)
    assert remove_stale_run_folders(str(tmp_path)) == [] and stale.exists()


def test_a_run_clears_what_a_killed_run_left(tmp_path, monkeypatch):
    stale = _folder(tmp_path, f"{RUN_PREFIX}{_dead_pid()}-abc", STALE_AFTER + 60)
    monkeypatch.setattr(local.tempfile, "tempdir", str(tmp_path))
    run = local.local_executor(jobs=1)
    assert list(run([], None, 1.0)) == []
    assert not stale.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(RUN_PREFIX)]
