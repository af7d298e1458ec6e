"""Property tests of the pure pager step, page parsing and the paging loop."""

from __future__ import annotations

import math
from collections.abc import Callable

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bento_async import Page, PageMeta, Tag
from bento_async._paging import PagerState, page_parser, paginate, parse_meta, step

MetaStyle = str  # "none", "page", "per_page", "total", "total_pages", "all"
META_STYLES = ("none", "page", "per_page", "total", "total_pages", "all")


def honest_server(
    items: list[int], size: int, style: MetaStyle
) -> Callable[[int], tuple[list[int], PageMeta | None]]:
    """A server holding `items`, `size` to a page, telling as much as `style` says."""
    pages = max(1, math.ceil(len(items) / size))

    def fetch(number: int) -> tuple[list[int], PageMeta | None]:
        chunk = items[(number - 1) * size : number * size]
        meta = {
            "none": None,
            "page": PageMeta(page=number),
            "per_page": PageMeta(page=number, per_page=size),
            "total": PageMeta(total=len(items)),
            "total_pages": PageMeta(page=number, total_pages=pages),
            "all": PageMeta(number, size, len(items), pages, len(chunk)),
        }[style]
        return chunk, meta

    return fetch


def drive(
    fetch: Callable[[int], tuple[list[int], PageMeta | None]],
    *,
    start: int = 1,
    page_size: int | None = None,
    limit: int = 1000,
) -> tuple[list[list[int]], int]:
    """Run the pure step against `fetch`; return the pages yielded and the fetch count."""
    state, emitted, fetches = PagerState(start), [], 0
    while state.next_page is not None:
        fetches += 1
        assert fetches <= limit, "the pager did not stop"
        items, meta = fetch(state.next_page)
        decision = step(state, state.next_page, items, meta, page_size)
        if decision.emit:
            emitted.append(items)
        state = decision.state
    return emitted, fetches


@given(
    st.lists(st.integers(), max_size=120, unique=True),
    st.integers(min_value=1, max_value=30),
    st.sampled_from(META_STYLES),
)
def test_every_item_once_in_order(items: list[int], size: int, style: MetaStyle) -> None:
    """Against an honest server the pager yields every item exactly once, in order."""
    emitted, _ = drive(honest_server(items, size, style))
    assert [item for page in emitted for item in page] == items
    assert all(page for page in emitted)


@given(
    st.lists(st.integers(), max_size=120, unique=True),
    st.integers(min_value=1, max_value=30),
    st.sampled_from(META_STYLES),
)
def test_fetches_at_most_one_page_too_many(items: list[int], size: int, style: MetaStyle) -> None:
    """The pager asks for one extra (empty) page at most: none when meta tells the total,
    and with only ``per_page`` one just when the last page is full."""
    pages = max(1, math.ceil(len(items) / size))
    _, fetches = drive(honest_server(items, size, style))
    assert fetches <= pages + 1
    if style in ("total", "total_pages", "all") and items:
        assert fetches == pages
    if style == "per_page" and items:
        assert fetches == pages + (1 if len(items) % size == 0 else 0)


@given(st.lists(st.integers(), max_size=250, unique=True))
def test_documented_page_size_ends_on_a_short_page(items: list[int]) -> None:
    """With the page size the endpoint documents (search: 100), a short page is the last."""
    pages = max(1, math.ceil(len(items) / 100))
    emitted, fetches = drive(honest_server(items, 100, "page"), page_size=100)
    assert [i for page in emitted for i in page] == items
    assert fetches == pages + (1 if items and len(items) % 100 == 0 else 0)


@given(st.lists(st.integers(), min_size=1, max_size=40), st.sampled_from(("none", "total")))
def test_server_ignoring_page_is_read_once(items: list[int], style: MetaStyle) -> None:
    """An endpoint that ignores `page` (returns the same list) is yielded once, not forever."""
    meta = PageMeta(total=len(items) * 10) if style == "total" else None
    emitted, fetches = drive(lambda _: (items, meta))
    assert emitted == [items]
    assert fetches == 2


@given(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=5))
def test_clamped_page_is_not_repeated(count: int, size: int) -> None:
    """A server answering the last page for any page past it (meta.page says so) stops the pager."""
    items = list(range(count))
    last = max(1, math.ceil(count / size))

    def clamping(number: int) -> tuple[list[int], PageMeta]:
        shown = min(number, last)
        return items[(shown - 1) * size : shown * size], PageMeta(page=shown)

    emitted, _ = drive(clamping)
    assert [i for page in emitted for i in page] == items


@given(st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=60))
def test_start_skips_earlier_pages(start: int, count: int) -> None:
    """Starting at page `start` yields exactly the items from that page on."""
    items = list(range(count))
    emitted, _ = drive(honest_server(items, 7, "none"), start=start)
    assert [i for page in emitted for i in page] == items[(start - 1) * 7 :]


def test_empty_first_page_yields_nothing() -> None:
    """An empty list costs one request and yields no page."""
    assert drive(lambda _: ([], None)) == ([], 1)


@given(
    st.dictionaries(
        st.sampled_from(["page", "per_page", "total", "total_pages", "count", "query"]),
        st.one_of(st.integers(), st.text(max_size=4), st.none(), st.booleans()),
    )
)
def test_parse_meta_is_lenient(raw: dict[str, object]) -> None:
    """Any meta object parses; counts that are not integers are left out, the rest is kept."""
    meta = parse_meta(raw)
    assert meta is not None
    assert meta.raw == raw
    for name in ("page", "per_page", "total", "total_pages", "count"):
        value = getattr(meta, name)
        assert value is None or isinstance(value, int)
        if isinstance(raw.get(name), int) and not isinstance(raw.get(name), bool):
            assert value == raw[name]


@pytest.mark.parametrize(
    ("payload", "names", "meta"),
    [
        ({"data": [{"id": "1", "attributes": {"name": "a"}}]}, ["a"], None),
        ({"data": None}, [], None),
        ({"data": [], "meta": {"page": 2, "total": 0}}, [], PageMeta(page=2, total=0)),
        ({"broadcasts": [{"id": "1", "name": "go"}]}, ["go"], None),
        ([{"id": "1", "name": "bare"}], ["bare"], None),
    ],
)
def test_page_parser_shapes(payload: object, names: list[str], meta: PageMeta | None) -> None:
    """A page parses from `data`, an alternative list key, or a bare array."""
    page = page_parser(Tag, 2, ("data", "broadcasts"))(payload)
    assert page.number == 2
    assert [t.name for t in page.items] == names
    if meta is None:
        assert page.meta is None
    else:
        assert (page.meta.page, page.meta.total) == (meta.page, meta.total)  # type: ignore[union-attr]


def test_page_parser_refuses_a_scalar() -> None:
    """A body that is neither an object nor an array does not fit."""
    with pytest.raises(ValueError, match="expected a JSON object or array"):
        page_parser(Tag, 1)("oops")


def test_paginate_drives_fetch_and_stops() -> None:
    """The async loop fetches pages until the step says stop, and yields the non-empty ones."""
    asked: list[int] = []

    async def fetch(number: int) -> Page[int]:
        asked.append(number)
        return Page(number, tuple(range(number * 3, number * 3 + 3)) if number < 3 else ())

    async def collect() -> list[int]:
        return [page.number async for page in paginate(fetch)]

    assert anyio.run(collect) == [1, 2]
    assert asked == [1, 2, 3]
