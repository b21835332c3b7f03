"""The stems' room (gekiban.audio.reverb): the convolution is pedalboard's Freeverb."""

from __future__ import annotations

import numpy as np
import pedalboard
import pytest

from gekiban.audio.reverb import DAMPING, ROOM, WET_PER_SEND, add_reverb, room_response

SR = 48000


def test_convolution_matches_freeverb() -> None:
    rng = np.random.default_rng(3)
    n = 20 * SR  # several overlap-add blocks
    dry = (rng.standard_normal((n, 2)) * np.linspace(0.0, 0.3, n)[:, None]).astype(np.float32)
    dry[5 * SR : 6 * SR] = 0.0  # a silence the tail must ring into
    send = 0.6
    ours = dry.copy()
    add_reverb(ours, send=send, sample_rate=SR)
    room = pedalboard.Reverb(room_size=ROOM, damping=DAMPING, wet_level=WET_PER_SEND * send, dry_level=0.5,
                             width=1.0, freeze_mode=0.0)
    theirs = room(np.ascontiguousarray(dry.T), SR).T
    err = np.abs(ours - theirs).max() / np.abs(theirs).max()
    assert 20 * np.log10(err) < -60.0
    tail = ours[5 * SR + SR // 10 : 5 * SR + SR // 5]
    assert np.abs(tail).max() > 1e-3  # the room rings on after the sound stops


def test_response_is_short_and_decays() -> None:
    h = room_response(SR)
    assert h.dtype == np.float32 and h.shape[0] == 2
    assert 0.8 * SR < h.shape[1] < 3 * SR
    assert np.abs(h[:, -SR // 10 :]).max() < 1e-3 * np.abs(h).max()


@pytest.mark.parametrize("send", [0.0, -0.5])
def test_no_send_leaves_audio_alone(send: float) -> None:
    x = np.ones((1000, 2), dtype=np.float32)
    add_reverb(x, send=send, sample_rate=SR)
    assert (x == 1.0).all()
