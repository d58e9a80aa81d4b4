"""An annotation of removed evidence is a visible conflict: a curator removes a piece of
evidence while the school, not having heard, edits its title; once the bundles have gone
round, every replica shows the removal against the edit (the store, the detail view,
`activities --json`), and an edit made knowing of the removal, or by the remover, is none.
Real replicas exchanging real signed bundles."""

from __future__ import annotations

from pathlib import Path

from curator_tui.domain.ops import Action, Entity
from curator_tui.services import activities_json
from curator_tui.store.projection import REMOVED
from curator_tui.store.store import Change, Store
from curator_tui.tui.screens.detail import conflicts_content
from curator_tui.views.detail import load_detail
from tests.bundle_helpers import Replica, activity_id, make_curator, make_hub, make_school
from tests.mvr_oracle import mvr_conflicts
from tests.test_causal_conflicts import conflict_rows, logged_ops

TITLE = "Протокол заседания № 2"


def retitle(store: Store, evidence_id: str, title: str) -> str:
    [op] = store.record([Change(Entity.EVIDENCE, evidence_id, Action.SET, "title", title)])
    return op.op_id


def send(source: Replica, target: Replica, folder: Path) -> None:
    report = target.import_(source.export(folder))
    assert report.outcome == "accepted", report.problems


def test_an_annotation_of_removed_evidence_is_a_conflict_everywhere(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        activity = activity_id(store, "2")
        evidence = store.attach_link(activity, "https://example.org/protocol", title="Протокол")
    send(school, hub, tmp_path / "s1")
    curator = make_curator(tmp_path, hub)
    send(hub, curator, tmp_path / "h0")
    with curator.open() as store:
        store.remove_evidence(evidence)  # the school has not heard of it …
        [remove] = [op.op_id for op in store.ops() if op.action is Action.REMOVE]
    with school.open() as store:
        edit = retitle(store, evidence, TITLE)  # … and annotates it
    send(curator, hub, tmp_path / "c1")
    send(school, hub, tmp_path / "s2")
    send(hub, school, tmp_path / "h1")
    send(hub, curator, tmp_path / "h2")
    for replica in (hub, school, curator):
        with replica.open() as store:
            assert store.evidence(activity) == []  # removed stays removed …
            [conflict] = store.conflicts()  # … and the edit is not lost unseen
            assert (conflict["entity"], conflict["field"]) == ("evidence", REMOVED)
            assert conflict["edited_field"] == "title"
            assert conflict["loser_value"] == f'"{TITLE}"'
            assert conflict_rows(store) == mvr_conflicts(logged_ops(store))
            assert conflict_rows(store) == {("evidence", evidence, REMOVED, remove, edit)}
            detail = load_detail(store, activity)
            assert detail is not None and [c["entity_id"] for c in detail.conflicts] == [evidence]
            [row] = [r for r in activities_json(store) if r["conflicts"]]
            assert row["id"] == activity
            [shown] = row["conflicts"]
            assert shown["field"] == REMOVED and shown["value"] is None
            assert (shown["edited_field"], shown["other_value"]) == ("title", TITLE)
    with school.open() as store:
        detail = load_detail(store, activity)
    assert detail is not None
    shown_text = str(conflicts_content(detail))
    assert "Доказательство удалили" in shown_text and "«название»" in shown_text
    assert TITLE in shown_text


def test_the_removers_own_edit_is_none_and_a_later_one_from_elsewhere_is_shown(
    tmp_path: Path,
) -> None:
    """The remover knew of its own edit: no conflict. A remove op carries no causal context
    and an edit names only what it saw of its field, so an edit made elsewhere after the
    removal had arrived cannot be told from a concurrent one: it is shown (once too often
    rather than lost unseen), the same on every replica."""
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        activity = activity_id(store, "2")
        evidence = store.attach_link(activity, "https://example.org/a", title="Справка")
        retitle(store, evidence, "Справка о проведении")
        store.remove_evidence(evidence)
        [remove] = [op.op_id for op in store.ops() if op.action is Action.REMOVE]
    send(school, hub, tmp_path / "s1")
    with hub.open() as store:
        assert store.conflicts() == []
        edit = retitle(store, evidence, "Справка (уточнено)")  # knowing of the removal
    send(hub, school, tmp_path / "h1")
    for replica in (hub, school):
        with replica.open() as store:
            assert conflict_rows(store) == {("evidence", evidence, REMOVED, remove, edit)}
            assert conflict_rows(store) == mvr_conflicts(logged_ops(store))


def test_a_removal_made_knowing_of_an_edit_from_elsewhere_is_no_conflict(tmp_path: Path) -> None:
    """The remove op names what its replica showed of the evidence (its causal context,
    `seen`): an edit that had reached the remover before it removed is no conflict, on any
    replica; an edit it had not heard of still is."""
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        activity = activity_id(store, "2")
        known = store.attach_link(activity, "https://example.org/a", title="Справка")
        unheard = store.attach_link(activity, "https://example.org/b", title="Акт")
        seen_edit = retitle(store, known, "Справка о проведении")
    send(school, hub, tmp_path / "s1")
    with school.open() as store:
        late_edit = retitle(store, unheard, "Акт (уточнено)")  # the hub has not heard of it
    with hub.open() as store:
        store.remove_evidence(known)  # knowing of the school's edit …
        store.remove_evidence(unheard)  # … and not of the later one
        removes = {op.entity_id: op for op in store.ops() if op.action is Action.REMOVE}
    assert removes[known].seen == (seen_edit,)
    send(hub, school, tmp_path / "h1")
    send(school, hub, tmp_path / "s2")
    for replica in (hub, school):
        with replica.open() as store:
            assert conflict_rows(store) == {
                ("evidence", unheard, REMOVED, removes[unheard].op_id, late_edit)
            }
            assert conflict_rows(store) == mvr_conflicts(logged_ops(store))
