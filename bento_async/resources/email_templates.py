"""``bento.email_templates``: read an email template and change its subject or HTML."""

from __future__ import annotations

from .._errors import InputIssue
from .._http import Request
from .._validate import check_text, raise_if
from ..models.email_templates import EmailTemplate
from ._base import ResourceBase, object_id, parse_item

__all__ = ["EmailTemplates"]


class EmailTemplates(ResourceBase):
    """Email templates: ``get`` and ``update``."""

    async def get(self, template_id: int | str) -> EmailTemplate | None:
        """Return the template with this id, or None when there is none.

        Raises ValidationError for a blank id.
        """
        return await self._get_by_id(
            "fetch/emails/templates", template_id, "template_id", EmailTemplate
        )

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
