"""The ``chainmap`` command line: a thin typer layer over the library.

Exit codes: 0 success, 1 a ``--fail-on`` condition met, 2 bad input or usage
(one line per problem on stderr, never a traceback), 70 an internal error (a bug:
one line, the traceback under ``--debug``), 130/143/129 interrupted by SIGINT,
SIGTERM or SIGHUP (temporary files removed, nothing half-written left).
"""

from __future__ import annotations

import signal
import sys
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from chainmap.cli import analyze, files, imports, scale, views
from chainmap.cli.common import DEBUG, fail, internal_error, print_errors, stdout_failed

app = typer.Typer(
    name="chainmap",
    help="Map industrial supply chains; find the foreign dependencies that can stop an industry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _plain_metavars() -> None:
    """Help shows plain metavars: none for a flag (not ``<bool>``), ``N``, ``X``, ``PATH``, ``TEXT`` or the
    choices ``a|b`` for an option without its own ``metavar`` (typer would show ``<list[str]>``)."""
    from typer.core import TyperArgument, TyperOption

    def option_type(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        if self.metavar is not None:
            return self.metavar
        return _plain(self, ctx)

    def argument_type(self: TyperArgument, ctx: Any) -> str | None:
        return None if self.metavar is not None else _plain(self, ctx)  # the name column shows the metavar

    def _plain(param: Any, ctx: Any) -> str:
        label = str(param.display_type(ctx)).strip("<>").removeprefix("list[").removesuffix("]")
        return {"int": "N", "int range": "N", "float": "X", "float range": "X", "str": "TEXT",
                "path": "PATH", "bool": ""}.get(label, label)

    TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = argument_type  # type: ignore[method-assign,assignment]


_plain_metavars()


def _version(value: bool) -> None:
    if value:
        from chainmap import __version__

        print(f"chainmap {__version__}")
        raise typer.Exit(0)


@app.callback(epilog="Example:\n  chainmap validate graphs/\n  chainmap priorities graphs/ --top 10")
def _options(
    version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_version,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")] = False,
    csv_formulas: Annotated[bool, typer.Option(
        "--csv-formulas", help="Write CSV cells starting with = + - @ as they are (default: prefixed with ').")] = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Load the graph without the cache of compiled graphs (default: reuse it; "
                           "$CHAINMAP_CACHE sets its folder, 'off' turns it off).")] = False,
) -> None:
    """Map industrial supply chains; find the foreign dependencies that can stop an industry."""
    from chainmap.cache import cache_enabled
    from chainmap.cli.output import CSV_ESCAPE

    DEBUG["on"] = debug
    CSV_ESCAPE["on"] = not csv_formulas
    cache_enabled(not no_cache)


files.register(app)
analyze.register(app)
imports.register(app)
views.register(app)
scale.register(app)


class Signalled(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so temporary files are removed on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_signal(signum: int, _frame: Any) -> None:
    raise Signalled(signum)


def _run(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, standalone_mode=False)
    except TyperException as exc:  # usage errors and bad option values
        fail(exc.format_message())
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        return 130
    return result if isinstance(result, int) else 0


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the app and map every failure to an exit code."""
    if sys.stdout is None or sys.stdout.closed:
        print_errors(["standard output is closed"])
        return 2
    previous = {s: signal.signal(s, _raise_signal) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        code = _run(argv)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return 130
    except Signalled as exc:
        return 128 + exc.signum
    except OSError as exc:  # standard output (or an error outside errors_as_exit)
        if getattr(exc, "filename", None) is None:
            return stdout_failed(exc)
        fail(f"cannot access {exc.filename}: {exc.strerror or exc}")
        return 2
    except Exception as exc:
        return int(internal_error(exc).exit_code)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())
