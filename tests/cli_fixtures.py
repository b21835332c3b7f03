"""Running the command line in a test: exit status, stdout and stderr."""

from __future__ import annotations

from gekiban.cli import main


def run(args, capsys) -> tuple[int, str, str]:  # noqa: ANN001
    """``gekiban ARGS`` (each turned into text) → (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
