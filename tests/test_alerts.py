"""Alerts for scheduled runs (issue 18): --state remembers the calls, --alert says what changed."""

import json
import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner
from test_drivers import _stream

from trendscore.cli import main
from trendscore.trends.alerts import ALERT_EXIT


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return str(path)


@pytest.mark.slow
def test_a_call_that_changes_between_runs_alerts_once(tmp_path):
    records = _stream()
    early = _write(tmp_path / "early.jsonl", [r for r in records if r["date"] < "2025-04-20"])
    full = _write(tmp_path / "full.jsonl", records)
    state = str(tmp_path / "state.json")
    run = CliRunner().invoke
    first = run(main, ["score", early, "--state", state, "--alert"])
    assert first.exit_code == 0, first.output
    alert = json.loads(first.stdout)
    given = alert.pop("labelled_by")
    assert alert == {"as_of": "2025-04-19", "previous_as_of": None, "model_changed": False, "changes": []}
    assert given["model"] is None and given["labelled_by_model"] == 0 and given["labels_as_given"] > 0
    second = run(main, ["score", full, "--state", state, "--alert"])
    assert second.exit_code == ALERT_EXIT
    report = json.loads(second.stdout)
    assert report["previous_as_of"] == "2025-04-19"
    assert [(c["theme"], c["was"], c["now"]) for c in report["changes"]] == [("regional_hub", "steady", "rising")]
    third = run(main, ["score", full, "--state", state, "--alert"])
    assert third.exit_code == 0 and json.loads(third.stdout)["changes"] == []
    saved = json.loads((tmp_path / "state.json").read_text("utf-8"))
    assert saved["calls"]["regional_hub"] == "rising" and saved["as_of"] == "2025-05-25"


def test_with_an_output_file_the_ranking_is_still_written(tmp_path):
    full = _write(tmp_path / "full.jsonl", _stream())
    out = tmp_path / "ranking.json"
    result = CliRunner().invoke(
        main, ["score", full, "--state", str(tmp_path / "s.json"), "--alert", "-o", str(out), "--format", "json"]
    )
    assert result.exit_code == ALERT_EXIT  # a first run that calls a theme rising
    assert json.loads(out.read_text("utf-8"))["themes"][0]["theme"] == "regional_hub"
    assert json.loads(result.stdout)["changes"][0]["now"] == "rising"


def test_a_damaged_state_file_stops_the_run_and_is_kept(tmp_path):
    full = _write(tmp_path / "full.jsonl", _stream())
    state = tmp_path / "state.json"
    # deep nesting had made the JSON parser raise RecursionError, a traceback
    for content in (
        "not json",
        '{"calls": {"policy": "up"}}',
        "[1, 2]",
        '{"calls": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ):
        state.write_text(content, "utf-8")
        result = CliRunner().invoke(main, ["score", full, "--state", str(state), "--alert"])
        assert result.exit_code == 2
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert "not a trendscore state file" in result.stderr
        assert state.read_text("utf-8") == content


def test_a_state_file_over_the_size_limit_is_called_too_large(tmp_path):
    """A state file over 1 MiB was read cut short at 1 MiB and reported as not JSON."""
    full = _write(tmp_path / "full.jsonl", _stream()[:40])
    state = tmp_path / "state.json"
    content = json.dumps({"freq": "week", "calls": {"policy": "steady"}, "note": "x" * (1 << 20)})
    state.write_text(content, "utf-8")
    result = CliRunner().invoke(main, ["score", full, "--state", str(state)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {state}: over 1 MiB, too large for a trendscore state file (the ones it writes hold a few KB): "
        "name another file\n"
    )
    assert state.read_text("utf-8") == content
    # exactly at the limit it is read, and replaced by this run's calls
    state.write_text(json.dumps({"freq": "week", "calls": {}, "note": ""}).ljust(1 << 20), "utf-8")
    assert CliRunner().invoke(main, ["score", full, "--state", str(state)]).exit_code == 0
    assert "note" not in json.loads(state.read_text("utf-8"))


def test_a_state_file_that_is_a_fifo_is_refused_at_once(tmp_path):
    """Reading the state had opened the FIFO and waited for a writer, for ever."""
    full = _write(tmp_path / "full.jsonl", _stream()[:40])
    fifo = tmp_path / "state.json"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "trendscore", "score", full, "--state", str(fifo)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"Error: {fifo}: is not a regular file; the state file is read and then replaced: name a file\n"
    )
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_state_file_named_as_standard_output_is_refused_before_any_work(tmp_path, monkeypatch):
    """`--state -` had been read as a file named '-' (none: a first run every time), the calls
    saved to standard output after the ranking, and a lock file '.-.lock' left in the working
    folder: --alert could never report a change."""
    monkeypatch.chdir(tmp_path)
    full = _write(tmp_path / "full.jsonl", _stream()[:40])
    for extra in ([], ["--alert"]):
        result = CliRunner().invoke(main, ["score", full, "--state", "-", *extra])
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == (
            "Error: -: is standard output, not a file; the state file is read and then replaced: name a file\n"
        )
    assert sorted(os.listdir(tmp_path)) == ["full.jsonl"]


def test_alert_needs_a_state_file(tmp_path):
    full = _write(tmp_path / "full.jsonl", _stream())
    result = CliRunner().invoke(main, ["score", full, "--alert"])
    assert result.exit_code == 2 and "--alert needs --state" in result.output


def test_a_state_of_another_period_length_is_refused(tmp_path):
    full = _write(tmp_path / "full.jsonl", _stream())
    state = tmp_path / "state.json"
    assert CliRunner().invoke(main, ["score", full, "--state", str(state)]).exit_code == 0
    before = state.read_text("utf-8")
    result = CliRunner().invoke(main, ["score", full, "--state", str(state), "--freq", "month", "--alert"])
    assert result.exit_code == 2 and "holds calls per week; this run is per month" in result.stderr
    assert state.read_text("utf-8") == before


def test_a_run_for_an_earlier_day_leaves_a_later_state_alone(tmp_path):
    # a backfill with --as-of before the state's day had reported its calls as changes from the
    # later ones and saved them in their place, so the next scheduled run alerted against it
    full = _write(tmp_path / "full.jsonl", _stream())
    state = tmp_path / "state.json"
    assert CliRunner().invoke(main, ["score", full, "--state", str(state)]).exit_code == 0
    before = state.read_text("utf-8")
    out = tmp_path / "ranking.txt"
    args = ["score", full, "--state", str(state), "--alert", "--as-of", "2025-03-01", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"Error: {state}: holds the calls as of 2025-05-25, later than this run's 2025-03-01; a run for an "
        "earlier day would replace them: give another state file\n"
    )
    assert state.read_text("utf-8") == before and not out.exists()
    same_day = CliRunner().invoke(main, ["score", full, "--state", str(state), "--alert"])
    assert same_day.exit_code == 0 and json.loads(same_day.stdout)["changes"] == []


def test_a_state_whose_day_is_no_date_is_refused(tmp_path):
    full = _write(tmp_path / "full.jsonl", _stream())
    state = tmp_path / "state.json"
    for day in (5, "2025-5-25", "yesterday", ["2025-05-25"]):
        content = json.dumps({"as_of": day, "freq": "week", "calls": {}})
        state.write_text(content, "utf-8")
        result = CliRunner().invoke(main, ["score", full, "--state", str(state), "--alert"])
        assert result.exit_code == 2, day
        assert "not a trendscore state file ('as_of' is not a date of the form YYYY-MM-DD)" in result.stderr
        assert state.read_text("utf-8") == content


def test_read_state_words_each_file_it_cannot_use(tmp_path):
    """read_state reads through the guard of files read whole (trendscore.io.wholefile); its own
    contract stays: no file (or a link to none) is a first run, the rest its own words."""
    from trendscore.errors import InputError
    from trendscore.trends.alerts import MAX_STATE_BYTES, read_state

    assert read_state(str(tmp_path / "none.json")) is None
    (tmp_path / "link.json").symlink_to(tmp_path / "gone.json")
    assert read_state(str(tmp_path / "link.json")) is None
    with pytest.raises(InputError, match=r": is a directory, not a state file$"):
        read_state(str(tmp_path))
    sparse = tmp_path / "sparse.json"
    with open(sparse, "wb") as fh:
        fh.truncate(8 << 30)  # 8 GiB of nothing on disk: refused by its size, not read
    with pytest.raises(InputError, match=r": over 1 MiB, too large for a trendscore state file"):
        read_state(str(sparse))
    assert MAX_STATE_BYTES == 1 << 20


def test_an_alert_says_when_the_model_differs_from_the_last_runs(tmp_path):
    """Calls that changed because the model was retrained between two scheduled runs read as
    news: the state records the model that labelled the run (name, when trained, seeds hash),
    and the next alert says whether this run's model differs (``model_changed``)."""
    from pathlib import Path

    digest = str(Path(__file__).resolve().parent.parent / "seeds" / "000_c45236173e460e13.txt")
    state = tmp_path / "state.json"
    run = CliRunner().invoke
    first = run(main, ["score", digest, "--state", str(state), "--alert"])
    assert first.exit_code in (0, ALERT_EXIT), first.output
    alert = json.loads(first.stdout)
    assert alert["model_changed"] is False and alert["labelled_by"]["model"]["name"] == "default"
    saved = json.loads(state.read_text("utf-8"))
    model = alert["labelled_by"]["model"]
    assert saved["model"] == {k: model[k] for k in ("name", "created", "seeds_sha256", "contents_sha256")}
    assert len(model["contents_sha256"]) == 64
    same = run(main, ["score", digest, "--state", str(state), "--alert"])
    assert json.loads(same.stdout)["model_changed"] is False
    saved["model"]["contents_sha256"] = "0" * 64  # the last run's model had other files
    state.write_text(json.dumps(saved), "utf-8")
    assert json.loads(run(main, ["score", digest, "--state", str(state), "--alert"]).stdout)["model_changed"] is True
    del saved["model"]  # a state saved before states named their model: nothing to compare with
    state.write_text(json.dumps(saved), "utf-8")
    assert json.loads(run(main, ["score", digest, "--state", str(state), "--alert"]).stdout)["model_changed"] is False


def test_a_copy_of_the_same_model_is_not_another_model_and_an_edited_one_is(tmp_path):
    """The model is told apart by the hash of its files, not its folder's name: the bundled
    model copied to another folder had read as model_changed, and a model changed in place
    (same name, same training time and seeds, as `themes add -o` over it leaves them) had not."""
    import shutil
    from pathlib import Path

    from trendscore import load_model

    digest = str(Path(__file__).resolve().parent.parent / "seeds" / "000_c45236173e460e13.txt")
    state, mine = tmp_path / "state.json", tmp_path / "mine"
    shutil.copytree(load_model().path, mine)
    run = CliRunner().invoke
    assert run(main, ["score", digest, "--state", str(state)]).exit_code == 0  # the bundled default
    copied = run(main, ["score", digest, "--state", str(state), "--alert", "--model", str(mine)])
    assert json.loads(copied.stdout)["model_changed"] is False
    model = load_model(mine)
    model.thresholds[0] = min(0.99, model.thresholds[0] + 0.01)  # changed in place, card kept
    model.save(mine)
    changed = run(main, ["score", digest, "--state", str(state), "--alert", "--model", str(mine)])
    assert json.loads(changed.stdout)["model_changed"] is True


def test_a_state_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    """A state file opened and saved in an editor that writes a UTF-8 byte-order mark (Windows
    Notepad does) had stopped every later run as 'not a trendscore state file (not JSON)'."""
    full = _write(tmp_path / "full.jsonl", _stream())
    state = tmp_path / "state.json"
    run = CliRunner().invoke
    assert run(main, ["score", full, "--state", str(state)]).exit_code in (0, ALERT_EXIT)
    state.write_bytes(b"\xef\xbb\xbf" + state.read_bytes())
    again = run(main, ["score", full, "--state", str(state), "--alert"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["changes"] == []
