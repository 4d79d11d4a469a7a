"""Seed files holding NaN or Infinity, which JSON has not."""

import json

import pytest


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _rows(n: int = 6):
    rows = []
    for i in range(n):
        rows.append({"id": f"s{i}", "text": f"football match goal league number {i}", "labels": ["sports"]})
        rows.append({"id": f"w{i}", "text": f"rain storm forecast wind number {i}", "labels": ["weather"]})
    return rows


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_seed_holding_nan_or_infinity_is_malformed_json_as_in_every_other_input(tmp_path, run, value):
    """Python's parser takes NaN and Infinity: a seed file holding one (in a field of the user's
    own) passed seeds validate, train and evaluate, while label and score refused the same file."""
    rows = _rows()
    seeds = _write(tmp_path / "s.jsonl", rows)
    with open(seeds, "a", encoding="utf-8") as fh:
        fh.write('{"id": "z", "text": "heat wave", "labels": ["weather"], "confidence": ' + value + "}\n")
    message = f"{seeds}:13: malformed JSON ({value} is not a JSON number)"
    checked = run("seeds", "validate", seeds)
    assert checked.exit_code == 1
    assert f"{seeds}:13: schema: malformed JSON ({value} is not a JSON number)" in checked.stdout
    trained = run("train", seeds, "-o", tmp_path / "m", "--cv", "0", "--budget", "0")
    assert trained.exit_code == 2 and trained.stderr == f"Error: {message}\n"
    evaluated = run("evaluate", seeds)
    assert evaluated.exit_code == 2 and f"{seeds}:13: malformed JSON" in evaluated.stderr
