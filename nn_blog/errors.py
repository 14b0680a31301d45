"""The errors a user can cause: each names the file, the item and the field it is about."""

from __future__ import annotations


class NNBlogError(ValueError):
    """A mistake in something the user wrote (a declaration, an argument, a file).

    ``message`` is the bare complaint; ``str(err)`` puts the place in front of it
    (``_data/networks.yml:12, 'xor', field 'epochs': must be ...``). The CLI prints ``str(err)``
    as one line on stderr and exits with code 2. To move an error to the place the user can edit,
    use :meth:`at` -- never edit the message's text.
    """

    def __init__(self, message: str, *, file: str | None = None, item: str | None = None,
                 field: str | None = None, line: int | None = None):
        self.message = message
        self.file, self.item, self.field, self.line = file, item, field, line
        super().__init__(self._text())

    def _text(self) -> str:
        where = []
        if self.file:
            where.append(f"{self.file}:{self.line}" if self.line else str(self.file))
        if self.item:
            where.append(f"'{self.item}'")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def at(self, **where) -> NNBlogError:
        """A copy of this error (same class, same bare message) at another place.

        ``where``: any of ``file``, ``item``, ``field``, ``line``; the others are kept.
        """
        place = {"file": self.file, "item": self.item, "field": self.field, "line": self.line}
        unknown = set(where) - set(place)
        if unknown:
            raise TypeError(f"unknown place {sorted(unknown)}")
        return type(self)(self.message, **{**place, **where})

    def __reduce__(self):
        # picklable with its place (a worker process sends it back to the render)
        return _rebuild, (type(self), self.message, self.file, self.item, self.field, self.line)


def _rebuild(cls, message, file, item, field, line):
    return cls(message, file=file, item=item, field=field, line=line)


class DivergedError(NNBlogError):
    """Training diverged (the loss became NaN or infinite): the declaration's learning rate is
    the usual culprit, so callers re-address it there with :meth:`NNBlogError.at`."""
