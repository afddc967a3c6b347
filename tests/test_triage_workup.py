"""Triage and the combined workup on the small fixture knowledge base."""

from __future__ import annotations

from gutnerve import assess


def test_red_flag_finding_sets_emergency(mini_kb):
    result = assess(mini_kb, present=["saddle-anesthesia"])
    assert result.triage.level == "emergency"
    assert result.triage.reasons[0].trigger == "finding:saddle-anesthesia"


def test_red_flag_cannot_be_outweighed(mini_kb):
    everything_else = ["burning-feet", "diarrhea", "numb-feet"]
    result = assess(mini_kb, present=["saddle-anesthesia", *everything_else], absent=["weight-loss", "leg-weakness"])
    assert result.triage.level == "emergency"


def test_no_flag_is_routine(mini_kb):
    result = assess(mini_kb, present=["diarrhea"])
    assert result.triage.level == "routine" and result.triage.reasons == ()


def test_likely_soon_cause_raises_triage(mini_kb):
    # B12 (urgency soon) is pushed above the 0.30 threshold by numb feet, weight loss and weakness
    result = assess(mini_kb, present=["numb-feet", "weight-loss", "leg-weakness"])
    b12 = next(s for s in result.ranked if s.cause_id == "vitamin-b12-deficiency")
    assert b12.posterior >= 0.30
    assert result.triage.level == "soon"
    assert any(r.trigger == "cause:vitamin-b12-deficiency" for r in result.triage.reasons)


def test_causes_below_their_threshold_alone_raise_triage_together(kb):
    """P(a case needs emergency care) is the sum over the emergency causes: two at 6% each are 12%.
    (On the knowledge base with no silence counted: triage then measures "more probable" against
    the priors these records carry, not against a case that reports nothing.)"""
    from gutnerve.model import Case, ScoredCause
    from gutnerve.triage import compile_flags, triage

    from .conftest import edit

    kb = edit(kb, settings=edit(kb.settings, mentioned_shares={}))
    split = kb.derived(compile_flags).split  # weighed as their components: not what this test builds
    emergency = [c.id for c in kb.causes.values() if c.urgency == "emergency" and not c.suspect_when and c.id not in split]
    others = [c.id for c in kb.causes.values() if c.urgency == "routine"]
    assert len(emergency) >= 2 and others, (
        "the knowledge base needs two emergency causes (counted whatever the case) and a routine one"
    )
    threshold = kb.settings.cause_thresholds["emergency"]
    each = threshold * 0.6  # below the threshold alone, above it together
    rest = (1 - 2 * each) / len(others)
    ranked = [ScoredCause(c, 0.0, (), 0.0, each, ()) for c in emergency[:2]]
    ranked += [ScoredCause(c, 0.0, (), 0.0, rest, ()) for c in others]
    ranked += [ScoredCause(c, 0.0, (), 0.0, 0.0, ()) for c in kb.causes if c not in emergency[:2] + others]
    ranked.sort(key=lambda s: -s.posterior)
    result = triage(kb, Case(frozenset(), frozenset()), ranked)
    assert result.level == "emergency"
    assert [r.trigger for r in result.reasons] == ["causes:emergency"]
    assert f"together {2 * each:.0%} probable" in result.reasons[0].message
    # one of them alone stays below: no reason at all
    alone = [ScoredCause(s.cause_id, 0.0, (), 0.0, s.posterior if s.cause_id != emergency[1] else 0.0, ()) for s in ranked]
    assert triage(kb, Case(frozenset(), frozenset()), alone).level != "emergency"
    # only causes the findings made more probable count: at their prior, together they stay below
    unmoved = [ScoredCause(s.cause_id, s.posterior, (), 0.0, s.posterior, ()) for s in ranked]
    assert triage(kb, Case(frozenset(), frozenset()), unmoved).level != "emergency"
    one_moved = [s if s.cause_id != emergency[0] else s._replace(prior=s.posterior / 2) for s in unmoved]
    assert triage(kb, Case(frozenset(), frozenset()), one_moved).level != "emergency"


def test_no_findings_raise_no_triage(kb):
    """With nothing given, or findings that point to no urgent cause, the urgent causes' prior mass alone
    sets no level: every cause is at its prior, none made more likely."""
    from gutnerve import assess

    assert assess(kb).triage == ("routine", ())


def test_a_flag_filed_again_on_the_same_findings_is_said_once(kb):
    """Saddle anaesthesia has its own emergency flag; causes that file the same flag again add no line."""
    from gutnerve import assess

    again = [c.id for c in kb.causes.values() for f in c.red_flags if f.findings == ("saddle-anesthesia",)]
    assert len(again) >= 2, "the shipped knowledge base files saddle anaesthesia again under several causes"
    reasons = assess(kb, present=["saddle-anesthesia"]).triage.reasons
    flags = [r for r in reasons if not r.trigger.startswith("cause")]
    assert [r.trigger for r in flags] == ["finding:saddle-anesthesia"]
    assert reasons[0].level == "emergency"


def test_workup_is_deduplicated_and_ordered_by_yield(mini_kb):
    result = assess(mini_kb, present=["burning-feet", "diarrhea"], absent=["weight-loss"])
    tests = [p.test for p in result.plan]
    assert len(tests) == len(set(tests))
    posterior = {s.cause_id: s.posterior for s in result.ranked}
    hba1c = next(p for p in result.plan if p.test == "hba1c")
    # first-line for small-fiber neuropathy, second-line for B12: one entry, both causes' mass
    assert hba1c.line == "first"
    assert hba1c.yield_ == posterior["small-fiber-neuropathy"] + posterior["vitamin-b12-deficiency"]
    firsts = [p for p in result.plan if p.line == "first"]
    assert [p.yield_ for p in firsts] == sorted((p.yield_ for p in firsts), reverse=True)
    assert tests[0] == "calprotectin"  # IBS holds 66% of the mass


def test_weak_evidence_for_a_rare_emergency_raises_no_emergency(kb):
    """model.yaml `triage.cause_evidence`: a cause counts toward triage only when the findings multiply
    its odds that many times. One unspecific finding lifts a few rare emergencies from their flat
    priors two- or three-fold: together past 10%, but not an emergency. Set the factor to 1 and
    acute onset, one painful leg or calf pain alone is one. Red flags still are, whatever the factor."""
    from gutnerve.model import raised

    from .conftest import edit

    assert kb.settings.triage_evidence > 1
    for finding in ("low-back-pain", "acute-onset", "one-leg-only", "reduced-reflexes", "leg-weakness"):
        result = assess(kb, present=[finding])
        assert result.triage.level != "emergency", finding
    lenient = edit(kb, settings=edit(kb.settings, triage_evidence=1.0))
    for finding in ("acute-onset", "one-leg-only", "calf-pain"):
        assert assess(lenient, present=[finding]).triage.level == "emergency", finding
    for flagged in (["saddle-anesthesia"], ["ascending-weakness"], ["leg-weakness", "acute-onset"]):
        assert assess(kb, present=flagged).triage.level == "emergency", flagged
    # the rule itself: odds x5 is posterior odds >= 5 x prior odds
    assert raised(0.5, 1 / 6, 5.0) and not raised(0.49, 1 / 6, 5.0) and not raised(0.1, 0.2, 1.0)


def test_the_most_probable_cause_sets_a_floor_one_level_below_its_urgency(kb):
    """model.yaml `triage.leading_cause_floor`: Guillain-Barre leads at 10% (tingling feet two weeks
    after a gastroenteritis, no fever), just below its emergency threshold: urgent, not routine. No
    floor without the setting, nor when the findings did not raise the leading cause enough to count
    for triage, nor when its `suspect_when` is not met; a floor never lowers a level."""
    from gutnerve.model import SuspectWhen

    from .conftest import edit, with_cause

    case = {"present": ["tingling-feet", "recent-gastroenteritis", "obesity"], "absent": ["fever"], "age": 60, "sex": "female"}
    result = assess(kb, **case)
    leader = result.ranked[0]
    assert leader.cause_id == "guillain-barre-syndrome" and leader.posterior < kb.settings.cause_thresholds["emergency"]
    assert kb.settings.leading_floor == 1
    assert result.triage.level == "urgent"
    (reason,) = result.triage.reasons
    assert reason.trigger == "leading:guillain-barre-syndrome"
    assert reason.message == (
        f"Guillain-Barre syndrome (often after Campylobacter enteritis), the most probable cause ({leader.posterior:.0%}), "
        "needs emergency attention: urgent care at least until it is ruled out."
    )
    assert assess(edit(kb, settings=edit(kb.settings, leading_floor=None)), **case).triage.level == "routine"
    assert assess(edit(kb, settings=edit(kb.settings, leading_floor=0)), **case).triage.level == "emergency"
    assert assess(edit(kb, settings=edit(kb.settings, triage_evidence=1000.0)), **case).triage.level == "routine"
    gated = with_cause(
        kb, "guillain-barre-syndrome", suspect_when=SuspectWhen((("ascending-weakness", ()),), "judgement", "Illustrative.")
    )
    assert assess(gated, **case).triage.level == "routine"
    # already an emergency (a red flag): the floor adds nothing
    flagged = assess(kb, **{**case, "present": [*case["present"], "saddle-anesthesia"]})
    assert flagged.triage.level == "emergency"
    assert not any(r.trigger.startswith("leading:") for r in flagged.triage.reasons)


def test_a_floor_names_the_leading_cause_and_only_ever_raises_the_level(kb):
    """Over every single finding: a floor is set only by the cause ranked first, one level below its
    urgency, and the level with floors is never below the level without them."""
    from .conftest import edit

    levels = kb.settings.triage_levels
    unfloored = edit(kb, settings=edit(kb.settings, leading_floor=None))
    floors = 0
    for finding in kb.findings:
        result = assess(kb, present=[finding])
        without = assess(unfloored, present=[finding]).triage.level
        assert levels.index(result.triage.level) <= levels.index(without), finding
        for reason in result.triage.reasons:
            if reason.trigger.startswith("leading:"):
                floors += 1
                leader = kb.causes[result.ranked[0].cause_id]
                assert reason.trigger == f"leading:{leader.id}", finding
                assert levels.index(reason.level) == levels.index(leader.urgency) + 1, finding
    assert floors >= 1  # epigastric pain to the back: pancreatic panniculitis (urgent) leads -> soon


def _suspected_only_with(kb, cause_id, *entries):
    from gutnerve.model import SuspectWhen

    from .conftest import with_cause

    return with_cause(kb, cause_id, suspect_when=SuspectWhen(tuple(entries), "judgement", "Illustrative."))


def test_a_cause_suspected_only_with_a_finding_raises_triage_only_with_it(mini_kb):
    """`suspect_when`: B12 passes its threshold on numb feet, weight loss and weakness, but counts
    for triage only once burning feet is present; the ranking is the same either way."""
    case = ["numb-feet", "weight-loss", "leg-weakness"]
    gated = _suspected_only_with(mini_kb, "vitamin-b12-deficiency", ("burning-feet", ()))
    before, after = assess(mini_kb, present=case), assess(gated, present=case)
    assert before.triage.level == "soon"
    assert after.triage.level == "routine" and after.triage.reasons == ()
    assert [(s.cause_id, s.posterior) for s in after.ranked] == [(s.cause_id, s.posterior) for s in before.ranked]
    opened = assess(gated, present=[*case, "burning-feet"])
    assert next(s for s in opened.ranked if s.cause_id == "vitamin-b12-deficiency").posterior >= 0.30
    assert opened.triage.level == "soon"
    assert [r.trigger for r in opened.triage.reasons] == ["cause:vitamin-b12-deficiency"]


def test_an_unless_finding_keeps_the_entry_shut(mini_kb):
    case = ["numb-feet", "weight-loss", "leg-weakness"]
    gated = _suspected_only_with(mini_kb, "vitamin-b12-deficiency", ("leg-weakness", ("burning-feet",)))
    assert assess(gated, present=case).triage.level == "soon"  # leg weakness opens it
    shut = assess(gated, present=[*case, "burning-feet"])
    assert next(s for s in shut.ranked if s.cause_id == "vitamin-b12-deficiency").posterior >= 0.30
    assert shut.triage.level == "routine"  # burning feet keeps that entry shut
    # a second entry still opens it
    both = _suspected_only_with(mini_kb, "vitamin-b12-deficiency", ("leg-weakness", ("burning-feet",)), ("weight-loss", ()))
    assert assess(both, present=[*case, "burning-feet"]).triage.level == "soon"


def test_a_cause_not_suspected_does_not_count_in_the_sum_either(kb):
    """The summed rule (two emergencies below the threshold alone, above it together) leaves out a
    cause whose `suspect_when` the case does not meet, and its reason does not name it."""
    from gutnerve.model import Case, ScoredCause
    from gutnerve.triage import compile_flags, triage

    from .conftest import edit

    kb = edit(kb, settings=edit(kb.settings, mentioned_shares={}))
    split = kb.derived(compile_flags).split  # triaged by their presentations: `suspect_when` is refused there
    emergency = [c.id for c in kb.causes.values() if c.urgency == "emergency" and not c.suspect_when and c.id not in split]
    assert len(emergency) >= 2, "the knowledge base needs two emergency causes without suspect_when"
    others = [c.id for c in kb.causes.values() if c.urgency == "routine"]
    each = kb.settings.cause_thresholds["emergency"] * 0.6
    rest = (1 - 2 * each) / len(others)
    ranked = [ScoredCause(c, 0.0, (), 0.0, each, ()) for c in emergency[:2]]
    ranked += [ScoredCause(c, 0.0, (), 0.0, rest, ()) for c in others]
    ranked += [ScoredCause(c, 0.0, (), 0.0, 0.0, ()) for c in kb.causes if c not in emergency[:2] + others]
    ranked.sort(key=lambda s: -s.posterior)
    assert triage(kb, Case(frozenset(), frozenset()), ranked).level == "emergency"
    gated = _suspected_only_with(kb, emergency[0], ("diarrhea", ()))  # a finding with no red flag
    assert triage(gated, Case(frozenset(), frozenset()), ranked).level != "emergency"
    opened = triage(gated, Case(frozenset({"diarrhea"}), frozenset()), ranked)
    assert [r.trigger for r in opened.reasons if r.trigger.startswith("causes:")] == ["causes:emergency"]


def test_a_finding_that_implies_a_suspect_when_finding_opens_it(kb):
    """Foot drop implies leg weakness (findings.yaml), so it opens an entry naming leg weakness."""
    from gutnerve.triage import compile_flags

    gated = _suspected_only_with(kb, "cauda-equina-syndrome", ("leg-weakness", ()))
    (entry,) = gated.derived(compile_flags).gates["cauda-equina-syndrome"]
    opens, shut = entry
    assert {"leg-weakness", "foot-drop"} <= opens and "numb-feet" not in opens and shut == frozenset()


def test_watch_for_names_the_findings_that_would_raise_the_triage(mini_kb):
    """triage.watch_for: saddle numbness alone makes an emergency (its own red flag) and B12, among
    the leading causes, lists it; a case that answers it, or is already an emergency, has none."""
    from gutnerve.triage import watch_for

    result = assess(mini_kb, present=["numb-feet"])
    assert result.triage.level == "routine"
    assert watch_for(mini_kb, result.case, result.ranked, result.triage.level) == [("saddle-anesthesia", "emergency")]
    answered = assess(mini_kb, present=["numb-feet"], absent=["saddle-anesthesia"])
    assert watch_for(mini_kb, answered.case, answered.ranked, answered.triage.level) == []
    flagged = assess(mini_kb, present=["saddle-anesthesia"])
    assert watch_for(mini_kb, flagged.case, flagged.ranked, flagged.triage.level) == []
    # a cause outside the leading ones does not bring its red flags' findings
    none_listed = assess(mini_kb, present=["numb-feet"])
    assert watch_for(mini_kb, none_listed.case, none_listed.ranked, "routine", top=0) == []


def test_watch_for_names_a_finding_that_would_let_a_leading_cause_count(mini_kb):
    """A leading cause whose `suspect_when` the case does not meet: the finding that opens it is worth
    watching for when the case, scored again with it, is more urgent; one the case has answered, or
    one whose `unless` is present, is not."""
    from gutnerve.triage import watch_for

    case = ["numb-feet", "weight-loss", "leg-weakness"]
    gated = _suspected_only_with(mini_kb, "vitamin-b12-deficiency", ("burning-feet", ()))
    result = assess(gated, present=case)
    assert result.triage.level == "routine"
    assert ("burning-feet", "soon") in watch_for(gated, result.case, result.ranked, result.triage.level)
    answered = assess(gated, present=case, absent=["burning-feet"])
    assert "burning-feet" not in dict(watch_for(gated, answered.case, answered.ranked, answered.triage.level))
    unless = _suspected_only_with(mini_kb, "vitamin-b12-deficiency", ("burning-feet", ("weight-loss",)))
    shut = assess(unless, present=case)
    assert "burning-feet" not in dict(watch_for(unless, shut.case, shut.ranked, shut.triage.level))
