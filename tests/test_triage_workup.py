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
    from gutnerve.triage import triage

    from .conftest import edit

    kb = edit(kb, settings=edit(kb.settings, mentioned_shares={}))
    emergency = [c.id for c in kb.causes.values() if c.urgency == "emergency"]
    others = [c.id for c in kb.causes.values() if c.urgency == "routine"]
    assert len(emergency) >= 2 and others, "the knowledge base needs two emergency causes and a routine one"
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
