"""The playground (``glassnet playground``, extra ``glassnet[web]``): a page in the browser that trains a network on
the real glassnet engine and shows it learn.

``session`` holds the run and the thread that trains it, ``frames`` turns a snapshot into one update of the page
(drawn by ``glassnet.viz``), ``server`` is the Starlette app that serves the page and pushes the updates over a
WebSocket, and ``static/`` is the page itself: plain HTML, CSS and JavaScript, nothing fetched from elsewhere.
"""
