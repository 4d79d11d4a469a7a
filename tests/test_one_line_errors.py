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


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("command", ["label", "score"])
def test_jobs_given_with_a_scheduler_is_refused_before_connecting(run, tmp_path, command, jobs):
    """--jobs with --scheduler had been ignored without a word (the cluster's workers ran the
    job): now refused in one line, before the scheduler is reached (the port here is closed)."""
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": TEXT, "date": "2024-01-01"}) + "\n", "utf-8")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    out = ["-o", tmp_path / "out.jsonl"] if command == "label" else []
    result = run(command, src, *out, "--jobs", jobs, "--scheduler", address)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: worker processes ({jobs}) and a Dask cluster were both asked for; a cluster runs the job on its "
        "own workers (local:N starts N of them); try without --jobs\n"
    )
    assert not (tmp_path / "out.jsonl").exists()


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme", ["tcp", "tls", "ws", "wss"])
def test_a_scheduler_port_nothing_listens_on_is_refused_by_the_probe(scheme):
    """ws:// and wss:// (and tcp://) to a closed port had waited out distributed's 20 s connect
    timeout, and tls:// had raised a TypeError traceback: every scheme over TCP is now probed
    first, and a refused port ends at once with one line naming the address."""
    pytest.importorskip("distributed")
    from trendscore.integrations.dask import _probe

    port = _closed_port()
    address = f"{scheme}://127.0.0.1:{port}"
    with pytest.raises(
        trendscore.InputError,
        match=rf"^scheduler '{address}': cannot reach the scheduler \(nothing answers at 127\.0\.0\.1:{port}: ",
    ):
        _probe(address)


@pytest.mark.parametrize("address", ["ws://127.0.0.1:8786", "wss://localhost:8786", "tls://127.0.0.1:8786"])
def test_connect_probes_with_the_short_timeout_before_distributed_connects(run, tmp_path, monkeypatch, address):
    """The probe is what `--scheduler` runs first, with PROBE_TIMEOUT_S (not distributed's own
    connect timeout, which it spends retrying a refused port)."""
    pytest.importorskip("distributed")
    import socket

    from trendscore.integrations import dask as integration

    asked = []

    def refuse(where, timeout=None):
        asked.append((where, timeout))
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": TEXT}) + "\n", "utf-8")
    result = run("label", src, "-o", tmp_path / "out.jsonl", "--scheduler", address)
    assert result.exit_code == 2
    host = address.split("://")[1].rsplit(":", 1)[0]
    why = f"nothing answers at {host}:8786: Connection refused"
    assert result.output == f"Error: scheduler {address!r}: cannot reach the scheduler ({why})\n"
    assert asked == [((host, 8786), integration.PROBE_TIMEOUT_S)]
    assert integration.PROBE_TIMEOUT_S < integration.CONNECT_TIMEOUT_S


def _serve(handle):
    """Start a TCP server on 127.0.0.1 that passes each connection to ``handle(conn)`` in a
    thread of its own (the connection closed after it); returns its port and its ``close``."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def one(conn):
        with conn:
            try:
                handle(conn)
            except OSError:
                pass

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], server.close


@pytest.fixture
def banner_server():
    """A TCP server on 127.0.0.1 that greets each connection with an SSH banner, as an SSH
    server does; yields its port."""

    def greet(conn):
        conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
        while conn.recv(65536):  # until the client hangs up
            pass

    port, close = _serve(greet)
    yield port
    close()


def test_a_port_that_answers_but_is_no_scheduler_is_one_line(run, tmp_path, banner_server):
    """A scheduler address naming an SSH (or HTTP) server's port had ended in distributed's
    MemoryError traceback (its first bytes read as a frame count of exabytes), and tls://
    without a TLS configuration in a TypeError traceback: now one line each."""
    pytest.importorskip("distributed")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": TEXT}) + "\n", "utf-8")
    address = f"tcp://127.0.0.1:{banner_server}"
    result = run("label", src, "-o", tmp_path / "out.jsonl", "--scheduler", address)
    assert result.exit_code == 2
    assert (
        result.output
        == f"Error: scheduler {address!r}: what answers there is not a Dask scheduler (an HTTP or SSH server?)\n"
    )
    address = f"tls://127.0.0.1:{banner_server}"
    result = run("label", src, "-o", tmp_path / "out.jsonl", "--scheduler", address)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: scheduler {address!r}: cannot connect (TLS expects a `ssl_context`")
    assert result.output.count("\n") == 1 and not (tmp_path / "out.jsonl").exists()


def test_a_failed_connection_leaves_dask_s_default_scheduler_alone(banner_server):
    """distributed's Client makes itself Dask's default scheduler before it connects: a
    connect() that failed had left it so, and every later Dask computation in the process
    raised 'no Client active'."""
    import subprocess
    import sys

    pytest.importorskip("distributed")
    # in a process of its own, to see what is left at its exit: a client whose constructor
    # failed kept its IO-loop thread, and closed itself at exit waiting 40 s for a connection
    # that never was, with a traceback (and in the test suite's process once kept
    # distributed's next IO loop from starting)
    script = f"""
import threading
import dask, trendscore
from trendscore.integrations.dask import connect
before = dask.config.get("scheduler", None)
for address in ("tcp://127.0.0.1:{banner_server}", "tls://127.0.0.1:{banner_server}"):
    try:
        connect(address)
    except trendscore.InputError as exc:
        assert str(exc).startswith("scheduler '"), exc
    else:
        raise SystemExit("connected to " + address)
    assert dask.config.get("scheduler", None) == before
    assert not [t for t in threading.enumerate() if t.name == "IO loop"], "a failed client's IO loop is left"
assert dask.delayed(sum)([1, 2]).compute() == 3
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", ""), done.stderr[-2000:]


@pytest.mark.parametrize("server", ["silent", "http"])
def test_a_port_that_accepts_and_never_answers_is_one_line_not_a_hang(monkeypatch, server):
    """Found by a review: distributed reads a scheduler's handshake without a timeout, so a
    tcp:// port that accepts and then says nothing (a silent service; an HTTP server, which
    waits for the request's end) hung connect() for ever. A scheduler speaks first: the probe
    now waits CONNECT_TIMEOUT_S for its first byte."""
    pytest.importorskip("distributed")
    import http.server
    import socket
    import threading

    from trendscore.integrations import dask as integration

    if server == "http":
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        port = httpd.server_address[1]

        def stop():
            httpd.shutdown()
            httpd.server_close()

    else:
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port, stop = silent.getsockname()[1], silent.close
    monkeypatch.setattr(integration, "CONNECT_TIMEOUT_S", 1)
    address = f"tcp://127.0.0.1:{port}"
    outcome = []

    def attempt():
        try:
            outcome.append(integration.connect(address))
        except Exception as exc:  # noqa: BLE001 (what it raised is the point)
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(30)
    stop()
    assert not worker.is_alive(), "connect() still waiting after 30 s"
    assert isinstance(outcome[0], trendscore.InputError)
    assert str(outcome[0]) == (
        f"scheduler {address!r}: what answers there is not a Dask scheduler (it sent nothing within 1 s; an HTTP "
        "server?)"
    )


@pytest.fixture
def silent_websocket_server():
    """A server on 127.0.0.1 that completes each WebSocket handshake (the HTTP upgrade) and then
    says nothing, as a proxy or any other WebSocket service might; yields its port."""
    import base64
    import hashlib

    def upgrade(conn):
        request = b""
        while b"\r\n\r\n" not in request:
            more = conn.recv(4096)
            if not more:
                return
            request += more
        keys = [
            line.split(b":", 1)[1].strip() for line in request.split(b"\r\n") if b"sec-websocket-key:" in line.lower()
        ]
        accept = base64.b64encode(hashlib.sha1(keys[0] + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        while conn.recv(65536):  # silent until the client hangs up
            pass

    port, close = _serve(upgrade)
    yield port
    close()


def test_a_websocket_server_that_says_nothing_after_its_handshake_is_one_line_not_a_hang(silent_websocket_server):
    """docs/reliability.md had left this open: over ws:// (tls:// and wss:// alike) a server
    that completes its own handshake and then waits held connect() for ever, distributed
    reading Dask's handshake without a timeout. The whole connection is now bounded by
    START_TIMEOUT_S (1 s here), and what the attempt opened is closed: the process exits at
    once and prints nothing more."""
    import subprocess
    import sys

    pytest.importorskip("distributed")
    address = f"ws://127.0.0.1:{silent_websocket_server}"
    script = f"""
import trendscore
from trendscore.integrations import dask as integration
integration.START_TIMEOUT_S = 1
try:
    integration.connect({address!r})
except trendscore.InputError as exc:
    print(exc)
else:
    raise SystemExit("connected")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr[-2000:]
    assert done.stdout == (
        f"scheduler {address!r}: what answers there is not a Dask scheduler, or not one that answers (no Dask "
        "handshake within 1 s)\n"
    )


def test_a_dask_server_that_answers_its_handshake_and_then_nothing_is_not_called_no_scheduler():
    """Review finding: a server that sent Dask's handshake and then did not answer the client's
    requests (a scheduler too busy to answer) ran into distributed's own time limit, a
    TimeoutError, and was called 'not a Dask scheduler ... (no Dask handshake within 1 s)'.
    The message now says that a Dask server answered."""
    import subprocess
    import sys

    pytest.importorskip("distributed")
    script = """
import asyncio, logging, threading
import trendscore
from distributed.comm import listen
from trendscore.integrations import dask as integration

logging.getLogger("distributed").setLevel(logging.ERROR)  # (the probe leaves before the handshake)

async def never_answer(comm):  # the listener has exchanged Dask's handshake
    try:
        while True:
            await comm.read()
    except OSError:  # the client hung up (CommClosedError)
        pass

async def serve(ready):
    listener = listen("tcp://127.0.0.1:0", never_answer)
    await listener.start()
    ready.append(listener.contact_address)
    await asyncio.Event().wait()

ready = []
threading.Thread(target=asyncio.run, args=(serve(ready),), daemon=True).start()
while not ready:
    pass
integration.CONNECT_TIMEOUT_S = 1
try:
    integration.connect(ready[0])
except trendscore.InputError as exc:
    print(str(exc).replace(ready[0], "ADDRESS"))
else:
    raise SystemExit("connected")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr[-2000:]
    assert done.stdout == (
        "scheduler 'ADDRESS': a Dask server answers there but did not finish connecting the client within 1 s "
        "(a scheduler too busy to answer?)\n"
    )


def test_the_whole_connection_leaves_distributed_s_own_steps_their_time():
    """Review finding: START_TIMEOUT_S (40 s) bounded the connection to a scheduler below the
    sum of the three steps distributed bounds by CONNECT_TIMEOUT_S each (connecting, the
    scheduler's identity, its first message): a slow scheduler distributed would have connected
    to was refused."""
    from trendscore.integrations import dask as integration

    assert integration.START_TIMEOUT_S >= 3 * integration.CONNECT_TIMEOUT_S


def test_error_messages_are_one_line_whatever_they_quote():
    from trendscore.errors import one_line

    assert one_line("a\nb\r\x1b[0m\u202ec") == "a\\nb\\r\\x1b[0m\\u202ec"
    assert one_line("中文 text") == "中文 text"


def test_an_errors_advice_survives_the_trip_from_a_worker_process():
    """An InputError pickled in a worker (as a process pool returns it) had come back without
    its hint, so the CLI dropped the advice ('try --encoding NAME ...') from its line."""
    import pickle

    from trendscore.errors import ENCODING_HINT, InputError, OneLabel, SeedError, hinted

    for error in (InputError("bytes that are not valid utf-8", "a.jsonl", 9), SeedError("m", "s.jsonl", 2)):
        again = pickle.loads(pickle.dumps(hinted(error, ENCODING_HINT)))
        assert (type(again), str(again), again.hint) == (type(error), str(error), ENCODING_HINT)
    one = pickle.loads(pickle.dumps(hinted(OneLabel("one label", "policy", "s.jsonl"), ENCODING_HINT)))
    assert (one.label, one.path, one.hint) == ("policy", "s.jsonl", ENCODING_HINT)
    assert pickle.loads(pickle.dumps(InputError("m"))).hint is None
