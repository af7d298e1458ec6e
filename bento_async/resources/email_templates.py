"""``bento.email_templates``: read an email template and change its subject or HTML."""

from __future__ import annotations

from urllib.parse import quote

from .._errors import InputIssue, NotFoundError
from .._http import Request
from .._validate import check_text, raise_if
from ..models.email_templates import EmailTemplate
from ._base import ResourceBase, parse_item, parse_optional_item

__all__ = ["EmailTemplates", "object_id"]


def object_id(value: object, path: str, issues: list[InputIssue]) -> str:
    """Return an id (a positive integer or a non-blank string) quoted for a URL path."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.strip():
        return quote(value.strip(), safe="")
    issues.append(InputIssue(path, f"expected a positive integer or an id string, got {value!r}"))
    return ""


class EmailTemplates(ResourceBase):
    """Email templates: ``get`` and ``update``."""

    async def get(self, template_id: int | str) -> EmailTemplate | None:
        """Return the template with this id, or None when there is none.

        Raises ValidationError for a blank id.
        """
        issues: list[InputIssue] = []
        tid = object_id(template_id, "template_id", issues)
        raise_if(issues)
        request = Request.build("GET", f"fetch/emails/templates/{tid}")
        try:
            return await self._call(request, parse_optional_item(EmailTemplate))
        except NotFoundError:
            return None

    async def update(
        self, template_id: int | str, *, subject: str | None = None, html: str | None = None
    ) -> EmailTemplate:
        """Change a template's subject and/or HTML (what is left out stays) and return it.

        Raises ValidationError when neither is given or one is blank, NotFoundError for an
        unknown template.
        """
        issues: list[InputIssue] = []
        tid = object_id(template_id, "template_id", issues)
        if subject is None and html is None:
            issues.append(InputIssue("", "give subject, html or both"))
        if subject is not None:
            check_text(subject, "subject", issues, "subject")
        if html is not None:
            check_text(html, "html", issues, "html")
        raise_if(issues)
        changes = {k: v for k, v in (("subject", subject), ("html", html)) if v is not None}
        request = Request.build(
            "PATCH", f"fetch/emails/templates/{tid}", json_body={"email_template": changes}
        )
        return await self._call(request, parse_item(EmailTemplate))
