"""`mlpkit execute` (`make outputs`): notebooks re-run in place; a failing one is left unchanged."""
import time

import nbformat
import pytest

from mlpkit import execute as ex
from mlpkit.cli import main

from test_grader_wakeup import miss_every_wakeup


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))
    return path


def _texts(path):
    nb = nbformat.read(str(path), as_version=4)
    return ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells], nb


def test_outputs_are_saved_in_place_from_a_fresh_kernel_in_the_notebooks_folder(tmp_path, capsys):
    (tmp_path / "data.txt").write_text("41")
    nb = _notebook(tmp_path / "a.ipynb", "x = int(open('data.txt').read()) + 1",
                   "print(f'x = {x}')\nprint('two lines')", "print(globals().get('stale', 'fresh'))")
    assert main(["execute", str(nb)]) == 0
    texts, saved = _texts(nb)
    assert texts == ["", "x = 42\ntwo lines\n", "fresh\n"]
    assert [c.execution_count for c in saved.cells] == [1, 2, 3]
    assert len(saved.cells[1].outputs) == 1  # one stream output per cell, as nbval reads it
    assert f"ran {nb}" in capsys.readouterr().out


def test_a_failing_cell_leaves_the_file_unchanged_and_is_named(tmp_path, capsys):
    bad = _notebook(tmp_path / "bad.ipynb", "print('ok')", "1 / 0", "print('never')")
    good = _notebook(tmp_path / "good.ipynb", "print('still run')")
    before = bad.read_bytes()
    assert main(["execute", str(bad), str(good)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: a cell raised ZeroDivisionError" in out and "unchanged" in out
    assert bad.read_bytes() == before
    assert _texts(good)[0] == ["still run\n"]
    assert not list(tmp_path.glob(".*tmp"))


def test_a_cell_over_the_timeout_is_stopped_and_the_file_kept(tmp_path, capsys):
    nb = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    before = nb.read_bytes()
    t0 = time.monotonic()
    assert main(["execute", "--timeout", "2", str(nb)]) == 1
    assert time.monotonic() - t0 < 50
    assert "ran longer than 2 s" in capsys.readouterr().out
    assert nb.read_bytes() == before


@pytest.mark.parametrize("name,content,message", [
    ("notes.txt", "hello", "not a notebook (expected a .ipynb file)"),
    ("missing.ipynb", None, "no such file"),
    ("junk.ipynb", "{not json", "not a readable notebook"),
])
def test_bad_paths_get_a_clear_message(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    assert main(["execute", str(path)]) == 1
    assert f"mlpkit execute: {path}: {message}" in capsys.readouterr().out
    if content is not None:
        assert path.read_text() == content


def test_a_timeout_that_is_not_positive_is_refused(tmp_path, capsys):
    assert main(["execute", "--timeout", "0", str(tmp_path / "a.ipynb")]) == 2
    assert "--timeout must be a positive number" in capsys.readouterr().err


def test_missed_wakeups_cost_a_slice_not_the_cell_timeout(tmp_path, monkeypatch):
    sliced_start = ex._Client.async_start_new_kernel_client

    async def start_then_miss_wakeups(self):
        kc = await sliced_start(self)
        miss_every_wakeup(kc)
        return kc

    monkeypatch.setattr(ex._Client, "async_start_new_kernel_client", start_then_miss_wakeups)
    nb = _notebook(tmp_path / "w.ipynb", "print('one')", "print('two')")
    took = ex.execute_notebook(nb, timeout=10)
    assert _texts(nb)[0] == ["one\n", "two\n"]
    assert took < 10, f"took {took:.1f} s"
