"""Seamless loops, endings and intensity layers on the audio side: loop points in the WAV
``smpl`` chunk (checked with a parser written here, not the one in the package), a circular
master with no gain jump at the wrap, seams that are not outliers when the loop is tiled,
fades that end in silence, short button tails, layers that are valid mixes, and hits on time."""

import json
import struct

import numpy as np
import pytest
import soundfile as sf

from gekiban.audio.analysis import measure_onset, seam_measures
from gekiban.audio.files import read_audio, read_loop, write_audio
from gekiban.audio.limiter import limit
from gekiban.audio.loops import fade_out, fold_tail, loop_length
from gekiban.audio.master import master
from gekiban.audio.meter import measure, true_peak
from gekiban.bundle.layers import layer_groups
from gekiban.errors import InvalidOptionError
from gekiban.roles import role_of
from gekiban.score import Part

SR = 48000


# ------------------------------------------------------------------ a RIFF parser of our own


def riff_chunks(path):
    """[(id, payload bytes)] of a RIFF/WAVE file, checking the sizes as a strict reader would."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8, "RIFF size must match the file"
    out, pos = [], 12
    while pos < len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        assert pos + 8 + size <= len(data), f"chunk {cid!r} runs past the end"
        out.append((cid, data[pos + 8:pos + 8 + size]))
        pos += 8 + size + (size & 1)
    assert pos == len(data)
    return out


def smpl_loops(path):
    """The loops of the file's smpl chunk as dicts (spec fields), or [] without one."""
    chunks = dict(riff_chunks(path))
    if b"smpl" not in chunks:
        return []
    body = chunks[b"smpl"]
    (manufacturer, product, period, unity, fraction, smpte_fmt, smpte_off, count, extra) = struct.unpack_from("<9I", body, 0)
    assert len(body) == 36 + 24 * count + extra
    loops = []
    for k in range(count):
        cue, kind, start, end, frac, plays = struct.unpack_from("<6I", body, 36 + 24 * k)
        loops.append({"type": kind, "start": start, "end_inclusive": end, "play_count": plays, "period_ns": period,
                      "unity": unity})
    return loops


def noise(n, seed=0, level=0.2):
    return (np.random.default_rng(seed).standard_normal((n, 2)) * level).astype(np.float32)


# --------------------------------------------------------------------------- smpl chunks


@pytest.mark.parametrize("subtype, channels, frames", [("PCM_24", 2, 48001), ("FLOAT", 2, 1000), ("PCM_16", 1, 777),
                                                        ("PCM_24", 1, 4801)])
def test_loop_points_are_written_in_a_smpl_chunk(tmp_path, subtype, channels, frames):
    audio = noise(frames)[:, :channels]
    path = write_audio(tmp_path / "x.wav", audio, sample_rate=SR, subtype=subtype, loop=(0, frames))
    (loop,) = smpl_loops(path)
    assert loop == {"type": 0, "start": 0, "end_inclusive": frames - 1, "play_count": 0, "period_ns": round(1e9 / SR),
                    "unity": 60}
    back, sr = sf.read(path, dtype="float32", always_2d=True)  # the audio is untouched
    assert sr == SR and back.shape == (frames, channels)
    if subtype == "FLOAT":
        assert np.array_equal(back, audio)
    assert read_loop(path) == (0, frames)
    assert [c for c, _ in riff_chunks(path)].count(b"data") == 1


def test_no_loop_no_smpl_chunk_and_other_formats_ignore_it(tmp_path):
    path = write_audio(tmp_path / "x.wav", noise(100), sample_rate=SR)
    assert smpl_loops(path) == [] and read_loop(path) is None
    flac = write_audio(tmp_path / "x.flac", noise(100), sample_rate=SR, format="flac", loop=(0, 100))
    assert sf.info(flac).frames == 100


@pytest.mark.parametrize("loop", [(0, 0), (5, 3), (-1, 10), (0, 101), ("a", 3), (1,)])
def test_bad_loop_points_are_refused_before_writing(tmp_path, loop):
    with pytest.raises(InvalidOptionError, match="loop"):
        write_audio(tmp_path / "x.wav", noise(100), sample_rate=SR, loop=loop)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------- helpers on audio


def test_fold_tail_and_fade_out():
    a = np.zeros((10, 2), np.float32)
    a[:, 0] = np.arange(10)
    folded = fold_tail(a, 4)
    assert folded.shape == (4, 2) and folded[:, 0].tolist() == [0 + 4 + 8, 1 + 5 + 9, 2 + 6, 3 + 7]
    b = np.ones((10, 2), np.float32)
    fade_out(b, start=2, end=6)
    assert b[:2].min() == 1 and b[6:].max() == 0 and np.all(np.diff(b[2:6, 0]) < 0)
    assert loop_length(9.4736842105, 48000) == 454737


# ------------------------------------------------------------------------- circular master


def burst_across_the_wrap(n=4 * SR + 123):
    t = np.arange(n) / SR
    env = np.ones(n)
    env[:2400] = env[-2400:] = 8.0  # a loud burst that the wrap point cuts in two
    x = 0.1 * np.sin(2 * np.pi * 220 * t) * env + 0.01 * np.random.default_rng(0).standard_normal(n)
    return np.stack([x, x], axis=1).astype(np.float32)


def applied_gain(result, stem):
    """Per-sample gain of the master (mix / (stem * stem_gain)), interpolated over quiet samples."""
    g = result.mix[:, 0] / (stem[:, 0] * result.stem_gain)
    ok = np.flatnonzero(np.abs(stem[:, 0]) > 0.05)
    return np.interp(np.arange(stem.shape[0]), ok, g[ok])


def test_a_looped_master_has_no_gain_jump_at_the_wrap():
    stem = burst_across_the_wrap()
    plain = master([stem], sample_rate=SR)
    looped = master([stem], sample_rate=SR, loop=True)
    g_plain, g_loop = applied_gain(plain, stem), applied_gain(looped, stem)
    inner = np.abs(np.diff(g_loop)).max()
    assert abs(g_plain[0] - g_plain[-1]) > 3 * inner  # without loop=True the start is limited blind
    assert abs(g_loop[0] - g_loop[-1]) <= inner  # with it the wrap is like any other sample
    assert looped.limiter_gain_reduction_db > 0
    for r in (plain, looped):
        assert r.on_target
    tiled = np.concatenate([looped.mix] * 3)
    assert true_peak(tiled, sample_rate=SR) <= -1.0  # inter-sample peaks across the wrap count too


def test_looped_master_of_a_quiet_loop_equals_the_plain_one_when_nothing_is_limited():
    stem = noise(SR, level=0.01)
    a, b = master([stem], sample_rate=SR), master([stem], sample_rate=SR, loop=True)
    assert a.limiter_gain_reduction_db == b.limiter_gain_reduction_db == 0
    assert a.stem_gain == pytest.approx(b.stem_gain, rel=0.02)


def test_limit_keeps_a_group_under_the_ceiling_at_the_given_gain():
    loud = noise(SR, level=0.5)
    out = limit([loud, loud], sample_rate=SR, stem_gain=1.0, ceiling_dbtp=-1.0)
    assert true_peak(out, sample_rate=SR) <= -1.0 and out.shape == loud.shape
    quiet = noise(SR, level=0.01)
    assert np.array_equal(limit([quiet], sample_rate=SR), quiet)  # nothing to limit: untouched


# ------------------------------------------------------------------------- seam measures


def plucks(n, onsets, freq=440.0):
    """A loop of ``n`` samples: decaying tones starting at ``onsets`` (seconds), wrapping round."""
    t = np.arange(n) / SR
    x = np.zeros(n)
    for k, o in enumerate(onsets):
        age = (t - o) % (n / SR)  # time since the onset, periodically
        x += np.sin(2 * np.pi * freq * (1 + k / 8) * t) * np.exp(-age * 6.0) * 0.2
    return np.stack([x, x], axis=1)


def test_seam_measures_flag_clicks_and_gaps_but_not_a_clean_loop():
    n = SR  # 1 s; every frequency below is a whole number of cycles per second, so it loops cleanly
    clean = plucks(n, [0.1, 0.35, 0.6, 0.85])
    m = seam_measures(clean, SR)
    assert m["step_ratio"] < 1 and m["flux_ratio"] < 1 and m["gap_ratio"] < 1, m
    clicked = clean.copy()
    clicked[-1] += 0.3
    assert seam_measures(clicked, SR)["step_ratio"] > 1
    gap = clean.copy()
    gap[-SR // 20:] = 0  # 50 ms of silence before the wrap
    assert seam_measures(gap, SR)["gap_ratio"] > 1


# ----------------------------------------------------------------------- rendered bundles


@pytest.fixture(scope="module")
def loop_bundle(tmp_path_factory):
    from gekiban.pipeline import compose

    out = tmp_path_factory.mktemp("loop")
    track = compose("dramatic battle", duration=8, seed=1, loop=True)
    track.save(out, layers=True)
    return track, out


def test_loop_length_is_whole_bars_exact_to_the_sample(loop_bundle):
    track, out = loop_bundle
    score = track.score
    n = track.mix.shape[0]
    assert n == round(score.seconds_at(score.bars * score.meter.bar_beats) * track.sample_rate)
    assert track.brief.ending == "loop"
    mix, sr = read_audio(out / "mix.wav")
    assert mix.shape[0] == n and sr == track.sample_rate
    meta = json.loads((out / "track.json").read_text())
    assert meta["loop"]["start"] == 0 and meta["loop"]["end"] == n and meta["loop"]["bars"] == score.bars


def test_every_wav_of_a_loop_carries_its_loop_points(loop_bundle):
    track, out = loop_bundle
    n = track.mix.shape[0]
    wavs = [out / "mix.wav", *sorted((out / "stems").iterdir()), *sorted((out / "layers").iterdir())]
    assert len(wavs) == 1 + len(track.stems) + 3
    for path in wavs:
        (loop,) = smpl_loops(path)
        assert (loop["start"], loop["end_inclusive"], loop["type"]) == (0, n - 1, 0), path.name
        assert sf.info(path).frames == n


def test_tiled_loop_seams_are_not_outliers(loop_bundle):
    track, out = loop_bundle
    mix, sr = read_audio(out / "mix.wav")
    m = seam_measures(mix, sr, tiles=3)
    assert m["step_ratio"] < 1, m
    assert m["flux_ratio"] < 1, m
    # no gap: the level either side of the seam is not below the quietest moments inside by much
    # (a little below is the music breathing: notes of the last bar released before the bar line)
    assert m["gap_ratio"] < 4, m
    for path in sorted((out / "stems").iterdir()):
        stem, _ = read_audio(path)
        assert seam_measures(stem, sr)["step_ratio"] < 1, path.name
    for name in ("low", "mid"):
        layer, _ = read_audio(out / "layers" / f"{name}.wav")
        assert seam_measures(layer, sr)["step_ratio"] < 1, name


def test_loop_level_does_not_jump_at_the_wrap(loop_bundle):
    track, _ = loop_bundle
    sr = track.sample_rate
    n = track.mix.shape[0]
    tiled = np.concatenate([track.mix] * 3).astype(np.float64)
    power = (tiled ** 2).sum(axis=1)
    win, hop = int(0.4 * sr), int(0.05 * sr)  # momentary (400 ms) level every 50 ms
    c = np.concatenate([[0.0], np.cumsum(power)])
    starts = np.arange(0, tiled.shape[0] - win, hop)
    level = 10 * np.log10((c[starts + win] - c[starts]) / win + 1e-12)
    step = np.abs(np.diff(level))
    later = starts[1:]
    at_seam = step[(later < n) & (later + win > n)].max()
    inside = step[(starts[:-1] >= n) & (later + win <= 2 * n)]
    assert at_seam <= inside.max(), (at_seam, inside.max())  # no step the music does not take inside


def test_layers_are_nested_valid_mixes_and_high_is_the_mix(loop_bundle):
    track, out = loop_bundle
    meta = json.loads((out / "track.json").read_text())
    layers = meta["layers"]
    low, mid, high = (set(layers[k]["stems"]) for k in ("low", "mid", "high"))
    assert low and low <= mid <= high and high == set(meta["files"]["stems"])
    assert meta["files"]["layers"] == {k: f"layers/{k}.wav" for k in ("low", "mid", "high")}
    assert all(role_of(r).layer == 0 for r in layers["low"]["roles"])
    mix, sr = read_audio(out / "mix.wav")
    high_audio, _ = read_audio(out / "layers" / "high.wav")
    assert np.array_equal(high_audio, mix)
    for name in ("low", "mid"):
        audio, _ = read_audio(out / "layers" / f"{name}.wav")
        m = measure(audio, sample_rate=sr)
        assert audio.shape == mix.shape
        assert m["true_peak_dbtp"] <= -1.0 and np.abs(audio).max() < 1.0
        assert m["integrated_lufs"] > -40  # a real mix, not silence
        assert m["integrated_lufs"] <= meta["loudness"]["integrated_lufs"] + 0.5  # fewer stems, same gains
    # at the same gains: where the limiter is idle, the layer is the plain sum of its stems
    stems = {f"stems/{p.name}": read_audio(p)[0] for p in (out / "stems").iterdir()}
    low_audio, _ = read_audio(out / "layers" / "low.wav")
    total = sum(stems[s] for s in layers["low"]["stems"])
    idle = np.abs(total) < 0.2
    assert np.allclose(low_audio[idle], total[idle] * track.master.post_gain, atol=2e-4)


def test_layer_groups_fall_back_so_no_layer_is_silent():
    p = lambda role: Part(role=role, instrument="piano", program=0)  # noqa: E731
    assert layer_groups([p("lead"), p("drums")]) == {"low": [0], "mid": [0], "high": [0, 1]}
    assert layer_groups([p("drums")]) == {"low": [0], "mid": [0], "high": [0]}
    assert layer_groups([p("pad"), p("lead2"), p("drums"), p("fx")]) == {"low": [0], "mid": [0, 1], "high": [0, 1, 2, 3]}


@pytest.mark.parametrize("ending", ["fade", "button", "ring"])
def test_endings_on_the_audio_side(ending):
    from gekiban.pipeline import compose

    track = compose("gentle morning piano", duration=8, seed=2, ending=ending)
    sr, mix = track.sample_rate, track.mix
    music = round(track.score.duration * sr)
    last = 10 * np.log10(np.mean(mix[-sr // 20:].astype(np.float64) ** 2) + 1e-20)
    if ending == "fade":
        assert mix.shape[0] == music  # the fade ends with the music ...
        assert last < -60  # ... in silence
    elif ending == "button":
        assert music < mix.shape[0] <= music + int(1.5 * sr)  # a short tail
        assert last < -50
    else:
        assert mix.shape[0] > music + 2 * sr and last < -60  # the final chord rings out
    assert measure(mix, sample_rate=sr)["true_peak_dbtp"] <= -1.0


# ------------------------------------------------------------------------------------ hits


@pytest.mark.parametrize("prompt, seed, hits, duration", [
    ("tense chase", 5, [5.0], 8), ("gentle morning piano", 6, [3.3], 8), ("tense chase", 7, [2.5, 5.5], 8),
])
def test_hits_land_within_10_ms_in_the_audio(tmp_path, prompt, seed, hits, duration):
    from gekiban.midi import read_midi
    from gekiban.pipeline import compose

    track = compose(prompt, duration=duration, seed=seed, hits=hits)
    for h in hits:
        err = measure_onset(track.mix, track.sample_rate, h) - h
        assert abs(err) <= 0.010, (h, err)
    track.save(tmp_path)
    back = read_midi(tmp_path / "score.mid")
    marks = [m for m in back.markers if m.text.startswith("hit")]
    assert len(marks) == len(hits)
    for m, h in zip(marks, hits):
        assert back.seconds_at(m.beat) == pytest.approx(h, abs=1e-3)
