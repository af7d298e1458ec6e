"""The walkthrough of the seed guide, run by ``bento demo``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from bento_async import AsyncBento, BulkResult, Event, converter

__all__ = ["run_demo"]

Echo = Callable[[str], None]


def _show(echo: Echo, title: str, value: Any) -> None:
    echo(f"\n== {title}")
    data = converter.unstructure(value)
    for key, item in data.items():
        if key == "extra" or item is None:
            continue
        echo(f"   {key}: {json.dumps(item, default=str)}")


def _show_bulk(echo: Echo, title: str, result: BulkResult[Any]) -> None:
    echo(f"\n== {title}")
    echo(f"   accepted: {result.accepted}")
    echo(f"   failed: {result.failed}")
    echo(f"   invalid: {len(result.invalid)}")
    echo(f"   requests: {result.requests}")


async def run_demo(bento: AsyncBento, echo: Echo, email: str = "jesse@example.com") -> None:
    """Create a subscriber, tag it, name it, show its tags, import subscribers and events."""
    domain = email.split("@", 1)[1]
    subscriber = await bento.subscribers.create(email)
    _show(echo, f"1. Find or create {email} (POST fetch/subscribers)", subscriber)

    result = await bento.commands.add_tag(email, "customer")
    _show(echo, "2. Tag it 'customer' without firing automations (add_tag)", result)

    result = await bento.commands.add_field(email, "name", "Jesse")
    _show(echo, "3. Give it a name (add_field)", result)

    found = await bento.subscribers.get(email=email)
    assert found is not None, "the subscriber just created was not found"
    subscriber = found
    names = await bento.tags.names_for(subscriber)
    _show(echo, "4. Look it up again (GET fetch/subscribers)", subscriber)
    echo(f"   tags by name: {', '.join(names) or '(none yet: commands are queued)'}")

    imported = await bento.subscribers.import_many(
        [
            {
                "email": f"jesse.import@{domain}",
                "name": "Jesse",
                "customer_id": "123",
                "favourite_food": "onigiri",
                "tags": ["lead", "imported"],
            },
            {"email": f"scott@{domain}", "name": "Scott", "customer_id": "124"},
        ]
    )
    _show_bulk(echo, "5. Import two subscribers (POST batch/subscribers, no automations)", imported)

    three_years_ago = datetime.now(timezone.utc) - timedelta(days=3 * 365)
    events = [
        Event.custom(
            email, "$custom_event", fields={"first_name": "Jesse"}, details={"custom_stat": 1000}
        ),
        Event.custom(email, "$custom_event_with_workflow_bypass", bypass_workflows=True),
        Event.purchase(
            email, key="test123", amount=8000, currency="USD", fields={"first_name": "Jesse"}
        ),
        Event.purchase(
            email,
            key="test123",
            amount=8000,
            currency="USD",
            cart={
                "items": [{"product_sku": "SKU123", "product_name": "Test", "quantity": 100}],
                "abandoned_checkout_url": "https://test.com",
            },
        ),
        Event.custom(email, "$backdated_event", date=three_years_ago),
    ]
    tracked = await bento.events.track_many(events)
    _show_bulk(
        echo,
        "6. Track events: custom, purchase (sent twice, one key), backdated, "
        "bypassing workflows (POST batch/events)",
        tracked,
    )
