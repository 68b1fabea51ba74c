"""The state store keeps no copy of the texts it saves: the generated parts stay in memory
between syncs (the writer's record, the render memo), several MB each at federation scale."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

from sync.state import StateStore, WrittenPage

GENERATED = "| Zoé Blanc || Numérique || 1 200,00 € || déclarée\n" * 20_000  # about 1 MB


def test_saving_a_written_page_keeps_no_copy_of_its_texts(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.sqlite3")
    generated, text = GENERATED, "Texte d’un membre\n" + GENERATED
    try:
        gc.collect()
        tracemalloc.start()
        try:
            state.save_written(WrittenPage("Registre é", 7, generated, "2 déclarations"), text)
            gc.collect()
            kept, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # Binding a str made Python keep its UTF-8 encoding inside the string (2 MB here).
        assert kept < 100_000
        written = state.all_written()["Registre é"]
        assert (written.rev_id, written.generated, written.digest) == (
            7,
            generated,
            "2 déclarations",
        )
        assert state.written_text("Registre é") == text
    finally:
        state.close()
