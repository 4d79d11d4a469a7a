"""Inputs that gave a traceback or a wrong answer where one line or the right answer
belongs (issue 14)."""

import json

import pytest

import trendscore

TEXT = "海淀区发布微短剧扶持政策，推动短剧出海。"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "cp037"])
@pytest.mark.parametrize("fmt", ["jsonl", "text"])
def test_forced_encodings_without_byte_line_ends_are_read(run, tmp_path, encoding, fmt):
    if encoding == "cp037":  # EBCDIC: no Chinese, newline is not byte 0x0A
        texts = ["Policy support for short dramas.", "Overseas expansion of apps."]
    else:
        texts = [TEXT, "短剧平台加大海外投入。"]
    src = tmp_path / f"in.{'jsonl' if fmt == 'jsonl' else 'txt'}"
    if fmt == "jsonl":
        body = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\r\n" for i, t in enumerate(texts))
    else:
        body = "\n\n".join(texts) + "\n"
    src.write_bytes(body.encode(encoding))
    result = run("label", src, "--encoding", encoding)
    assert result.exit_code == 0, result.output
    got = [json.loads(line)["text"] for line in result.output.splitlines()]
    assert got == texts


def test_a_bad_byte_in_utf16_names_its_line(run, tmp_path):
    src = tmp_path / "in.jsonl"
    good = json.dumps({"text": TEXT}, ensure_ascii=False) + "\n"
    src.write_bytes((good * 3).encode("utf-16-le") + b"\x00\xdc" + good.encode("utf-16-le"))
    result = run("label", src, "--encoding", "utf-16-le")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {src}:4: bytes that are not valid utf-16-le")


@pytest.mark.parametrize(
    "encoding,message",
    [
        ("rot13", "'rot13' is not a text encoding"),
        ("base64", "'base64' is not a text encoding"),
        ("zlib_codec", "'zlib_codec' is not a text encoding"),
        ("no-such-codec", "'no-such-codec' is an unknown encoding"),
    ],
)
def test_non_text_codecs_are_refused(run, tmp_path, encoding, message):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": TEXT}) + "\n", "utf-8")
    result = run("label", src, "--encoding", encoding)
    assert result.exit_code == 2
    assert result.output == f"Error: {src}: {message}; pass a text encoding such as utf-8 or gb18030\n"


@pytest.mark.parametrize("bad", [{"text": TEXT}, {TEXT: 1}, b"bytes", {TEXT}])
def test_label_refuses_what_is_not_a_list_of_texts(bad):
    with pytest.raises(TypeError, match="expected a list of texts, got a"):
        trendscore.label(bad)


def test_table_output_does_not_pass_terminal_escapes(run, tmp_path):
    src = tmp_path / "in.jsonl"
    evil = "\x1b]0;owned\x07\x1b[2J" + TEXT + "\r\u202e"
    src.write_text(json.dumps({"id": "\x1b[31mred", "text": evil}) + "\n", "utf-8")
    result = run("label", src, "--format", "table")
    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\x07" not in result.output and "\u202e" not in result.output
    assert "\\x1b[31mred" in result.output
    assert len(result.output.splitlines()) == 1


def test_plot_shows_theme_names_that_look_like_tex(run, tmp_path):
    src = tmp_path / "in.jsonl"
    names = ["$x^{", "a$b$c", "_hidden", r"\frac"]
    lines = [
        json.dumps({"text": "t", "date": f"2024-0{m}-0{d}", "labels": [names[(m + d) % 4]]})
        for m in range(1, 7)
        for d in range(1, 8)
    ]
    src.write_text("\n".join(lines) + "\n", "utf-8")
    png = tmp_path / "plot.png"
    result = run("score", src, "--freq", "month", "--plot", png)
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "address,message",
    [
        ("foo", "not a scheduler address"),
        ("tcp://host:notaport", "not a scheduler address"),
        ("tcp://:::", "not a scheduler address"),
        ("tcp://127.0.0.1:99999", "port 99999 is not from 1 to 65535"),
        ("http://[::1", "unknown address scheme 'http'"),
    ],
)
def test_a_malformed_scheduler_address_is_one_line(run, tmp_path, address, message):
    pytest.importorskip("distributed")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": TEXT}) + "\n", "utf-8")
    result = run("label", src, "-o", tmp_path / "out.jsonl", "--scheduler", address)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: scheduler {address!r}: ")
    assert message in result.output and len(result.output.splitlines()) == 1


@pytest.mark.parametrize("address", ["http://localhost:8786", "foo", "tcp://127.0.0.1:0"])
def test_a_scheduler_address_error_lists_every_accepted_form(run, tmp_path, address):
    """An http:// address is refused by Dask's client, not trendscore's check: its message
    had said 'expected tcp://host:port', leaving out local:N."""
    pytest.importorskip("distributed")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": TEXT}) + "\n", "utf-8")
    result = run("score", src, "--scheduler", address)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: scheduler {address!r}: not a scheduler address (")
    assert result.output.endswith("); expected tcp://host:port or local:N\n") and result.output.count("\n") == 1


def test_error_messages_are_one_line_whatever_they_quote():
    from trendscore.errors import one_line

    assert one_line("a\nb\r\x1b[0m\u202ec") == "a\\nb\\r\\x1b[0m\\u202ec"
    assert one_line("中文 text") == "中文 text"
