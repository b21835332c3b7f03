"""``gekiban regenerate DIR [--out NEW]``: rebuild a bundle from its provenance, prove score.mid
byte-identical and say which audio files match."""

from __future__ import annotations

import argparse

from gekiban.cli.common import fail


def cmd_regenerate(args: argparse.Namespace) -> int:
    """Regenerate, print each file's hashes; exit 1 if score.mid differs."""
    from gekiban.bundle.regenerate import regenerate_bundle
    from gekiban.requests import compose_recorded

    result = regenerate_bundle(args.bundle, args.out,
                               rebuild=lambda request, folder: compose_recorded(request, folder, soundfont=args.soundfont))
    score = result.score
    print(f"regenerated into {result.folder}")
    print(f"score.mid  recorded    {score.recorded}")
    print(f"score.mid  regenerated {score.regenerated}")
    for f in result.files:
        if f.name != "score.mid":
            state = "match" if f.matches else "samples match (Ogg serial differs)" if f.same_samples else "DIFFERS"
            print(f"{state:8s} {f.name}")
    if result.setup_differences:
        print("setup differs from the recorded one: " + "; ".join(result.setup_differences))
    elif not all(f.same_audio for f in result.files if f.is_audio):
        print("audio differs although the recorded setup (SoundFont, FluidSynth, libraries) is the same")
    if not score.matches:
        fail(f"score.mid is not byte-identical: recorded {score.recorded}, regenerated {score.regenerated}", code=1)
    audio_ok = all(f.same_audio for f in result.files if f.is_audio)
    print("score.mid is byte-identical" + ("; every audio file matches" if audio_ok else ""))
    return 0
