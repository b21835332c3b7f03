"""The role table (gekiban.roles): one place for what each role means to every stage."""

from gekiban.roles import OTHER, ROLE_NAMES, ROLES, base_role, is_role, role_of
from gekiban.styles.figures import figures_for


def test_roles_in_score_order():
    assert ROLE_NAMES == ("lead", "counter", "pad", "ostinato", "bass", "drums", "percussion")


def test_doubled_seats_play_their_role():
    assert base_role("pad2") == "pad" and base_role("lead13") == "lead" and base_role("bass") == "bass"
    assert role_of("ostinato2") is role_of("ostinato")
    assert role_of("program-5") is OTHER and role_of("part") is OTHER
    assert is_role("drums") and not is_role("drums2") and not is_role("piano")


def test_what_each_stage_reads_is_sensible():
    for role in ROLES:
        assert -1 <= role.pan <= 1 and 0 <= role.reverb <= 2 and role.layer in (0, 1, 2)
        assert role.drive in ("driving", "sustaining", "line")
        figures = figures_for(role.name)
        assert (role.default_pattern in figures) if figures else role.default_pattern == ""
    assert role_of("lead").balance == 0 and all(r.balance <= 0 for r in ROLES)
    assert {r.name for r in ROLES if r.low_end} == {"bass", "drums", "percussion"}
    assert {r.name for r in ROLES if r.layer == 0} == {"pad", "bass"}
