"""The official OASIS client and stix2's TAXII data store against a real hub over HTTP."""

from __future__ import annotations

import stix2
from stix2.datastore.filters import Filter
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from tests.e2e.conftest import LiveHub


def _server(hub: LiveHub, who: str) -> Server:
    key_id, key = hub.keys[who]
    return Server(f"{hub.base_url}/taxii2/", user=key_id, password=key)


def _collection(hub: LiveHub, who: str) -> Collection:
    key_id, key = hub.keys[who]
    return Collection(
        f"{hub.base_url}/taxii2/mamori/collections/{hub.sector_collection}/",
        user=key_id,
        password=key,
    )


def test_discovery_to_collection_and_paging(live_hub: LiveHub) -> None:
    server = _server(live_hub, "reader")
    assert server.title
    root: ApiRoot = server.default
    assert root is not None and root.max_content_length > 0
    titles = {c.id: c for c in root.collections}
    coll = titles[live_hub.sector_collection]
    assert coll.can_read and not coll.can_write

    ids: list[str] = []
    pages = 0
    for envelope in as_pages(coll.get_objects, per_request=5):
        pages += 1
        ids += [o["id"] for o in envelope.get("objects", [])]
    assert pages == 3
    assert len(ids) == len(set(ids)) == 13  # 12 indicators (one at v2) and a malware

    manifest = coll.get_manifest()
    assert len(manifest["objects"]) == 13
    versions = coll.object_versions(live_hub.seeded[0]["id"])
    assert versions["versions"] == ["2026-11-20T09:00:00.000000Z", "2026-11-21T09:00:00.000000Z"]

    outsider = _server(live_hub, "outsider").default
    assert outsider is not None
    assert live_hub.sector_collection not in {c.id for c in outsider.collections}


def test_operator_add_objects_waits_for_completion(live_hub: LiveHub) -> None:
    coll = _collection(live_hub, "operator")
    indicator = stix2.Indicator(
        name="Hub analysis: C2",
        pattern="[domain-name:value = 'c2.example.net']",
        pattern_type="stix",
        object_marking_refs=[stix2.TLP_GREEN],
    )
    envelope = '{"objects":[' + indicator.serialize() + "]}"
    status = coll.add_objects(envelope, wait_for_completion=True)
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (1, 1, 0)
    reader = _collection(live_hub, "reader")
    got = reader.get_object(indicator.id)
    assert got["objects"][0]["name"] == "Hub analysis: C2"


def test_stix2_source_and_sink(live_hub: LiveHub) -> None:
    source = stix2.TAXIICollectionSource(_collection(live_hub, "reader"))
    first = live_hub.seeded[0]
    latest = source.get(first["id"])
    assert latest is not None and latest.name == "C2 address 0 (v2)"
    assert source.get("indicator--99999999-0000-4000-8000-000000000000") is None
    assert len(source.all_versions(first["id"])) == 2
    malware = source.query([Filter("type", "=", "malware")])
    assert [m.id for m in malware] == ["malware--20000000-0000-4000-8000-000000000001"]

    sink = stix2.TAXIICollectionSink(_collection(live_hub, "operator"))
    note = stix2.Malware(
        name="Sink-added family", is_family=True, object_marking_refs=[stix2.TLP_AMBER]
    )
    sink.add(note)
    assert source.get(note.id).name == "Sink-added family"
