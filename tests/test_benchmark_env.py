"""The benchmarks time the checkout they are given, wherever they are run from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _common import installed_env  # noqa: E402


def test_a_child_imports_the_checkout_named_not_the_working_directorys(tmp_path):
    """Started from the repository root, ``python -m trendscore`` and ``python -c`` put the
    root first on the import path, so ``--checkout OLD`` runs timed the root's code: every
    base-against-final comparison of jobs_two.py and short_input_jobs.py compared one code
    with itself."""
    fake = tmp_path / "trendscore"
    fake.mkdir()
    (fake / "__init__.py").write_text("", "utf-8")
    (fake / "__main__.py").write_text("print(__file__)\n", "utf-8")
    env = installed_env(tmp_path)
    for cmd in (["-c", "import trendscore; print(trendscore.__file__)"], ["-m", "trendscore"]):
        out = subprocess.run([sys.executable, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        assert Path(out.stdout.strip()).resolve().parent == fake.resolve()
