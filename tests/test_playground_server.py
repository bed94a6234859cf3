"""The playground's server (glassnet.web) through Starlette's TestClient, and `glassnet playground` as a process:
frames over the WebSocket, the controls, settings and their limits, uploads and their errors (the command line's own
lines), exports checked against independent runs, the static folder's walls, and a clean stop on Ctrl-C."""

import contextlib
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")
with warnings.catch_warnings():  # (starlette 1.x would rather have httpx2, and says so; httpx serves the same)
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.cli import main  # noqa: E402
from glassnet.web import server  # noqa: E402
from glassnet.web.session import Session, Settings  # noqa: E402

SRC = Path(gn.__file__).parent


@pytest.fixture
def client():
    session = Session(Settings(hidden=[5]))
    app = server.create_app(session)
    with TestClient(app) as c:
        yield c
    session.close()
    app.state.playground.close()
    assert not os.path.exists(app.state.playground.folder)


def frames_until(ws, done, limit=200):
    """Frames from the socket until ``done(frame)``; the last one."""
    for _ in range(limit):
        frame = ws.receive_json()
        if done(frame):
            return frame
    raise AssertionError("no such frame")


def weights(frame):
    return [float(w) for w in re.findall(r'data-weight="([^"]+)"', frame["network"])]


def post(client, path, body=None):
    return client.post(path, content=b"" if body is None else json.dumps(body).encode())


def test_page_and_its_files_only(client):
    page = client.get("/")
    assert page.status_code == 200 and "data-testid=\"run\"" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    secret = (SRC / "web" / "server.py").read_text()[:200]
    for path in ["/static/../server.py", "/static/%2e%2e/server.py", "/static/..%2fserver.py",
                 "/static/%2e%2e%2fserver.py",
                 "/static/....//server.py", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/../pyproject.toml",
                 "/static/../../../pyproject.toml", "/static/.%2e/.%2e/__init__.py", "/server.py"]:
        answer = client.get(path)
        assert answer.status_code == 404 and secret not in answer.text and "root:" not in answer.text, path


def test_step_reset_and_the_same_weights(client):
    with client.websocket_connect("/ws") as ws:
        first = ws.receive_json()
        assert first["epoch"] == 0 and first["loss"] is None and not first["running"]
        start = weights(first)
        assert len(start) == 2 * 5 + 5 * 2  # moons: 2 inputs -> 5 -> 2 classes
        assert post(client, "/api/control/step").json() == {"ok": True}
        one = frames_until(ws, lambda f: f["epoch"] == 1)
        assert one["loss"] > 0 and weights(one) != start
        post(client, "/api/control/step")
        frames_until(ws, lambda f: f["epoch"] == 2)
        post(client, "/api/control/reset")
        again = frames_until(ws, lambda f: f["epoch"] == 0)
        assert weights(again) == start and again["chart"] == ""
        post(client, "/api/control/step")
        assert frames_until(ws, lambda f: f["epoch"] == 1)["loss"] == one["loss"]  # the same run again


def test_run_pause_and_the_frames(client):
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        post(client, "/api/control/run")
        frame = frames_until(ws, lambda f: f["epoch"] >= 30)
        assert frame["running"] and frame["boundary"]["png"].startswith("data:image/png;base64,")
        assert frame["units"]["ids"] == ["0,0", "0,1"] + [f"1,{j}" for j in range(5)]
        assert 'data-series="loss"' in frame["chart"] and 'data-series="val_loss"' in frame["chart"]
        post(client, "/api/control/pause")
        held = frames_until(ws, lambda f: not f["running"])["epoch"]
        time.sleep(0.3)
        with client.websocket_connect("/ws") as again:
            assert again.receive_json()["epoch"] == held


def test_exported_script_repeats_the_run_exactly(client, tmp_path):
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        post(client, "/api/setup", {"dataset": "circles", "hidden": [4, 3], "schedule": "cosine", "noise": 0.2,
                                    "weight_decay": 0.01, "batch_size": 16, "seed": 3})
        for _ in range(4):
            post(client, "/api/control/step")
        frame = frames_until(ws, lambda f: f["epoch"] == 4)
    script = tmp_path / "playground.py"
    script.write_text(client.get("/api/export/script").text)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(SRC.parent)}).stdout
    assert out.splitlines() == ["2 -> 4 tanh -> 3 tanh -> 2 softmax", f"epochs 4 loss {frame['loss']!r}"]


def test_exported_model_predicts_as_the_session(client, tmp_path):
    post(client, "/api/setup", {"dataset": "iris", "hidden": [6]})
    post(client, "/api/control/step")
    time.sleep(0.2)
    path = tmp_path / "model.safetensors"
    path.write_bytes(client.get("/api/export/model").content)
    model = gn.load_model(path)
    net = client.app.state.playground.session.run.net
    X = np.random.default_rng(0).normal(size=(10, 4))
    np.testing.assert_array_equal(model.network.predict(X), net.predict(X))
    assert model.preprocessing.target.classes == ["setosa", "versicolor", "virginica"]
    assert main(["evaluate", str(path), "iris"]) == 0


def test_a_playground_model_resumes_on_its_own_points_only(tmp_path, capsys):
    """The model file records the data's rows and fingerprint: spirals drawn with another noise are refused."""
    from glassnet.web.session import build_run

    for noise, name in ((0.3, "noisy"), (None, "plain")):
        run = build_run(Settings.parse({"dataset": "spirals", "hidden": [4], **({"noise": noise} if noise else {})}),
                        None)
        run.epoch()
        run.model().save(tmp_path / f"{name}.safetensors")
    assert main(["resume", str(tmp_path / "plain.safetensors"), "spirals", "--epochs", "1"]) == 0
    assert main(["resume", str(tmp_path / "noisy.safetensors"), "spirals", "--epochs", "1"]) == 2
    assert "spirals is not the data" in capsys.readouterr().err
    from glassnet.tabular.csvfile import read_csv  # an upload read with the page's "how to read it": so again

    upload = tmp_path / "u.csv"
    upload.write_text("a;c;y\n" + "".join(f"{i % 7},{i % 3};{-1 if i % 9 == 0 else i % 5};{'pq'[i % 2]}\n"
                                          for i in range(60)))
    run = build_run(Settings.parse({"dataset": "upload", "hidden": [4]}),
                    read_csv(upload, "u.csv", sep=";", decimal=",", na_values=["-1"]))
    run.epoch()
    run.model().save(tmp_path / "upload.safetensors")
    assert main(["resume", str(tmp_path / "upload.safetensors"), str(upload), "--epochs", "1"]) == 0


@pytest.mark.parametrize("spec, message", [
    ({"hidden": [4] * 7}, "hidden layers: at most 6 in the playground"),
    ({"hidden": [25]}, "neurons per layer (as many as the diagram draws): a whole number from 1 to 24; got 25"),
    ({"lr": "fast"}, "lr: a number from 1e-06 to 10; got 'fast'"),
    ({"activation": "softmax"}, "activation: one of tanh, relu, sigmoid, leaky_relu, linear"),
    ({"speed": 3}, "unknown setting(s) 'speed'"),
    ({"dataset": "nope"}, "unknown dataset 'nope'"),
    ({"dataset": "iris", "target": "colour"}, "lacks column(s)"),
    ({"dataset": "upload"}, "no file uploaded yet"),
])
def test_bad_settings_say_what_and_change_nothing(client, spec, message):
    before = client.app.state.playground.session.run
    answer = post(client, "/api/setup", spec)
    assert answer.status_code == 400 and answer.json()["error"].startswith("glassnet playground: error: ")
    assert message in answer.json()["error"]
    assert client.app.state.playground.session.run is before
    assert post(client, "/api/control/step").json() == {"ok": True}


def test_not_json_and_unknown_actions(client):
    assert "glassnet playground: error:" in client.post("/api/setup", content=b"{nope").json()["error"]
    assert "unknown action 'fly'" in post(client, "/api/control/fly").json()["error"]


def cli_error(argv, folder):
    """The one line `glassnet ...` prints for an error, run in ``folder``."""
    err = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stderr(err):
        assert main(argv) == 2
    return err.getvalue().strip()


@pytest.mark.parametrize("text", ["a,b\n1,2\n3\n", "", "a,b\n1,x\n2,3\n", "a,a\n1,2\n", "a,b\n1,\"2\n"])
def test_a_bad_upload_shows_the_command_line_error(client, tmp_path, text):
    (tmp_path / "bad.csv").write_text(text)
    answer = client.post("/api/upload?name=bad.csv", content=text.encode())
    expected = cli_error(["train", "bad.csv", "--target", "b"], tmp_path).replace("glassnet train:", "glassnet "
                                                                                   "playground:")
    if answer.status_code == 200:  # read but not trainable: the error comes with the setup
        assert "mixes numbers and text" in expected
        return
    hint = server.OPTIONS_HINT if server.FLAGS.search(expected) else ""  # (the page's fields, for the options)
    assert answer.status_code == 400 and answer.json()["error"] == expected + hint


def test_an_upload_trains_with_any_target(client):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 90))
    kind = np.where(a + b > 0.5, "<i>high</i>", np.where(a - b > 0, "east", "west"))
    text = "a,b,<b>kind</b>,y\n" + "".join(f"{u:.4f},{v:.4f},{k},{2 * u - v:.4f}\n" for u, v, k in zip(a, b, kind))
    post(client, "/api/setup", {"tutorial": True})  # (an upload leaves the tutorial)
    answer = client.post("/api/upload?name=../../mine.csv", content=text.encode())
    assert answer.json() == {"ok": True, "columns": ["a", "b", "<b>kind</b>", "y"], "rows": 90}
    with client.websocket_connect("/ws") as ws:
        frame = ws.receive_json()
        setup = frame["setup"]
        assert setup["source"] == "mine.csv" and setup["settings"]["target"] == "y" and setup["task"] == "regression"
        assert "blue above the mean target" in frame["boundary"]["note"]
        spec = {**setup["settings"], "target": "<b>kind</b>"}
        assert post(client, "/api/setup", spec).json() == {"ok": True}
        post(client, "/api/control/run")
        frame = frames_until(ws, lambda f: f["epoch"] >= 20)
        assert frame["setup"]["classes"] == ["<i>high</i>", "east", "west"] and frame["loss"] < 1.1
        assert "<i>" not in frame["network"] and "&lt;i&gt;high&lt;/i&gt;" in frame["network"]


def test_upload_limit(client, monkeypatch):
    monkeypatch.setattr(server, "UPLOAD_LIMIT", 1000)
    answer = client.post("/api/upload?name=big.csv", content=b"a,b\n" + b"1,2\n" * 300)
    assert answer.status_code == 413
    assert answer.json()["error"] == "glassnet playground: error: big.csv is larger than the playground's limit of 0 MB"
    assert post(client, "/api/control/step").json() == {"ok": True}


def start(*args):
    proc = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "playground", "--no-browser", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(SRC.parent)})
    return proc, proc.stdout.readline().strip()


def test_the_command_prints_its_address_first_and_stops_on_ctrl_c():
    proc, url = start("--port", "0", "iris", "--target", "species")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url), url
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /static/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
        with socket.socket() as other:  # the same port again: a clear error
            other.bind(("127.0.0.1", 0))
            taken = other.getsockname()[1]
            other.listen()
            second, _ = start("--port", str(taken))
            assert second.wait(30) == 2
            assert f"error: cannot listen on 127.0.0.1:{taken}" in second.stderr.read()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 0
        assert "stopped" in proc.stdout.read() and "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_the_command_refuses_bad_data_before_serving(tmp_path):
    assert cli_error(["playground", "missing.csv", "--no-browser"], tmp_path) == (
        "glassnet playground: error: missing.csv: no such file (nor a bundled dataset: circles, iris, moons, "
        "spirals, xor)")


def test_heat_maps_side_by_side_in_the_weights_colours():
    from glassnet.viz.report import NEGATIVE, POSITIVE
    from glassnet.web.frames import shade

    values = np.array([[0.0, 2.0, -1.0, 1.0], [0.0, 1.0, 3.0, -2.0]]).T  # two 2x2 pictures
    strip = shade(values, 2)
    assert strip.shape == (2, 4, 3)
    rgb = [tuple(int(c[k:k + 2], 16) for k in (1, 3, 5)) for c in (POSITIVE, NEGATIVE)]
    assert tuple(strip[0, 0]) == (255, 255, 255) and tuple(strip[0, 1]) == rgb[0]  # 0 white; the largest full
    assert tuple(strip[1, 0]) == tuple(np.round(255 - (255 - np.array(rgb[1])) * 0.5).astype(int))  # -1 of 2
    assert tuple(strip[1, 2]) == rgb[0] and tuple(strip[1, 3]) == tuple(np.round(255 - (255 - np.array(rgb[1]))
                                                                                 * 2 / 3).astype(int))


def test_the_tutorial_network_learns_as_the_tutorial_and_speaks_its_names(client, tmp_path):
    from glassnet.teach import tutorial

    assert post(client, "/api/setup", {"tutorial": True, "hidden": [9], "lr": 0.5}).json() == {"ok": True}
    with client.websocket_connect("/ws") as ws:
        first = ws.receive_json()
        assert first["setup"]["summary"] == "3 -> 4 sigmoid -> 1 sigmoid" and first["setup"]["settings"]["lr"] == 1.0
        assert [s["name"] for s in first["steps"]] == ["l0", "l1", "l2", "l2_error", "l2_delta", "l1_error",
                                                       "l1_delta", "syn1", "syn0"]
        assert first["layers"]["1"]["weights"] == "syn0" and first["layers"]["2"]["unit"] == "l2"
        assert "NumPy: syn1 += l1.T.dot(l2_delta)" in first["layers"]["2"]["lines"][-1]
        for _ in range(3):
            post(client, "/api/control/step")
        frame = frames_until(ws, lambda f: f["epoch"] == 3)
    reference = tutorial.two_layer()
    tutorial.train(reference, tutorial.Y_XOR, 3)
    np.testing.assert_array_equal(client.app.state.playground.session.run.net.flat, reference.flat)
    assert frame["loss"] == reference.history["loss"][-1]
    l1 = reference.layers[0].forward(tutorial.X, keep=False)  # the next step's l1: on the weights after 3 epochs
    np.testing.assert_allclose(frame["steps"][1]["value"], np.round(l1, 4))
    script = tmp_path / "tutorial.py"
    script.write_text(client.get("/api/export/script").text)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(SRC.parent)}).stdout
    assert out.splitlines()[1] == f"epochs 3 loss {frame['loss']!r}"


def test_divergence_and_failures_are_said_and_the_session_goes_on(client, monkeypatch):
    spec = {"dataset": "iris", "target": "sepal_length", "activation": "linear", "optimizer": "sgd", "lr": 10.0}
    assert post(client, "/api/setup", spec).json() == {"ok": True}
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        post(client, "/api/control/run")
        frame = frames_until(ws, lambda f: f["error"] is not None)
        assert frame["error"].startswith("glassnet playground: error: training diverged at epoch 1") and \
            not frame["running"] and "Try a smaller learning rate (now 10)" in frame["error"]
        assert post(client, "/api/setup", {**spec, "lr": 0.01}).json() == {"ok": True}
        run = client.app.state.playground.session.run
        monkeypatch.setattr(run, "epoch", lambda: 1 / 0)  # a failure glassnet did not foresee
        post(client, "/api/control/step")
        frame = frames_until(ws, lambda f: f["error"] is not None)
        assert frame["error"] == ("glassnet playground: error: training stopped (ZeroDivisionError: division by "
                                  "zero)") and frame["epoch"] == 0
        monkeypatch.undo()
        post(client, "/api/control/step")
        assert frames_until(ws, lambda f: f["epoch"] == 1)["error"] is None


def test_new_seed_draws_other_weights(client):
    with client.websocket_connect("/ws") as ws:
        first = ws.receive_json()
        post(client, "/api/control/seed")
        second = frames_until(ws, lambda f: f["setup"]["settings"]["seed"] != 0)
        assert weights(second) != weights(first) and second["epoch"] == 0
        spec = {**second["setup"]["settings"], "seed": 0}
        post(client, "/api/setup", spec)
        assert weights(frames_until(ws, lambda f: f["setup"]["settings"]["seed"] == 0)) == weights(first)


def test_other_web_sites_cannot_drive_it(client):
    from starlette.websockets import WebSocketDisconnect

    evil = {"origin": "http://evil.example"}
    answer = client.post("/api/control/run", headers=evil)
    assert answer.status_code == 403 and "another web site" in answer.json()["error"]
    assert client.post("/api/upload?name=a.csv", content=b"a,b\n1,2\n", headers=evil).status_code == 403
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=evil) as ws:
        ws.receive_json()
    assert not client.app.state.playground.session.running
    same = {"origin": "http://testserver"}
    assert client.post("/api/control/step", headers=same).json() == {"ok": True}
    assert client.get("/", headers=evil).status_code == 200  # (reading the page changes nothing)


def test_a_page_of_another_name_pointed_at_this_machine_gets_nothing():
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 sends Host and Origin of its own,
    which agree; the server answers only requests sent to its own names."""
    from starlette.websockets import WebSocketDisconnect

    session = Session(Settings(hidden=[5]))
    app = server.create_app(session, frozenset({"127.0.0.1", "localhost", "::1"}))
    try:
        with TestClient(app, base_url="http://evil.example:8765") as evil:
            both = {"origin": "http://evil.example:8765"}
            assert evil.post("/api/control/run", headers=both).status_code == 403
            assert evil.get("/api/export/model").status_code == 403
            with pytest.raises(WebSocketDisconnect), evil.websocket_connect("/ws", headers=both) as ws:
                ws.receive_json()
        with TestClient(app, base_url="http://127.0.0.1:8765") as own:
            assert own.post("/api/control/step", headers={"origin": "http://127.0.0.1:8765"}).json() == {"ok": True}
            assert own.get("/").status_code == 200
        with TestClient(app, base_url="http://[::1]:8765") as own:
            assert own.get("/").status_code == 200
    finally:
        session.close()
        app.state.playground.close()


def test_an_id_column_is_refused_before_it_fills_the_memory(client):
    rows = "".join(f"id{i},{i % 7},{'ab'[i % 2]}\n" for i in range(3000))
    answer = client.post("/api/upload?name=ids.csv", content=("patient,x,y\n" + rows).encode())
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert "ids.csv makes" in error and "column 'patient' alone" in error and "at most 1000" in error
    assert post(client, "/api/control/step").json() == {"ok": True}  # (the session goes on)


def test_requests_too_deep_get_a_line_not_a_traceback(client):
    answer = client.post("/api/setup", content=b"[" * 100_000 + b"]" * 100_000)
    assert answer.status_code == 400 and answer.json()["error"].startswith("glassnet playground: error: ")


def test_folders_of_killed_playgrounds_are_removed(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{server.FOLDER}{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "upload.csv").write_text("a,b\n1,2\n")
    mine = tmp_path / f"{server.FOLDER}{os.getpid()}-xyz"
    mine.mkdir()
    server.remove_stale_folders()
    assert not stale.exists() and mine.exists()


def test_the_command_reads_a_csv_with_its_separator_decimal_mark_and_missing_cells(tmp_path, monkeypatch):
    path = tmp_path / "comma.csv"
    path.write_text("a;b;y\n" + "".join(f"{i},5;{'-999' if i == 3 else i % 3};{i % 2}\n" for i in range(20)))
    served = []
    monkeypatch.setattr(server, "serve", lambda session, host, port, browser: served.append(session) or 0)
    assert main(["playground", str(path), "--decimal", ",", "--na-values=-999", "--no-browser"]) == 0
    table = served[0].upload
    np.testing.assert_array_equal(table.numbers("a")[:3], [0.5, 1.5, 2.5])
    assert np.isnan(table.numbers("b")[3])


def test_an_upload_is_read_with_the_pages_separator_decimal_mark_and_missing_tokens(client, tmp_path):
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(2, 80)).round(3)
    cells = [(str(u).replace(".", ","), "-999" if i % 9 == 0 else str(v).replace(".", ","), "yes" if u > v else "no")
             for i, (u, v) in enumerate(zip(a, b))]
    text = "a|b|y\n" + "".join("|".join(row) + "\n" for row in cells)
    plain = client.post("/api/upload?name=eu.csv", content=text.encode())  # (the separator '|' is found)
    assert plain.status_code == 400
    assert "pass --decimal ," in plain.json()["error"] and plain.json()["error"].endswith(server.OPTIONS_HINT)
    query = "name=eu.csv&sep=%7C&decimal=%2C&na_values=-999"
    answer = client.post("/api/upload?" + query, content=text.encode())
    assert answer.json() == {"ok": True, "columns": ["a", "b", "y"], "rows": 80}
    table = client.app.state.playground.session.upload
    assert np.isnan(table.data["b"][0]) and table.data["a"][1] == float(a[1])  # (-999 missing; '0,5' is 0.5)
    (tmp_path / "eu.csv").write_text(text)
    script = client.get("/api/export/script").text
    assert "read_csv('eu.csv', sep='|', decimal=',', na_values=['-999'])" in script
    script = script.replace("read_csv('eu.csv'", f"read_csv({str(tmp_path / 'eu.csv')!r}")
    (tmp_path / "run.py").write_text(script)
    done = subprocess.run([sys.executable, str(tmp_path / "run.py")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(SRC.parent)})
    assert done.returncode == 0, done.stderr[-2000:]
    for bad, message in (("sep=%3B%3B", "--sep must be one character"), ("decimal=x", "--decimal must be")):
        answer = client.post(f"/api/upload?name=eu.csv&{bad}", content=text.encode())
        assert answer.status_code == 400 and message in answer.json()["error"]
    wrong = client.post("/api/upload?name=eu.csv&sep=%3B", content=text.encode())  # (';': one column)
    assert wrong.json()["error"].endswith("read with another --sep?" + server.OPTIONS_HINT)
    empty = client.post("/api/upload?name=my--decimal.csv", content=b"")  # (a name that looks like an option)
    assert "is empty" in empty.json()["error"] and server.OPTIONS_HINT not in empty.json()["error"]
    named = client.post("/api/upload?name=moons", content=b"a,y\n1,x\n2,z\n3,x\n4,z\n")  # (a bundled name)
    assert named.json()["ok"] and "table = read_csv('moons')" in client.get("/api/export/script").text
