"""Calling Copier's Python API: its errors and warnings as gofactory reports them.

Every command drives Copier in-process (its Python API), so each needs the same
translation: a problem the user can fix becomes one ``error:`` line and an exit status
(no traceback), and Copier's warnings become one ``warning:`` line each.
"""

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from copier.errors import CopierError, CopierWarning, DirtyLocalWarning, UserMessageError
from jinja2 import TemplateError, TemplateSyntaxError
from plumbum import ProcessExecutionError

from gofactory.errors import GofactoryError


@contextmanager
def copier_errors(interrupted: str = "interrupted; nothing was written") -> Iterator[None]:
    """Turn Copier's errors into user-facing messages (no traceback)."""
    try:
        yield
    except KeyboardInterrupt as error:  # includes CopierAnswersInterrupt
        raise GofactoryError(interrupted, exit_code=130) from error
    except UserMessageError as error:
        raise GofactoryError(error.message) from error
    except TemplateError as error:
        where = ""
        if isinstance(error, TemplateSyntaxError) and error.name:
            where = f" ({error.name}, line {error.lineno})"
        raise GofactoryError(
            f"the template failed to render: {error}{where}; this is a bug in the template",
            exit_code=1,
        ) from error
    except ProcessExecutionError as error:
        detail = str(error.stderr).strip() or str(error)
        raise GofactoryError(f"git failed: {detail}") from error
    except (ValueError, CopierError) as error:
        # Copier reports a refused answer as a ValueError that quotes the question's
        # validator message: "Validation error for question 'x': <message>".
        raise GofactoryError(str(error)) from error


@contextmanager
def copier_warnings_as_messages(dirty_hint: str = "") -> Iterator[None]:
    """Show Copier's warnings as they happen, as one ``warning:`` line each.

    ``dirty_hint`` is appended to the warning about uncommitted template changes, to
    say what they mean for the command at hand.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("always", CopierWarning)
        show_others = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if not issubclass(category, CopierWarning):
                show_others(message, category, filename, lineno, file, line)
                return
            hint = dirty_hint if issubclass(category, DirtyLocalWarning) else ""
            print(f"warning: {message}{hint}", file=sys.stderr)

        warnings.showwarning = show
        yield
