"""`{% kept %}…{% endkept %}`: a piece of a template drawn once per process and language.

For the parts of `base.html` that every page draws alike (the head's stylesheet and script
addresses through the static files' manifest, the skip link, the footer): drawn with the
template language on every page they cost a good part of a small page. The piece is drawn
with an empty context, so it can read nothing of the page's (a variable in it draws as
nothing, and a test would see it), only the active language, which is its key.
"""

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.drawn: dict[str, SafeString] = {}

    def render(self, context: Context) -> SafeString:
        language = get_language() or ""
        html = self.drawn.get(language)
        if html is None:
            alone = Context(autoescape=context.autoescape, use_l10n=context.use_l10n)
            alone.template = context.template  # for {% load %}ed libraries and the engine
            html = self.drawn[language] = mark_safe(self.nodelist.render(alone))  # noqa: S308
        return html


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist)
