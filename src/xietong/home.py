"""``GET /`` says where things are; GraphiQL is served from files inside the package.

A newcomer who opens the service's address should find the API, not a bare 404; a clerk on an
offline government network should get a working GraphiQL, not a blank page waiting for a CDN.
"""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, Router, get
from litestar.datastructures import State
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).resolve().parent / "static"
GRAPHIQL_DIR = STATIC_DIR / "graphiql"
STATIC_PATH = "/static"

_DOCS = (
    "README.md and docs/ in the source repository: the domain (docs/domain.md), the rules "
    "R-1…R-18 (docs/rules.md), access (docs/access.md), decisions (docs/decisions.md)"
)


@cache
def graphiql_html() -> str:
    return (GRAPHIQL_DIR / "index.html").read_text(encoding="utf-8")


def static_files() -> Router:
    """The GraphiQL assets (only mounted when GraphiQL is on)."""
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        include_in_schema=False,
        name="static",
    )


def _links(state: State) -> dict[str, Any]:
    graphiql = state.settings.graphql.graphiql
    return {
        "service": "协同 Xietong — 公共资源交易协同监管 (supervision of public-resource trading)",
        "graphql": "/graphql",
        "graphiql": "/graphql" if graphiql else None,
        "health": {"live": "/health/live", "ready": "/health/ready"},
        "metrics": "/metrics",
        "docs": _DOCS,
        "howToCall": (
            'POST /graphql with a JSON body {"query": "…", "variables": {…}}'
            + ("; open /graphql in a browser for GraphiQL" if graphiql else "")
        ),
    }


@get("/", include_in_schema=False, cache=False, sync_to_thread=False)
def home(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """JSON for programs; a short page for browsers."""
    links = _links(state)
    if request.accept.best_match([MediaType.JSON, MediaType.HTML]) != MediaType.HTML:
        return Response(links, media_type=MediaType.JSON)
    ide = (
        '<li><a href="/graphql">GraphiQL</a>: write and run queries in the browser, with the '
        "schema's documentation in its Docs panel</li>"
        if links["graphiql"]
        else ""
    )
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>协同 Xietong</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.5">
<h1>协同 Xietong</h1>
<p>{escape(links["service"])}</p>
<ul>
<li><code>POST /graphql</code>: the GraphQL API ({escape(links["howToCall"])})</li>
{ide}
<li><a href="/health/ready">/health/ready</a>: whether the service can take requests</li>
</ul>
<p>Documentation: {escape(links["docs"])}.</p>
</body></html>
"""
    return Response(page, media_type=MediaType.HTML)
