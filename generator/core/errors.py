"""Errors that name where and what: `content/2025/x.md:3: date: not a date ('2025-13-01')`."""
from __future__ import annotations

from pathlib import Path


class SiteError(Exception):
    """A problem in the curator's input, located by file and line when known."""

    def __init__(self, message: str, path: str | Path | None = None,
                 line: int | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path or "", self.line or 0, self.message)


class BuildFailed(Exception):
    """Every error of one build, reported together."""

    def __init__(self, errors: list[SiteError]) -> None:
        self.errors = sorted(errors, key=SiteError.sort_key)
        super().__init__("\n".join(str(e) for e in self.errors))

