from pathlib import Path

from assistant.session.conversations import ConversationStore


def test_conversations_persist_across_reopen(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    first = store.create("How long is the lease?", "matter-a")
    store.add_turn(first.id, "How long is the lease?", "Five years [1].", True, {"citations": [1]})
    store.add_turn(first.id, "And the rent?", "£96,000 a year [2].", True, {})
    second = store.create("Allergies?")
    store.close()

    store = ConversationStore(tmp_path / "c.sqlite3")
    listed = store.conversations()
    assert {c.id for c in listed} == {first.id, second.id}
    turns = store.turns(first.id)
    assert [t.question for t in turns] == ["How long is the lease?", "And the rent?"]
    assert turns[0].details == {"citations": [1]} and turns[0].found
    store.delete(first.id)
    assert store.turns(first.id) == []
    store.close()
