"""Django's makemessages, also extracting ``_lazy(...)``.

Models and process files import ``gettext_lazy as _lazy`` (``_`` is the eager
gettext there); xgettext only knows Django's default keywords, so without this
their labels (states, steps, field names) silently fall out of the catalogs.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
