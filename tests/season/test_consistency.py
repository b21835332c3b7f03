"""Palette features and the in-menu vs across-menu measure."""

from __future__ import annotations

import pytest
from season_fixtures import write_fake_bundle

from gekiban.season.consistency import PaletteFeatures, distance, menu_consistency, palette_features


def feat(name, programs, register=60.0, centroid=10.0):
    shares = [0.0] * 129
    for p in programs:
        shares[p] += 1.0 / len(programs)
    return PaletteFeatures(name=name, programs=tuple(shares), register_mean=register, register_spread=8.0,
                           centroid_oct=centroid, bandwidth_oct=9.0, flatness=0.0)


def test_distance_is_zero_for_the_same_palette_and_grows_with_difference():
    a = feat("a", [0, 48])
    assert distance(a, a) == 0.0
    assert distance(a, feat("b", [0, 73])) == pytest.approx(0.5)
    assert distance(a, feat("c", [107, 128])) == pytest.approx(1.0)
    assert distance(a, feat("d", [0, 48], register=72.0)) == pytest.approx(1.0)
    assert distance(a, feat("e", [0, 48], centroid=11.0)) == pytest.approx(1.0)


def test_menus_of_one_palette_each_pass_and_a_shuffled_pair_does_not():
    menus = {"strings": [feat(f"s{i}", [0, 48], register=60 + i) for i in range(4)],
             "band": [feat(f"b{i}", [29, 33, 128], register=50 + i, centroid=11.0) for i in range(4)]}
    report = menu_consistency(menus)
    assert (report.passed, report.pairs, report.fraction) == (12, 12, 1.0)
    assert report.mean_within < report.mean_across
    mixed = {"x": menus["strings"][:2] + menus["band"][:2], "y": menus["strings"][2:] + menus["band"][2:]}
    assert menu_consistency(mixed).fraction < 0.5


def test_the_measure_needs_two_menus_with_pairs():
    with pytest.raises(ValueError, match="two or more"):
        menu_consistency({"a": [feat("a", [0])]})
    with pytest.raises(ValueError, match="no menu has two cues"):
        menu_consistency({"a": [feat("a", [0])], "b": [feat("b", [1])]})


def test_features_of_a_bundle_on_disk(tmp_path):
    write_fake_bundle(tmp_path / "b", {"prompt": "x", "seed": 1})
    f = palette_features(tmp_path / "b")
    assert f.programs[0] == 1.0 and sum(f.programs) == pytest.approx(1.0)
    assert f.register_mean == 60.0 and f.register_spread == 0.0
    assert f.centroid_oct == pytest.approx(8.78, abs=0.1)  # the 440 Hz sine: log2(440)
