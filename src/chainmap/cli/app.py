"""The ``chainmap`` command line: a thin typer layer over the library.

Exit codes: 0 success, 1 a ``--fail-on`` condition met, 2 bad input or usage
(one line per problem on stderr, never a traceback).
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from chainmap.cli import analyze, files, imports, scale, views

app = typer.Typer(
    name="chainmap",
    help="Map industrial supply chains; find the foreign dependencies that can stop an industry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
files.register(app)
analyze.register(app)
imports.register(app)
views.register(app)
scale.register(app)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the app and map every failure to an exit code."""
    try:
        result = app(args=argv, standalone_mode=False)
    except TyperException as exc:  # usage errors and bad option values
        print(f"error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        return 130
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())
