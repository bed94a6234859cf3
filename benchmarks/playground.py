"""The playground's figures (issue 14): updates a second delivered to a page in headless Chromium, the cost of
building one update (ms), and the training speed with a page watching, with a bare WebSocket client taking the
frames (the server's own cost) and with nobody watching; optionally the README's screenshot.

    python benchmarks/playground.py                                   # prints a Markdown table
    python benchmarks/playground.py --screenshot docs/playground.png  # and takes the screenshot

Needs glassnet[web], playwright (the Python package) and Debian's chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPS = {"moons, 2 -> 8 -> 8 -> 2": {"dataset": "moons", "hidden": [8, 8]},
          "spirals, 2 -> 16 -> 16 -> 16 -> 2": {"dataset": "spirals", "hidden": [16, 16, 16], "lr": 0.01},
          "iris, 4 -> 6 x 24 -> 3 (the largest)": {"dataset": "iris", "hidden": [24] * 6}}


def setup(page, spec: dict) -> None:
    page.evaluate("s => fetch('/api/setup', {method: 'POST', body: JSON.stringify(s)})", spec)
    page.wait_for_function("n => document.querySelector('#data-note').textContent.includes(n)",
                           arg=f"{spec['hidden'][-1]} tanh -> ")


def epoch(page) -> int:
    return int(page.text_content("[data-testid=epoch]"))


def quiet_cost(spec: dict) -> float:
    """Median ms to build one update and turn it into JSON, in this process, with training paused: the cost alone."""
    sys.path.insert(0, str(ROOT / "src"))
    from glassnet.web.frames import Viewer
    from glassnet.web.session import Session

    session = Session()
    session.setup(spec)
    viewer, costs = Viewer(session), []
    viewer.frame()
    for _ in range(30):
        began = time.perf_counter()
        json.dumps(viewer.frame())
        costs.append((time.perf_counter() - began) * 1000)
    session.close()
    return statistics.median(costs)


def epoch_now(url: str) -> int:
    """The epoch, from the first frame a fresh WebSocket connection gets."""
    from websockets.sync.client import connect

    with connect(url.replace("http://", "ws://") + "ws") as ws:
        return json.loads(ws.recv())["epoch"]


def bare_client(url: str, seconds: float) -> tuple[float, float]:
    """(epochs a second, frames a second) while a client that only receives the frames is connected."""
    from websockets.sync.client import connect

    with connect(url.replace("http://", "ws://") + "ws", max_size=2**26) as ws:
        first = json.loads(ws.recv())["epoch"]
        began, frames = time.perf_counter(), 0
        while time.perf_counter() - began < seconds:
            last = json.loads(ws.recv())["epoch"]
            frames += 1
        took = time.perf_counter() - began
    return (last - first) / took, frames / took


def measure(page, url: str, seconds: float) -> dict:
    """Run for ``seconds`` with the page watching, as long with a bare WebSocket client, as long with nobody."""
    page.click("[data-testid=run]")
    time.sleep(0.5)
    frames, costs_before, start, began = (page.evaluate("() => window.glassnet.frames"),
                                          page.evaluate("() => window.glassnet.costs.length"), epoch(page),
                                          time.perf_counter())
    time.sleep(seconds)
    watched = (epoch(page) - start) / (time.perf_counter() - began)
    rate = (page.evaluate("() => window.glassnet.frames") - frames) / (time.perf_counter() - began)
    costs = page.evaluate("() => window.glassnet.costs")[costs_before - 500 if costs_before > 500 else costs_before:]
    page.goto("about:blank")  # no page: a bare WebSocket client takes the frames (the server's cost alone)
    bare, frames_bare = bare_client(url, seconds)
    start, began = epoch_now(url), time.perf_counter()
    time.sleep(seconds)  # nobody watching: no frames are built
    alone = (epoch_now(url) - start) / (time.perf_counter() - began)
    page.goto(url)
    page.wait_for_function("() => window.glassnet.frames > 0")
    page.click("[data-testid=pause]")
    return {"updates/s": rate, "ms/update (median)": statistics.median(costs), "ms/update (90%)":
            sorted(costs)[int(0.9 * len(costs))], "epochs/s watched": watched,
            "epochs/s, frames to a bare client": bare, "updates/s to it": frames_bare, "epochs/s unwatched": alone}


def screenshot(page, path: str) -> None:
    page.select_option("#preset", label="Spirals need depth")
    page.wait_for_function("() => document.querySelector('#commentary').textContent.length > 0")
    page.click("[data-testid=run]")
    time.sleep(6)
    box = page.evaluate("""() => { const r = document.querySelector("#network circle[data-unit='2,3']")
                                   .getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }""")
    page.mouse.move(*box)
    time.sleep(1.2)  # (the updates-a-second counter counts a whole second)
    page.screenshot(path=path, full_page=True)
    page.click("[data-testid=pause]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--screenshot", metavar="PNG")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "playground", "--no-browser", "--port", "0"],
                              stdout=subprocess.PIPE, text=True, env=env)
    url = server.stdout.readline().strip()
    rows = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1300, "height": 1250})
            page.goto(url)
            page.wait_for_function("() => window.glassnet.frames > 0")
            for name, spec in SETUPS.items():
                setup(page, spec)
                rows[name] = {"ms/update, paused": quiet_cost(spec), **measure(page, url, args.seconds)}
            if args.screenshot:
                screenshot(page, args.screenshot)
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(15)
    keys = list(next(iter(rows.values())))
    print("| network | " + " | ".join(keys) + " |\n|---|" + "---|" * len(keys))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{row[k]:.1f}" for k in keys) + " |")
    print(json.dumps({"cpus": os.cpu_count(), "load": os.getloadavg()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
