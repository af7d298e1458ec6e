"""The sync resource namespaces, one per API area. They only forward to bento_async."""

from __future__ import annotations

from bento_async.resources import broadcasts as _broadcasts
from bento_async.resources import commands as _commands
from bento_async.resources import email_templates as _email_templates
from bento_async.resources import emails as _emails
from bento_async.resources import events as _events
from bento_async.resources import experimental as _experimental
from bento_async.resources import fields as _fields
from bento_async.resources import forms as _forms
from bento_async.resources import search as _search
from bento_async.resources import segments as _segments
from bento_async.resources import sequences as _sequences
from bento_async.resources import stats as _stats
from bento_async.resources import subscribers as _subscribers
from bento_async.resources import tags as _tags
from bento_async.resources import workflows as _workflows

from ._forward import (
    SyncResource,
    forward,
    forward_chunked,
    forward_items,
    forward_pages,
    forward_stream,
)
from ._queue import forward_queue

__all__ = [
    "Broadcasts",
    "Commands",
    "EmailTemplates",
    "Emails",
    "Events",
    "Experimental",
    "Fields",
    "Forms",
    "Search",
    "Segments",
    "Sequences",
    "Stats",
    "Subscribers",
    "Tags",
    "Workflows",
]


class Subscribers(SyncResource):
    """Subscribers: ``get``, ``create``, ``update``, ``upsert``, ``import_many``,
    ``get_many`` and ``stream_many``."""

    _area = "subscribers"
    get = forward(_subscribers.Subscribers.get)
    create = forward(_subscribers.Subscribers.create)
    update = forward(_subscribers.Subscribers.update)
    upsert = forward(_subscribers.Subscribers.upsert)
    import_many = forward_chunked(_subscribers.Subscribers.import_many, interruptible=True)
    get_many = forward_chunked(_subscribers.Subscribers.get_many, "emails", "uuids")
    stream_many = forward_stream(_subscribers.Subscribers.stream_many, "emails", "uuids")


class Commands(SyncResource):
    """Commands change one subscriber each; only ``add_tag_via_event`` fires automations."""

    _area = "commands"
    run = forward_chunked(_commands.Commands.run, interruptible=True)
    add_tag = forward(_commands.Commands.add_tag)
    add_tag_via_event = forward(_commands.Commands.add_tag_via_event)
    remove_tag = forward(_commands.Commands.remove_tag)
    add_field = forward(_commands.Commands.add_field)
    remove_field = forward(_commands.Commands.remove_field)
    subscribe = forward(_commands.Commands.subscribe)
    unsubscribe = forward(_commands.Commands.unsubscribe)
    change_email = forward(_commands.Commands.change_email)


class Tags(SyncResource):
    """Tags: ``list``, ``get`` (by name), ``create``, ``delete`` and ``names_for``."""

    _area = "tags"
    list = forward(_tags.Tags.list)
    get = forward(_tags.Tags.get)
    create = forward(_tags.Tags.create)
    delete = forward(_tags.Tags.delete)
    names_for = forward(_tags.Tags.names_for)


class Fields(SyncResource):
    """Custom field definitions: ``list``, ``get`` (by key) and ``create``."""

    _area = "fields"
    list = forward(_fields.Fields.list)
    get = forward(_fields.Fields.get)
    create = forward(_fields.Fields.create)


class Events(SyncResource):
    """Events: ``track``, ``track_purchase``, ``track_many`` and ``queue``."""

    _area = "events"
    track = forward(_events.Events.track)
    track_purchase = forward(_events.Events.track_purchase)
    track_many = forward_chunked(_events.Events.track_many, interruptible=True)
    queue = forward_queue(_events.Events.queue)


class Stats(SyncResource):
    """Statistics: ``site``, ``segment``, ``report`` and ``ads``."""

    _area = "stats"
    site = forward(_stats.Stats.site)
    segment = forward(_stats.Stats.segment)
    report = forward(_stats.Stats.report)
    ads = forward(_stats.Stats.ads)


class Experimental(SyncResource):
    """Experimental utilities: validation, spam rules, gender, geolocation, blacklists,
    moderation."""

    _area = "experimental"
    validate_email = forward(_experimental.Experimental.validate_email)
    jesses_ruleset = forward(_experimental.Experimental.jesses_ruleset)
    guess_gender = forward(_experimental.Experimental.guess_gender)
    geolocate = forward(_experimental.Experimental.geolocate)
    blacklist = forward(_experimental.Experimental.blacklist)
    moderate_content = forward(_experimental.Experimental.moderate_content)


class Broadcasts(SyncResource):
    """Broadcasts: ``list`` (one page), ``pages`` and ``iter`` (every page), ``create``."""

    _area = "broadcasts"
    list = forward(_broadcasts.Broadcasts.list)
    pages = forward_pages(_broadcasts.Broadcasts.pages)
    iter = forward_items(_broadcasts.Broadcasts.iter, pages=_broadcasts.Broadcasts.pages)
    create = forward(_broadcasts.Broadcasts.create)


class Emails(SyncResource):
    """Emails: ``send`` one, ``send_batch`` up to 60 per call, ``send_many`` any number."""

    _area = "emails"
    send = forward(_emails.Emails.send)
    send_batch = forward(_emails.Emails.send_batch)
    send_many = forward_chunked(_emails.Emails.send_many, interruptible=True)


class Sequences(SyncResource):
    """Sequences: ``list`` (one page), ``pages`` and ``iter``, ``create_email``."""

    _area = "sequences"
    list = forward(_sequences.Sequences.list)
    pages = forward_pages(_sequences.Sequences.pages)
    iter = forward_items(_sequences.Sequences.iter, pages=_sequences.Sequences.pages)
    create_email = forward(_sequences.Sequences.create_email)


class Workflows(SyncResource):
    """Workflows: ``list`` (one page), ``pages`` and ``iter``."""

    _area = "workflows"
    list = forward(_workflows.Workflows.list)
    pages = forward_pages(_workflows.Workflows.pages)
    iter = forward_items(_workflows.Workflows.iter, pages=_workflows.Workflows.pages)


class EmailTemplates(SyncResource):
    """Email templates: ``get`` and ``update``."""

    _area = "email_templates"
    get = forward(_email_templates.EmailTemplates.get)
    update = forward(_email_templates.EmailTemplates.update)


class Forms(SyncResource):
    """Forms: ``responses``."""

    _area = "forms"
    responses = forward(_forms.Forms.responses)


class Search(SyncResource):
    """Subscriber search (Enterprise only): ``list`` (one page), ``pages`` and ``iter``."""

    _area = "search"
    list = forward(_search.Search.list)
    pages = forward_pages(_search.Search.pages)
    iter = forward_items(_search.Search.iter, pages=_search.Search.pages)


class Segments(SyncResource):
    """Segments: ``list``, ``get`` and ``match``."""

    _area = "segments"
    list = forward(_segments.Segments.list)
    get = forward(_segments.Segments.get)
    match = forward(_segments.Segments.match)
