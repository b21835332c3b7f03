"""The recorded sweep of requests still gives the same score.mid bytes (tools/midi_sweep.py).

A change meant to alter the music re-records the hashes with `tools/midi_sweep.py --record`
and says so in its commit; any other change must leave every case as it was.
"""

import importlib.util
import json
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "midi_sweep.py"


def test_recorded_sweep_gives_the_same_midi_bytes():
    spec = importlib.util.spec_from_file_location("midi_sweep", TOOL)
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    recorded = json.loads(sweep.RECORD.read_text(encoding="utf-8"))
    hashes = sweep.sweep()
    assert set(hashes) == set(recorded)
    changed = sorted(k for k in recorded if hashes[k] != recorded[k])
    assert not changed, f"score.mid bytes changed for {changed}"
