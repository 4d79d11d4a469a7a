"""A malformed ``SOURCE_DATE_EPOCH`` in the environment: every command that fits a model refuses
it in one line before the work; commands that fit nothing are not troubled by it.

numpy (imported by SciPy, which scikit-learn imports) reads the variable as an integer when it is
first imported, so ``train``, ``seeds issues`` and ``themes add`` had died with a traceback
(``ValueError: invalid literal for int()``) in a fresh process; only a test process that had
imported scikit-learn earlier saw ``train``'s own message. Each case runs in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

MESSAGE = "Error: SOURCE_DATE_EPOCH must be whole seconds since 1970, got 'yesterday'\n"


def _cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "yesterday"}
    return subprocess.run(
        [sys.executable, "-m", "trendscore", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "args",
    [
        ("train", SEEDS / "batch_02_gov.jsonl", "-o", "m", "--budget", "0"),
        ("seeds", "issues", SEEDS / "batch_02_gov.jsonl"),
        ("themes", "add", "xx", "--examples", SEEDS / "batch_02_gov.jsonl", "-o", "m"),
    ],
    ids=["train", "seeds issues", "themes add"],
)
def test_a_command_that_fits_refuses_it_in_one_line(args, tmp_path):
    proc = _cli(*args, cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, MESSAGE)
    assert not (tmp_path / "m").exists()


def test_label_is_not_troubled_by_it(tmp_path):
    proc = _cli("label", SEEDS / "batch_02_gov.jsonl", "-o", "out.jsonl", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len((tmp_path / "out.jsonl").read_text("utf-8").splitlines()) == 150
