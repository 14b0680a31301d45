"""The one error type a user can cause: it names the file, the item and the field."""

from __future__ import annotations


class NNBlogError(ValueError):
    """A mistake in something the user wrote (a declaration, an argument, a file).

    The CLI prints ``str(err)`` as one line on stderr and exits with code 2.
    """

    def __init__(self, message: str, *, file: str | None = None, item: str | None = None,
                 field: str | None = None, line: int | None = None):
        self.file, self.item, self.field, self.line = file, item, field, line
        where = []
        if file:
            where.append(f"{file}:{line}" if line else str(file))
        if item:
            where.append(f"'{item}'")
        if field:
            where.append(f"field '{field}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
