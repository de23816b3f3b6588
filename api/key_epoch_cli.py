"""`mamori key-epoch …`: which key epochs are in use, and resealing after a rotation."""

from __future__ import annotations

from typing import Annotated

import typer

from connectors import epochs
from hub import commands

app = typer.Typer(no_args_is_help=True, help="Key epochs: the hub secret and its predecessors.")


@app.command("status")
def status(json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each epoch: configured or not, current, minting hub ids, entries and secrets it holds."""
    rows = commands.run(epochs.usage)
    if json:
        commands.emit(commands.jsonable(rows))
        return
    for e in rows:
        marks = [
            "current" if e.current else "previous" if e.configured else "NOT CONFIGURED",
            *(["mints hub ids"] if e.mints_ids else []),
        ]
        typer.echo(
            f"{e.key_id}  {', '.join(marks):28} audit entries {e.audit_entries:6}  "
            f"sealed secrets {e.sealed_secrets}"
        )
    if any(not e.configured for e in rows):
        commands.fail("an epoch in use has no secret: list it in MAMORI_PREVIOUS_SECRET_KEYS")


@app.command("reseal")
def reseal() -> None:
    """Seal every connector credential and webhook secret under the current epoch."""
    moved = commands.run(epochs.reseal)
    typer.echo(f"resealed {moved} secret(s) under the current key epoch")
