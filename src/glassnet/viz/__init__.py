"""Drawing: the HTML report (with its SVG charts and network diagram), decision boundaries as pixels, a
minimal PNG writer, and matplotlib pictures (the ``glassnet[plot]`` extra)."""
