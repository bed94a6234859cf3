"""The playground's web server: a Starlette app served by Uvicorn (the ``glassnet[web]`` extra).

    GET  /                   the page (static/index.html); /static/... its script and style, nothing else
    WS   /ws                 a frame (``frames.Viewer``) whenever the run changed, 12 to 20 a second
    POST /api/setup          new settings (JSON); POST /api/control/{run,pause,step,reset,seed}
    POST /api/upload?name=F  a CSV file as the request body, at most UPLOAD_LIMIT bytes
    GET  /api/export/model   the model file;  GET /api/export/script  a Python script that repeats the run

Every glassnet error comes back as ``{"error": "glassnet playground: error: ..."}`` (the command line's line) and
the session goes on as it was.
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import webbrowser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import GlassnetError, InputError
from ..tabular.csvfile import check_format, read_csv
from ..tabular.table import Table
from ..tabular.workflow import columns_named
from .frames import Viewer
from .script import script
from .session import UPLOAD, Session

STATIC = Path(__file__).parent / "static"
FRAME_RATE, MIN_RATE = 20, 12  # frames a second while the run changes: at most, and at least
DRAWING_SHARE = 0.2
UPLOAD_LIMIT = 50 * 1024 * 1024
FOLDER = "glassnet-playground-"  # then the server's process id: a folder left by a killed server is removed
# the page may load and connect to this server only (no CDN, no fonts, nothing elsewhere)
POLICY = ("default-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self'; script-src 'self'; "
          "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


FLAGS = re.compile(r"(pass|another) --(sep|decimal)\b|--na-values=")  # (an error that advises them for the file)
OPTIONS_HINT = " (in the playground: the separator, decimal mark and missing-cell fields beside the file chooser)"


def failure(exc: Exception, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": f"glassnet playground: error: {exc}"}, status_code=status)


class Playground:
    """The app's handlers around one ``Session`` and a ``Viewer`` for its frames."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.costs: list[float] = []  # milliseconds per frame, of every page's frames (the pacing and the README)
        remove_stale_folders()
        self.folder = tempfile.mkdtemp(prefix=f"{FOLDER}{os.getpid()}-")

    def close(self) -> None:
        """Remove the folder of uploads and exports."""
        shutil.rmtree(self.folder, ignore_errors=True)

    async def index(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    async def setup(self, request: Request) -> Response:
        try:
            spec = json.loads(await request.body() or b"null")
            await run_in_threadpool(self.session.setup, spec)
        except (GlassnetError, ValueError) as exc:  # (json's errors are ValueErrors)
            return failure(exc)
        except (RecursionError, MemoryError) as exc:
            return failure(unusable(exc))
        return JSONResponse({"ok": True})

    async def control(self, request: Request) -> Response:
        try:
            await run_in_threadpool(self.session.control, request.path_params["action"])
        except GlassnetError as exc:
            return failure(exc)
        return JSONResponse({"ok": True})

    async def upload(self, request: Request) -> Response:
        """Read the body into a file of our own (never more than UPLOAD_LIMIT bytes), then the CSV from it, with
        the page's separator (``sep``, "": found in the header), decimal mark and missing-cell tokens
        (``na_values``, comma-separated), as the command line's --sep, --decimal and --na-values."""
        query = request.query_params
        name = os.path.basename(query.get("name", "upload.csv")) or "upload.csv"
        try:
            decimal = query.get("decimal") or "."
            options = {"sep": check_format(query.get("sep") or None, decimal), "decimal": decimal,
                       "na_values": columns_named(query.get("na_values", ""), "--na-values")}
        except GlassnetError as exc:
            return failure(exc)
        too_big = InputError(f"{name} is larger than the playground's limit of {UPLOAD_LIMIT // 2**20} MB")
        if int(request.headers.get("content-length") or 0) > UPLOAD_LIMIT:
            return failure(too_big, 413)
        path, size = os.path.join(self.folder, "upload.csv"), 0
        with open(path, "wb") as f:
            async for chunk in request.stream():
                size += len(chunk)
                if size > UPLOAD_LIMIT:
                    return failure(too_big, 413)
                f.write(chunk)
        try:
            table = await run_in_threadpool(lambda: read_csv(path, name, **options))
            await run_in_threadpool(self.use, table)
        except GlassnetError as exc:
            return failure(InputError(f"{exc}{OPTIONS_HINT if FLAGS.search(str(exc)) else ''}"))
        except (RecursionError, MemoryError) as exc:
            return failure(unusable(exc))
        return JSONResponse({"ok": True, "columns": table.columns, "rows": len(table)})

    def use(self, table: Table) -> None:
        spec = {**asdict(self.session.run.settings), "dataset": UPLOAD, "target": "", "features": [0, 1],
                "tutorial": False}
        self.session.setup(spec, table)

    async def export_model(self, request: Request) -> Response:
        path = os.path.join(self.folder, "export.safetensors")
        await run_in_threadpool(self._save_model, path)
        return FileResponse(path, media_type="application/octet-stream", filename="playground.safetensors")

    def _save_model(self, path: str) -> None:
        with self.session.locked():  # (in a worker thread: the lock may wait for a whole epoch)
            model = self.session.run.model()
        model.save(path)

    def _script(self) -> str:
        with self.session.locked():
            return script(self.session.run)

    async def export_script(self, request: Request) -> Response:
        text = await run_in_threadpool(self._script)
        return Response(text, media_type="text/x-python",
                        headers={"content-disposition": 'attachment; filename="playground.py"'})

    def interval(self) -> float:
        """Seconds from one frame to the next: FRAME_RATE a second while drawing takes at most DRAWING_SHARE of the
        time (the training thread keeps the rest), slower for larger networks, but never under MIN_RATE."""
        costs = self.costs[-5:]
        cost = sorted(costs)[len(costs) // 2] / 1000 if costs else 0.0
        return min(max(1 / FRAME_RATE, cost / DRAWING_SHARE), 1 / MIN_RATE)

    async def frames(self, ws: WebSocket) -> None:
        """Push a frame whenever the run changed; stop when the page goes away."""
        await ws.accept()
        viewer = Viewer(self.session, self.costs)  # (one a page: a viewer's network is its page's alone)
        listening = asyncio.create_task(until_gone(ws))
        version, clock = -1, asyncio.get_running_loop().time
        try:
            while not listening.done():
                started = clock()
                frame = await run_in_threadpool(viewer.frame, version)
                if frame is not None:
                    version = frame["version"]
                    await ws.send_text(json.dumps(frame))
                await asyncio.wait([listening], timeout=max(0.0, started + self.interval() - clock()))
        except (WebSocketDisconnect, OSError):  # (gone while a frame was on its way)
            pass
        finally:
            listening.cancel()


async def until_gone(ws: WebSocket) -> None:
    """Returns when the page closes its end (it sends nothing that needs an answer)."""
    try:
        while True:
            await ws.receive_text()
    except WebSocketDisconnect:
        pass


class Secure:
    """ASGI middleware: every HTTP response carries the content security policy (the page may load from and
    connect to this server only) and forbids guessing content types; a request that would change something (any
    but GET and HEAD, and the WebSocket) from a page of another origin is refused, so that no other web site can
    drive the playground through the browser."""

    HEADERS = [(b"content-security-policy", POLICY.encode()), (b"x-content-type-options", b"nosniff")]

    def __init__(self, app: Any, hosts: frozenset[str] | None = None) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if foreign(scope) or (self.hosts is not None and host_of(scope) not in self.hosts):
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})
            return await JSONResponse({"error": "glassnet playground: error: a request from another web site"},
                                      status_code=403)(scope, receive, send)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


def unusable(exc: BaseException) -> InputError:
    """The one-line error for a request the server could not take in (nested too deeply, too large)."""
    what = "nested too deeply" if isinstance(exc, RecursionError) else "too large for this machine's memory"
    return InputError(f"the request is {what}")


def remove_stale_folders() -> None:
    """Remove the upload folders of playgrounds that are no longer running (killed, so they could not)."""
    for folder in glob.glob(os.path.join(tempfile.gettempdir(), FOLDER + "*-*")):
        pid = os.path.basename(folder)[len(FOLDER):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def host_of(scope: dict) -> str:
    """The name a request was sent to (its Host header without the port): a page of another web site whose name
    was made to point at 127.0.0.1 (DNS rebinding) still sends its own name, and is refused."""
    host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
    return host[1:host.index("]")] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]


def foreign(scope: dict) -> bool:
    """True for a WebSocket or a changing request whose Origin is not this server (the Host it was sent to)."""
    if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
        return False
    headers = dict(scope["headers"])
    origin = headers.get(b"origin")
    return origin is not None and origin.split(b"://", 1)[-1] != headers.get(b"host")


def create_app(session: Session, hosts: frozenset[str] | None = None) -> Starlette:
    """The Starlette app of a playground around ``session``; ``hosts``: the only names requests may be sent to
    (None: any, for tests' clients)."""
    p = Playground(session)
    routes = [Route("/", p.index), Route("/api/setup", p.setup, methods=["POST"]),
              Route("/api/control/{action}", p.control, methods=["POST"]),
              Route("/api/upload", p.upload, methods=["POST"]),
              Route("/api/export/model", p.export_model), Route("/api/export/script", p.export_script),
              WebSocketRoute("/ws", p.frames), Mount("/static", StaticFiles(directory=STATIC), name="static")]
    app = Starlette(routes=routes, middleware=[Middleware(Secure, hosts=hosts)])
    app.state.playground = p
    return app


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free one); a clear error if the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another playground running? "
                         "try --port)") from None
    sock.listen(64)
    return sock


def serve(session: Session, host: str, port: int, open_browser: bool) -> int:
    """Serve the playground until Ctrl-C: print its address on the first line, open a browser if asked."""
    import uvicorn

    sock = listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    print(url, flush=True)
    print("the glassnet playground: open the address above; Ctrl-C stops it", flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    app = create_app(session, frozenset({"127.0.0.1", "localhost", "::1", host}))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
        sock.close()
        app.state.playground.close()
    print("stopped", flush=True)
    return 0
