"""Seed files holding NaN or Infinity, which JSON has not."""

import pytest
from seedrows import two_class_rows, write_jsonl


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_seed_holding_nan_or_infinity_is_malformed_json_as_in_every_other_input(tmp_path, run, value):
    """Python's parser takes NaN and Infinity: a seed file holding one (in a field of the user's
    own) passed seeds validate, train and evaluate, while label and score refused the same file."""
    rows = two_class_rows()
    seeds = write_jsonl(tmp_path / "s.jsonl", rows)
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
