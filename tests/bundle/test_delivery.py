"""DAW delivery: stem formats and names, the OGG mix, the video delivery, provenance, regenerate."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from gekiban.audio.files import write_audio
from gekiban.bundle.provenance import _digest, check_provenance, sha256_file
from gekiban.bundle.regenerate import regenerate_bundle
from gekiban.bundle.schema import parse_delivery, parse_stem_names, parse_stems_format, stem_filename
from gekiban.errors import BundleError, InvalidOptionError
from gekiban.requests import ComposeRequest, compose_recorded, compose_to, resolve_request
from gekiban.theory import Key
from cli_fixtures import run


@pytest.mark.parametrize(("parse", "bad"), [(parse_stems_format, "wav32"), (parse_stems_format, ""),
                                            (parse_stems_format, "FLOAT64"), (parse_stem_names, "bpm-key"),
                                            (parse_stem_names, None), (parse_delivery, "cinema")])
def test_bad_delivery_values_are_refused_naming_them(parse, bad):
    with pytest.raises(InvalidOptionError) as info:
        parse(bad)
    assert repr(bad) in str(info.value) and "use one of" in str(info.value)


def test_good_delivery_values():
    assert [parse_stems_format(x) for x in ("float", "WAV16", "wav24", "flac16", " flac24 ")] == \
        ["float", "wav16", "wav24", "flac16", "flac24"]
    assert parse_stem_names("tempo-key") == "tempo-key" and parse_delivery("Video") == "video"


def test_stem_names_sort_and_carry_tempo_and_key():
    assert stem_filename(0, "lead", "french-horn") == "01-lead-french-horn.wav"
    assert stem_filename(0, "lead", "french-horn", tempo=152.0, key=Key(2, "minor")) == "01-lead-french-horn_152bpm_Dm.wav"
    assert stem_filename(11, "bass", "cello", tempo=90.5, key=Key(6, "major"), suffix="flac") == "12-bass-cello_90.5bpm_F#.flac"


def test_ogg_round_trip(tmp_path: Path):
    t = np.arange(48000) / 48000
    audio = (0.5 * np.sin(2 * np.pi * 440 * t))[:, None].repeat(2, axis=1).astype(np.float32)
    path = write_audio(tmp_path / "mix.ogg", audio, sample_rate=48000, format="ogg")
    info = sf.info(path)
    assert (info.format, info.subtype, info.samplerate, info.channels, info.frames) == ("OGG", "VORBIS", 48000, 2, 48000)
    back, _ = sf.read(path, dtype="float32")
    assert np.corrcoef(back[:, 0], audio[:, 0])[0, 1] > 0.99  # lossy, but the same tone
    with pytest.raises(InvalidOptionError, match="'PCM_24'.*ogg"):
        write_audio(tmp_path / "x.ogg", audio, sample_rate=48000, format="ogg", subtype="PCM_24")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("delivery") / "cue"
    req = ComposeRequest(style="ambient", duration=6, seed=11, format="ogg", stems_format="wav24", stem_names="tempo-key",
                         musicxml=True)
    return compose_to(resolve_request(req), out).folder


def test_24bit_stems_equal_length_from_sample_zero(bundle: Path):
    meta = json.loads((bundle / "track.json").read_text())
    mix = sf.info(bundle / "mix.ogg")
    stems = sorted((bundle / "stems").iterdir())
    assert [s.name for s in stems] == [Path(n).name for n in meta["files"]["stems"]]
    tempo, key = meta["brief"]["tempo"], meta["brief"]["key"]
    for i, stem in enumerate(stems):
        info = sf.info(stem)
        assert stem.name.startswith(f"{i + 1:02d}-") and f"_{tempo:g}bpm_" in stem.name
        assert (info.subtype, info.samplerate, info.frames) == ("PCM_24", 48000, mix.frames)
    assert key.split()[0] in stems[0].name and meta["stems_format"] == "wav24"


def test_provenance_hashes_match_the_files(bundle: Path):
    meta = json.loads((bundle / "track.json").read_text())
    prov = check_provenance(meta)
    assert set(prov["files"]) == {meta["files"]["mix"], "score.mid", "score.musicxml", *meta["files"]["stems"]}
    for name, digest in prov["files"].items():
        assert sha256_file(bundle / name) == digest
    assert prov["seed"] == 11 and prov["request"]["seed"] == 11 and prov["request"]["stems_format"] == "wav24"
    assert len(prov["soundfont"]["sha256"]) == 64 and prov["soundfont"]["file"].endswith((".sf2", ".sf3"))
    assert {"python", "numpy", "mido", "pyfluidsynth", "fluidsynth"} <= set(prov["versions"])


def test_regenerate_gives_a_byte_identical_score(bundle: Path, tmp_path: Path, capsys):
    code, out, err = run(["regenerate", bundle, "--out", tmp_path / "again"], capsys)
    assert code == 0, err
    digest = sha256_file(bundle / "score.mid")
    assert out.count(digest) == 2 and "score.mid is byte-identical" in out
    assert sha256_file(tmp_path / "again" / "score.mid") == digest
    result = regenerate_bundle(bundle, tmp_path / "third", rebuild=compose_recorded)
    assert result.score.matches and all(f.same_audio for f in result.files if f.is_audio)
    notation = next(f for f in result.files if f.name == "score.musicxml")
    assert notation.matches  # fixed part ids, no encoding date: the notation is reproducible too
    assert "every audio file matches" in out


def _tamper(bundle: Path, dest: Path, *, redigest: bool) -> Path:
    import shutil

    shutil.copytree(bundle, dest)
    meta = json.loads((dest / "track.json").read_text())
    meta["provenance"]["request"]["seed"] = 12
    if redigest:
        meta["provenance"]["digest"] = _digest(meta["provenance"])
    (dest / "track.json").write_text(json.dumps(meta))
    return dest


def test_a_tampered_provenance_is_refused(bundle: Path, tmp_path: Path, capsys):
    copy = _tamper(bundle, tmp_path / "copy", redigest=False)
    with pytest.raises(BundleError, match="altered"):
        regenerate_bundle(copy, tmp_path / "x", rebuild=compose_recorded)
    code, _, err = run(["regenerate", copy, "--out", tmp_path / "y"], capsys)
    assert code == 2 and "provenance in track.json was altered" in err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_a_score_that_comes_out_different_exits_1(bundle: Path, tmp_path: Path, capsys):
    copy = _tamper(bundle, tmp_path / "copy", redigest=True)  # a consistent provenance of another seed
    code, out, err = run(["regenerate", copy, "--out", tmp_path / "y"], capsys)
    assert code == 1 and "score.mid is not byte-identical" in err


def test_regenerate_refuses_a_bundle_without_provenance_and_its_own_folder(bundle: Path, tmp_path: Path):
    import shutil

    copy = tmp_path / "old"
    shutil.copytree(bundle, copy)
    meta = json.loads((copy / "track.json").read_text())
    (copy / "track.json").write_text(json.dumps({k: v for k, v in meta.items() if k != "provenance"}))
    with pytest.raises(BundleError, match="no provenance"):
        regenerate_bundle(copy, rebuild=compose_recorded)
    with pytest.raises(InvalidOptionError, match="itself"):
        regenerate_bundle(bundle, bundle, rebuild=compose_recorded)


def test_video_delivery_is_48k_24bit_wav(tmp_path: Path):
    req = ComposeRequest(style="ambient", duration=4, seed=2, delivery="video")
    folder = compose_to(resolve_request(req), tmp_path / "v").folder
    assert sf.info(folder / "mix.wav").subtype == "PCM_24"
    for stem in (folder / "stems").iterdir():
        info = sf.info(stem)
        assert (info.subtype, info.samplerate) == ("PCM_24", 48000)
    for bad in ({"format": "mp3"}, {"sample_rate": 44100}, {"stems_format": "flac16"}):
        with pytest.raises(InvalidOptionError, match="video") as info:
            resolve_request(ComposeRequest(style="ambient", duration=4, delivery="video", **bad))
        assert info.value.field == "delivery"
