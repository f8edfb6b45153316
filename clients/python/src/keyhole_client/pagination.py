"""Lists: an iterator over every item of every page, following `next_cursor`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


class Paginator(Generic[T]):
    """Iterate it for the items (pages are fetched as the loop reaches them), or call `pages()`.

    `kh.links.list(status="all")` asks for nothing until it is iterated; `list(...)` of it reads
    every page. `first_page()` reads one page and gives its cursor, to resume later with `cursor=`.
    """

    def __init__(
        self,
        fetch: Callable[[str | None], tuple[list[Any], str | None]],
        parse: Callable[[Any], T],
        cursor: str | None = None,
    ) -> None:
        self._fetch = fetch
        self._parse = parse
        self._cursor = cursor

    def pages(self) -> Iterator[Page[T]]:
        cursor = self._cursor
        while True:
            items, cursor = self._fetch(cursor)
            yield Page([self._parse(item) for item in items], cursor)
            if not cursor:
                return

    def first_page(self) -> Page[T]:
        return next(self.pages())

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items
