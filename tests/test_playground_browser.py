"""The playground page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; .ci/run installs
it), against `glassnet playground` running as a process: the controls and views by their data-testid, an upload, the
URL's state, and no request anywhere but 127.0.0.1."""

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="needs /usr/bin/chromium (Debian package chromium); CI installs it and never "
                                       "skips")
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn")
SRC = Path(gn.__file__).parent


@pytest.fixture(scope="module")
def url():
    proc = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "playground", "--no-browser", "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(SRC.parent)})
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 0


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "chromium is not installed: .ci/run installs it (apt-get install -y chromium)"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, url):
    """The page on the default setup, with every request it makes and every script error it meets recorded."""
    context = browser.new_context(viewport={"width": 1300, "height": 1200})
    page = context.new_page()
    page.requests, page.problems = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("websocket", lambda ws: page.requests.append(ws.url))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    expected = re.compile(r"Failed to load resource: .* status of (400|404)")  # (a bad file; the walls)
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" and not expected.match(m.text)
            else None)
    page.goto(url)
    settle(page)
    page.evaluate("""() => fetch('/api/setup', {method: 'POST', body: JSON.stringify({dataset: 'moons',
                       hidden: [6, 6], lr: 0.03, batch_size: 10})})""")
    page.wait_for_function("() => document.querySelector('#data-note').textContent.includes('6 tanh -> 6 tanh')")
    yield page
    local = re.compile(re.escape(url.replace("http://", "")))
    assert all(u.startswith("data:") or re.match(r"(http|ws)://", u) and local.match(u.split("//", 1)[1])
               for u in page.requests), page.requests
    assert page.problems == []
    context.close()


def settle(page):
    page.wait_for_function("() => window.glassnet && window.glassnet.frames > 0")


def text(page, testid):
    return page.text_content(f"[data-testid={testid}]")


def epoch(page):
    return int(text(page, "epoch"))


def wait_epoch(page, condition):
    page.wait_for_function(f"() => (e => {condition})(Number(document.querySelector('[data-testid=epoch]')"
                           ".textContent))")


def weights(page):
    return page.eval_on_selector_all("[data-testid=network] line[data-weight]", "ls => ls.map(l => l.dataset.weight)")


def boundary(page):
    return page.get_attribute("[data-testid=boundary]", "src")


def test_run_pause_step_reset(page):
    page.click("[data-testid=reset]")
    wait_epoch(page, "e === 0")
    start, picture = weights(page), boundary(page)
    assert len(start) == 2 * 6 + 6 * 6 + 6 * 2
    page.click("[data-testid=step]")
    wait_epoch(page, "e === 1")
    first_loss = float(text(page, "loss"))
    page.wait_for_function(f"() => document.querySelector('[data-testid=boundary]').src !== {picture!r}")
    page.click("[data-testid=run]")
    frames = page.evaluate("() => window.glassnet.frames")
    time.sleep(2)
    rate = (page.evaluate("() => window.glassnet.frames") - frames) / 2
    assert rate >= 10, f"{rate} updates a second"
    wait_epoch(page, "e >= 150")
    page.click("[data-testid=pause]")
    page.wait_for_selector("[data-testid=run]:not([disabled])")
    held = epoch(page)
    assert held >= 150 and float(text(page, "loss")) < first_loss / 2
    assert boundary(page) != picture
    time.sleep(0.5)
    assert epoch(page) == held  # pause holds
    page.click("[data-testid=step]")
    wait_epoch(page, f"e === {held + 1}")
    time.sleep(0.3)
    assert epoch(page) == held + 1
    page.click("[data-testid=reset]")
    wait_epoch(page, "e === 0")
    assert weights(page) == start and boundary(page) == picture


def test_an_upload_trains_and_a_bad_one_shows_the_cli_line(page, tmp_path):
    rng = np.random.default_rng(2)
    a, b, c = rng.normal(size=(3, 120))
    kind = np.where(a * b > 0, "same", "different")
    good = tmp_path / "signs.csv"
    good.write_text("a,b,c,kind\n" + "".join(f"{u:.4f},{v:.4f},{w:.4f},{k}\n" for u, v, w, k in zip(a, b, c, kind)))
    page.set_input_files("[data-testid=upload]", str(good))
    page.wait_for_function("() => document.querySelector('[data-testid=dataset]').value === 'upload'")
    options = page.eval_on_selector_all("[data-testid=target] option", "os => os.map(o => o.value)")
    assert options == ["a", "b", "c", "kind"] and page.input_value("[data-testid=target]") == "kind"
    page.click("[data-testid=run]")
    wait_epoch(page, "e >= 20")
    # better than a coin (waited for, not read once: on a busy machine the page may still show an early frame)
    page.wait_for_function("() => parseFloat(document.querySelector('[data-testid=loss]').textContent) < 0.69")
    page.click("[data-testid=pause]")
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    err = io.StringIO()
    with contextlib.chdir(tmp_path), contextlib.redirect_stderr(err):
        assert main(["train", "ragged.csv", "--target", "b"]) == 2
    expected = err.getvalue().strip().replace("glassnet train:", "glassnet playground:")
    page.set_input_files("[data-testid=upload]", str(bad))
    page.wait_for_function(f"() => document.querySelector('#error').textContent === {expected!r}")
    page.select_option("[data-testid=target]", "a")  # the server kept the good file: regression on column a
    page.wait_for_function("() => document.querySelector('#data-note').textContent.includes('regression')")
    page.wait_for_function("() => document.querySelector('#error').textContent === ''")  # (the setup's answer)
    page.click("[data-testid=step]")
    wait_epoch(page, "e === 1")
    comma = tmp_path / "comma.csv"  # (read with the page's decimal mark and missing-cell token)
    comma.write_text("a;b;y\n" + "".join(f"{u:.3f};{'n/a' if i % 7 == 0 else f'{v:.3f}'};{k}\n".replace(".", ",")
                                          for i, (u, v, k) in enumerate(zip(a, b, kind))))
    page.click("#read-options summary")
    page.select_option("[data-testid=decimal]", ",")
    page.fill("[data-testid=na-values]", "n/a")
    page.set_input_files("[data-testid=upload]", str(comma))
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=target] option')].map(o => o.value)"
                           ".join() === 'a,b,y'")
    assert page.text_content("#error") == ""


def test_a_late_answer_to_an_earlier_request_leaves_a_newer_error_shown(page, tmp_path):
    # pause may wait on the server for the epoch under way: its answer can come after that of an upload sent later
    page.evaluate("""() => {
      const real = window.fetch;
      window.held = new Promise(release => { window.release = release; });
      window.fetch = (u, o) => String(u).includes('/api/control/pause')
        ? window.held.then(() => real(u, o)).then(r => { window.answered = true; return r; }) : real(u, o);
    }""")
    page.click("[data-testid=run]")
    wait_epoch(page, "e >= 1")
    page.click("[data-testid=pause]")
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3\n")
    page.set_input_files("[data-testid=upload]", str(bad))
    page.wait_for_function("() => document.querySelector('#error').textContent.includes('ragged.csv line 3')")
    page.evaluate("() => window.release()")
    page.wait_for_function("() => window.answered")
    page.wait_for_timeout(300)
    assert "ragged.csv line 3" in page.text_content("#error")
    for layers in range(3, 7):  # (up to the page's limit of 6 hidden layers)
        page.click("#add-layer")
        page.wait_for_function(f"() => document.querySelector('#data-note').textContent.split('->').length "
                               f"=== {layers + 2}")
    page.evaluate("() => { window.answered = false; window.held = new Promise(r => { window.release = r; }); }")
    page.click("[data-testid=run]")
    page.click("[data-testid=pause]")  # (held again) then an error of the page's own, with no request
    page.click("#add-layer")
    page.wait_for_function("() => document.querySelector('#error').textContent.startsWith('at most 6 hidden')")
    page.evaluate("() => window.release()")
    page.wait_for_function("() => window.answered")
    page.wait_for_timeout(300)
    assert page.text_content("#error").startswith("at most 6 hidden layers")


def test_the_url_holds_the_setup_and_the_static_folder_holds_everything(page, url, browser):
    other = browser.new_page()
    other.goto(url + "#dataset=circles&hidden=3,5&activation=relu&lr=0.1")
    other.wait_for_function("() => document.querySelector('#data-note').textContent.includes('3 relu -> 5 relu')")
    assert other.input_value("[data-testid=dataset]") == "circles" and other.input_value("#lr") == "0.1"
    assert "hidden=3%2C5" in other.url and "activation=relu" in other.url  # (the page keeps its address current)
    other.goto(url + "#tutorial=true")
    other.wait_for_function("() => document.querySelector('#data-note').textContent.includes('3 -> 4 sigmoid')")
    assert other.is_checked("#tutorial")
    other.close()
    secret = (SRC / "web" / "server.py").read_text()[:100]
    answers = page.evaluate("""paths => Promise.all(paths.map(p => fetch(p).then(r => r.text().then(t =>
                                   [r.status, t.slice(0, 400)]))))""",
                            ["/static/../server.py", "/static/%2e%2e/server.py", "/static/..%2fserver.py",
                             "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static//etc/passwd", "/server.py"])
    for status, body in answers:
        assert status == 404 and secret not in body and "root:" not in body
    assert page.evaluate("() => fetch('/static/app.js').then(r => r.status)") == 200


def test_hover_tells_the_formula_and_the_tutorial_steps_have_their_names(page):
    page.select_option("#preset", label="The tutorial's 3-4-1 network")
    page.wait_for_function("() => document.querySelector('#data-note').textContent.includes('4 sigmoid -> 1 sigmoid')")
    assert "11-line" in page.text_content("#commentary")
    page.click("[data-testid=step]")
    wait_epoch(page, "e === 1")
    steps = page.text_content("#steps")
    for name in ("l0", "l1", "l2", "l2_delta", "l1_delta", "syn0", "syn1"):
        assert f"\n{name}: " in "\n" + steps, name
    assert "NumPy: l1_delta = l1_error * nonlin(l1, deriv=True)" in steps
    where = page.evaluate("""() => { const l = document.querySelector('[data-testid=network] line[data-layer="1"]');
                                     l.scrollIntoView(); const r = l.getBoundingClientRect();
                                     return [r.x + r.width / 2, r.y + r.height / 2, l.dataset.weight]; }""")
    page.mouse.move(where[0], where[1])
    page.wait_for_function("() => document.querySelector('#hover').textContent.startsWith('syn1[')")
    hover = page.text_content("#hover")
    assert "syn1 = syn1 + l1^T . l2_delta" in hover and re.match(r"syn1\[\d, 0\] = -?\d", hover)
    page.select_option("[data-testid=dataset]", "moons")  # leaving the tutorial
    page.wait_for_function("() => !document.querySelector('#tutorial').checked")
