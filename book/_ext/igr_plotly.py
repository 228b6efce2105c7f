"""Draws the notebooks' Plotly outputs (application/vnd.plotly.v1+json) as interactive figures.

myst-nb has no renderer for Plotly's MIME type, so without this the book would show each
figure's PNG fallback. This renderer outranks the PNG, writes the figure JSON into the page and
lets igr-plotly.js (book/_assets/) draw it with the local plotly.min.js, which is added only to the
pages that have a figure.

myst-nb finds MIME renderers through the `myst_nb.mime_renderers` entry point group, which would
need an installed package; a local extension registers itself by wrapping myst-nb's loader.
"""
import html
import json

from docutils import nodes
from myst_nb.core import render

PLOTLY_MIME = "application/vnd.plotly.v1+json"
MARKER = "igr-plotly"


class PlotlyMimeRenderer:
    # Above image/png (which myst-nb ranks at 30 or so) for every builder.
    mime_priority_overrides = [("*", PLOTLY_MIME, 1)]

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type != PLOTLY_MIME:
            return None
        figure = data.content if isinstance(data.content, dict) else json.loads(data.content)
        # "</" inside a <script> would end it early; \u003c is the same character to JSON.
        payload = json.dumps(figure, separators=(",", ":")).replace("<", "\\u003c")
        width = figure.get("layout", {}).get("width")
        style = f' style="max-width:{int(width)}px"' if isinstance(width, (int, float)) else ""
        markup = (
            f'<div class="{MARKER}"{style}>'
            f'<script type="application/json">{payload}</script></div>'
        )
        return [nodes.raw("", markup, format="html", classes=["output"])]


_original_loader = render.load_mime_renders


def _load_mime_renders():
    return [*_original_loader(), PlotlyMimeRenderer]


def _add_plotly_where_needed(app, pagename, templatename, context, doctree):
    # Called per page: Sphinx then adds these scripts to this page only.
    if MARKER in context.get("body", ""):
        app.add_js_file("plotly.min.js")
        app.add_js_file("igr-plotly.js")


def _drop_thebe(app, pagename, templatename, context, doctree):
    # Thebe (run cells on a remote kernel) is off in this book, yet sphinx-thebe, which Jupyter
    # Book 1 always loads, writes its config script twice per page: the second copy throws
    # "Identifier 'THEBE_JS_URL' has already been declared".
    def is_thebe(script):
        return "thebe" in str(getattr(script, "filename", "") or "") or "THEBE_JS_URL" in str(getattr(script, "attributes", {}).get("body", ""))

    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not is_thebe(s)]


def setup(app):
    render.load_mime_renders = _load_mime_renders
    app.connect("html-page-context", _add_plotly_where_needed)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.add_css_file("igr-book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
