"""`GET /` points the way; GraphiQL works on an offline network (every asset from the service)."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from tests.conftest import Database
from tests.support import GraphQLClient, graphql_client
from xietong.config import GraphQLSettings

EXTERNAL = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}|@import", re.IGNORECASE)


class References(HTMLParser):
    """Every URL the page makes a browser load: scripts, stylesheets, images, frames, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[tuple[str, str | None]] = []  # (url, integrity)
        self.inline: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "data", "poster", "srcset", "action"):
            url = values.get(name)
            if url is not None and not (tag == "a" and name == "href"):
                self.loaded.append((url, values.get("integrity")))
        self._in_code = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_code = False

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.inline.append(data)


def sri(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


async def test_graphiql_loads_nothing_from_outside_the_service(gql: GraphQLClient) -> None:
    page = await gql.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    refs = References()
    refs.feed(page.text)
    assets = [(url, integrity) for url, integrity in refs.loaded if not url.startswith("data:")]
    assert len(assets) == 6, refs.loaded  # react, react-dom, graphiql js+css, explorer js+css
    for url, integrity in assets:
        assert url.startswith("/static/graphiql/"), f"{url} is not served by the service"
        asset = await gql.http.get(url)
        assert asset.status_code == 200, url
        assert integrity == sri(asset.content), f"{url} differs from its integrity hash"
        if url.endswith(".css"):
            urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", asset.text)
            assert all(u.startswith("data:") for u in urls), url
            assert "@import" not in asset.text
        else:
            # no script that would pull in another from a CDN (docs links in messages are fine)
            assert not re.search(r"https://(unpkg\.com|cdn\.jsdelivr\.net|cdnjs)", asset.text)
    for code in refs.inline:
        assert not EXTERNAL.search(code), EXTERNAL.search(code)


async def test_home_points_to_graphql_and_the_docs(gql: GraphQLClient) -> None:
    answer = await gql.http.get("/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["graphql"] == "/graphql"
    assert body["graphiql"] == "/graphql"
    assert "docs/rules.md" in body["docs"]
    page = await gql.http.get("/", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/graphql"' in page.text


async def test_without_graphiql_neither_the_page_nor_its_assets_are_served(
    seeded_db: Database,
) -> None:
    async with graphql_client(seeded_db, graphql=GraphQLSettings(graphiql=False)) as off:
        assert (await off.http.get("/static/graphiql/graphiql.min.js")).status_code == 404
        page = await off.http.get("/graphql", headers={"accept": "text/html"})
        assert "GraphiQL" not in page.text
        assert (await off.http.get("/")).json()["graphiql"] is None
