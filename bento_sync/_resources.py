"""Sync resource namespaces for broadcasts, emails, sequences, workflows, templates, forms,
search and segments. Like ``_client``, they only forward."""

from __future__ import annotations

from bento_async.resources import broadcasts as _broadcasts
from bento_async.resources import email_templates as _email_templates
from bento_async.resources import emails as _emails
from bento_async.resources import forms as _forms
from bento_async.resources import search as _search
from bento_async.resources import segments as _segments
from bento_async.resources import sequences as _sequences
from bento_async.resources import workflows as _workflows

from ._forward import SyncResource, forward, forward_chunked, forward_items, forward_pages

__all__ = [
    "Broadcasts",
    "EmailTemplates",
    "Emails",
    "Forms",
    "Search",
    "Segments",
    "Sequences",
    "Workflows",
]


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
