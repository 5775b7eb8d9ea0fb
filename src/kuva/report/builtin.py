"""The built-in chapters: the descriptive analyses of :mod:`kuva.analysis`.

Registered on import (see :data:`kuva.report.chapters.CHAPTER_MODULES`).
"""

from __future__ import annotations
