"""The three-way merge, as plain functions over plain data."""

from hypothesis import given
from hypothesis import strategies as st

from integration.sync.merge import FieldRule, merge_pull, merge_push

BOTH = FieldRule("company", pull=True, push=True)
PULL_ONLY = FieldRule("city", pull=True, push=False)
PUSH_ONLY = FieldRule("behaviour_score", pull=False, push=True)
CONSENT = FieldRule("email_opt_out", pull=True, push=True, protective=True)


def zoho_newer(key):
    return True


def plezi_newer(key):
    return False


def test_zoho_change_is_applied_to_plezi():
    result = merge_pull(
        [BOTH],
        plezi={"company": "Old"},
        zoho={"company": "New"},
        shadow={"company": "Old"},
        zoho_is_newer=plezi_newer,
    )
    assert result.to_plezi == {"company": "New"}
    assert result.shadow == {"company": "New"}
    assert result.conflicts == []


def test_an_echo_of_our_own_write_changes_nothing():
    result = merge_pull(
        [BOTH],
        plezi={"company": "Same"},
        zoho={"company": "Same"},
        shadow={"company": "Same"},
        zoho_is_newer=zoho_newer,
    )
    assert result.to_plezi == {} and result.conflicts == []


def test_plezi_change_survives_the_pull_and_is_pushed():
    pulled = merge_pull(
        [BOTH],
        plezi={"company": "Edited"},
        zoho={"company": "Base"},
        shadow={"company": "Base"},
        zoho_is_newer=zoho_newer,
    )
    assert pulled.to_plezi == {} and pulled.shadow == {"company": "Base"}
    pushed = merge_push([BOTH], plezi={"company": "Edited"}, shadow=pulled.shadow, linked=True)
    assert pushed.to_zoho == {"company": "Edited"}
    assert pushed.shadow == {"company": "Edited"}


def test_both_changed_the_most_recent_change_wins_and_is_recorded():
    args = dict(plezi={"company": "P"}, zoho={"company": "Z"}, shadow={"company": "B"})
    zoho_wins = merge_pull([BOTH], zoho_is_newer=zoho_newer, **args)
    assert zoho_wins.to_plezi == {"company": "Z"}
    assert [(c.key, c.plezi_value, c.zoho_value, c.winner) for c in zoho_wins.conflicts] == [
        ("company", "P", "Z", "zoho")
    ]
    plezi_wins = merge_pull([BOTH], zoho_is_newer=plezi_newer, **args)
    assert plezi_wins.to_plezi == {} and plezi_wins.conflicts[0].winner == "plezi"
    assert merge_push(
        [BOTH], plezi={"company": "P"}, shadow=plezi_wins.shadow, linked=True
    ).to_zoho == {"company": "P"}


def test_both_made_the_same_change_is_not_a_conflict():
    result = merge_pull(
        [BOTH],
        plezi={"company": "X"},
        zoho={"company": "X"},
        shadow={"company": "B"},
        zoho_is_newer=zoho_newer,
    )
    assert result.conflicts == [] and result.to_plezi == {} and result.shadow == {"company": "X"}


def test_clearing_a_field_propagates_once_both_sides_agreed():
    result = merge_pull(
        [BOTH],
        plezi={"company": "Acme"},
        zoho={"company": None},
        shadow={"company": "Acme"},
        zoho_is_newer=zoho_newer,
    )
    assert result.to_plezi == {"company": None}
    pushed = merge_push([BOTH], plezi={"company": None}, shadow={"company": "Acme"}, linked=True)
    assert pushed.to_zoho == {"company": None}


def test_first_link_blanks_never_erase_values():
    pulled = merge_pull(
        [BOTH],
        plezi={"company": "Acme"},
        zoho={"company": None},
        shadow={},
        zoho_is_newer=zoho_newer,
    )
    assert pulled.to_plezi == {}
    pushed = merge_push([BOTH], plezi={"company": None}, shadow={}, linked=False)
    assert pushed.to_zoho == {}


def test_directions_are_respected():
    pulled = merge_pull(
        [PULL_ONLY, PUSH_ONLY],
        plezi={"city": "Paris", "behaviour_score": 10},
        zoho={"city": "Lyon", "behaviour_score": 40},
        shadow={"city": "Paris", "behaviour_score": 10},
        zoho_is_newer=zoho_newer,
    )
    assert pulled.to_plezi == {"city": "Lyon"}
    pushed = merge_push(
        [PULL_ONLY, PUSH_ONLY],
        plezi={"city": "Nice", "behaviour_score": 20},
        shadow={"city": "Lyon", "behaviour_score": 10},
        linked=True,
    )
    assert pushed.to_zoho == {"behaviour_score": 20}


def test_a_field_only_pulled_keeps_a_plezi_edit_newer_than_zoho_s_change():
    args = {"plezi": {"city": "Nice"}, "zoho": {"city": "Lyon"}, "shadow": {"city": "Paris"}}

    plezi_wins = merge_pull([PULL_ONLY], zoho_is_newer=plezi_newer, **args)
    zoho_wins = merge_pull([PULL_ONLY], zoho_is_newer=zoho_newer, **args)

    assert (plezi_wins.to_plezi, plezi_wins.shadow) == ({}, {"city": "Lyon"})  # seen, lost
    assert [c.winner for c in plezi_wins.conflicts] == ["plezi"]
    assert zoho_wins.to_plezi == {"city": "Lyon"}


def test_a_field_only_pushed_never_overwrites_a_newer_zoho_change():
    args = {
        "plezi": {"behaviour_score": 20},
        "zoho": {"behaviour_score": 40},
        "shadow": {"behaviour_score": 10},
    }

    zoho_wins = merge_pull([PUSH_ONLY], zoho_is_newer=zoho_newer, **args)
    plezi_wins = merge_pull([PUSH_ONLY], zoho_is_newer=plezi_newer, **args)

    assert zoho_wins.to_plezi == {}
    pushed = merge_push([PUSH_ONLY], plezi=args["plezi"], shadow=zoho_wins.shadow, linked=True)
    assert pushed.to_zoho == {}  # the rep's newer value stays in Zoho
    assert [c.winner for c in zoho_wins.conflicts] == ["zoho"]
    pushed = merge_push([PUSH_ONLY], plezi=args["plezi"], shadow=plezi_wins.shadow, linked=True)
    assert pushed.to_zoho == {"behaviour_score": 20}


def test_an_unreadable_zoho_value_leaves_the_field_unchanged():
    result = merge_pull(
        [BOTH],
        plezi={"company": "Acme"},
        zoho={},
        shadow={"company": "Acme"},
        zoho_is_newer=zoho_newer,
    )
    assert result.to_plezi == {} and result.shadow == {"company": "Acme"}


def test_consent_the_most_protective_value_wins_both_ways():
    pulled = merge_pull(
        [CONSENT],
        plezi={"email_opt_out": False},
        zoho={"email_opt_out": True},
        shadow={"email_opt_out": False},
        zoho_is_newer=plezi_newer,
    )
    assert pulled.to_plezi == {"email_opt_out": True} and pulled.consent
    kept = merge_pull(
        [CONSENT],
        plezi={"email_opt_out": True},
        zoho={"email_opt_out": False},
        shadow={"email_opt_out": True},
        zoho_is_newer=zoho_newer,
    )
    assert kept.to_plezi == {}
    pushed = merge_push([CONSENT], plezi={"email_opt_out": True}, shadow={}, linked=True)
    assert pushed.to_zoho == {"email_opt_out": True} and pushed.consent
    assert (
        merge_push([CONSENT], plezi={"email_opt_out": False}, shadow={}, linked=True).to_zoho == {}
    )


values = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))


@given(base=values, plezi=values, zoho=values, zoho_is_newer=st.booleans())
def test_after_pull_then_push_both_sides_agree(base, plezi, zoho, zoho_is_newer):
    """Whatever the edits, one pull and one push leave both sides equal to the shadow."""
    shadow = {} if base is None else {"company": base}
    pulled = merge_pull(
        [BOTH],
        plezi={"company": plezi},
        zoho={"company": zoho},
        shadow=shadow,
        zoho_is_newer=lambda key: zoho_is_newer,
    )
    plezi_after = pulled.to_plezi.get("company", plezi)
    pushed = merge_push([BOTH], plezi={"company": plezi_after}, shadow=pulled.shadow, linked=True)
    zoho_after = pushed.to_zoho.get("company", zoho)
    if plezi_after is not None or zoho_after is not None or base is not None:
        assert plezi_after == zoho_after or (base is None and None in (plezi_after, zoho_after))
    # an edit on one side only is never lost
    if plezi == base and zoho != base and not (base is None and zoho is None):
        assert plezi_after == zoho
    if zoho == base and plezi != base:
        assert zoho_after == plezi
