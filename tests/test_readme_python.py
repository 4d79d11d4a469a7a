"""The README's Python examples run exactly as written, in a folder holding the files they name
(``export.csv.gz``, ``models/registry``, ``archive/``) and with the names they take as given
(``records``, ``df``, ``texts``, ``y``) bound to small data; and what their comments promise holds."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest

import trendscore

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
T1, T2 = "海淀区发布微短剧扶持政策", "短剧出海东南亚市场"


def _block(first_line: str) -> str:
    found = [b for b in BLOCKS if first_line in b]
    assert len(found) == 1, f"README has {len(found)} Python blocks with {first_line!r}"
    return found[0]


def test_every_python_block_is_run_here():
    starts = ["trendscore.score(records", "trendscore.label([", "TextThemeClassifier(min_df=1)", "dask.dataframe"]
    assert len(BLOCKS) == len(starts) and all(any(s in b for b in BLOCKS) for s in starts)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _records():
    return [{"text": T1 if d % 2 else T2, "date": f"2026-06-{d:02d}"} for d in range(1, 31)]


def test_the_score_example(folder):
    pytest.importorskip("pandas")
    space = {"trendscore": trendscore, "records": _records()}
    exec(_block("trendscore.score(records"), space)
    assert space["result"].as_of == "2026-06-30" and space["result"].themes
    # the README names the type; it had not been importable from trendscore
    assert isinstance(space["result"], trendscore.Score) and "Score" in trendscore.__all__
    assert set(space["calls"]) == {t["theme"] for t in space["result"].to_json()["themes"]}


def test_the_labelling_example(folder):
    pd = pytest.importorskip("pandas")
    from trendscore.modeling.registry import Registry

    with gzip.open(folder / "export.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(f"id,body\n1,{T1}\n")
    Registry(folder / "models" / "registry").add(trendscore.load_model())
    texts = [T1, T2, "AI翻译助推短剧出海"]
    space = {"df": pd.DataFrame({"text": texts}), "texts": texts}
    code = _block("trendscore.label([")
    exec(code, space)
    assert space["model"].predict_proba(texts).shape == (3, 5)
    promised = re.search(r"trendscore\.label\(\[\"(.*?)\"\]\)\s+# \[\{'labels': (\[.*?\])", code)
    assert promised and str(trendscore.label([promised[1]])[0]["labels"]) == promised[2]
    assert trendscore.read("export.csv.gz", text_column="body") == [{"id": "1", "text": T1}]


def test_the_estimator_example(folder):
    pytest.importorskip("sklearn")
    texts = [T1, "北京出台微短剧管理办法", T2, "短剧平台进军海外市场"] * 5
    y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]] * 5)
    space = {"texts": texts, "y": y}
    exec(_block("TextThemeClassifier(min_df=1)"), space)
    saved = trendscore.load_model(folder / "my_model")
    assert saved.themes == ["policy", "overseas"] and saved.predict([T1]) == [["policy"]]
    assert [str(t) for t in space["est"].themes_] == trendscore.load_model("accurate").themes


@pytest.mark.slow
def test_the_dask_example(folder):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    (folder / "archive").mkdir()
    frame = pd.DataFrame(_records())
    frame.iloc[:15].to_parquet(folder / "archive" / "part-0.parquet")
    frame.iloc[15:].to_parquet(folder / "archive" / "part-1.parquet")
    space: dict = {}
    exec(_block("dask.dataframe"), space)
    assert space["result"].to_json() == trendscore.score(trendscore.label(frame), freq="week").to_json()
