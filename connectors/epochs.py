"""Key epochs in use: what each configured or stored epoch signs and seals, and resealing.

After a rotation, `reseal` moves every sealed connector credential and webhook secret to
the current epoch, so the old secret is no longer needed to open them (audit entries keep
their epoch: the old secret stays listed for `mamori audit verify`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors import sealing
from hub import audit, keys
from hub.keys import sealed_epoch
from hub.models import AuditEntry, ConnectorPeer, ConnectorSource, MemberWebhook

_SEALED = (
    (ConnectorSource, "credential", "connector_source"),
    (ConnectorPeer, "credential", "connector_peer"),
    (MemberWebhook, "secret", "member_webhook"),
)


@dataclass(frozen=True, slots=True)
class EpochUse:
    key_id: str
    configured: bool
    current: bool
    mints_ids: bool
    audit_entries: int
    sealed_secrets: int


async def usage(db: AsyncSession) -> list[EpochUse]:
    """Every epoch configured or named in the database, the current one first."""
    keyring = keys.of(db.info)
    entries = dict(
        (await db.execute(select(AuditEntry.key_id, func.count()).group_by(AuditEntry.key_id)))
        .tuples()
        .all()
    )
    sealed: Counter[str] = Counter()
    for model, column, _ in _SEALED:
        for value in await db.scalars(select(getattr(model, column))):
            epoch = sealed_epoch(value) if value else None
            if epoch is not None:
                sealed[epoch] += 1
    configured = list(keyring.epochs)
    named = sorted(({str(k) for k in entries if k} | set(sealed)) - set(configured))
    id_epoch = keys.key_id(keyring.id_secret)
    return [
        EpochUse(
            kid,
            kid in keyring.epochs,
            kid == keyring.current_id,
            kid == id_epoch,
            int(entries.get(kid, 0)),
            sealed[kid],
        )
        for kid in [*configured, *named]
    ]


async def reseal(db: AsyncSession) -> int:
    """Seal every connector secret under the current epoch; how many moved. Audited."""
    keyring = keys.of(db.info)
    moved = 0
    for model, column, table in _SEALED:
        for row in await db.scalars(select(model)):
            value = getattr(row, column)
            if not value or sealed_epoch(value) == keyring.current_id:
                continue
            plain = sealing.open_credential(keyring, value, table)
            setattr(row, column, sealing.seal_credential(keyring, plain, table))
            moved += 1
    await db.flush()
    await audit.record(
        db,
        actor=None,
        action="key-epoch.reseal",
        subject=f"epoch:{keyring.current_id}",
        details={"resealed": moved},
    )
    return moved
