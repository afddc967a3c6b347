"""Read a free-text description into findings: what is present, absent, or not understood.

`understand(text, kb)` returns a `Reading`; `combine(reading, case)` turns it into a
case dict (merged with findings given another way) and refuses any contradiction.
Pure: no I/O. Every finding phrase comes from the knowledge base; this module only
knows English grammar words (negation triggers, stop words), never medical facts.

Rules
=====

Words. The text is split into word tokens; hyphens, slashes and apostrophes
inside words separate or join as below, so "light-headed" reads as "light
headed". Each word is normalised the same way for the text and for the knowledge
base: lower case; curly apostrophes straightened; contractions expanded ("don't"
-> "do not", "can't"/"can not" -> "cannot"; also typed without the apostrophe,
"dont", "cant"); a possessive "'s" dropped
("crohn's" = "crohn"); cheap British -> American spellings (oe/ae: diarrhoea,
anaemia, oedema, coeliac, caecal, anaesthesia, paediatric; -ise(d) -> -ize(d);
colour, tumour, behaviour, fibre); a plural "s" dropped from words of 4+ letters
not ending in ss/us/is ("stools" = "stool"), and "calves" read as "calf". A decimal such as 38.5
reads as its whole part (38); a muscle power grade (0/5 to 5/5, "4+/5") is one word, so "power
5/5" is a phrase, and every grade below 5/5 reads as 4/5 ("power 2/5" is "power 4/5"). Inside a phrase an amount before a unit of weight is passed
over ("lost 10 kg", "lost 6kg" and "lost 2 stone" read as "lost kg" and "lost stone"). "-ve" and "+ve" read as negative and positive; a question mark
glued to the next word ("?coeliac") is a query of that word (a hedge, below).

Phrases. A finding is named by each of its `synonyms`, its `label`, and its id
with hyphens as spaces (and denied by each of its `normal` phrases, below).
Matching is by whole words only ("numbers" never matches "numb", "know" is not
"no"), leftmost-longest ("alternating diarrhoea and constipation" is one
finding, not two), never across a comma or sentence end, and each word is used
once. Inside a phrase (never at its ends) articles, possessives, forms of "be" and
"very/really/quite/so" are passed over, in the text and in the knowledge base alike
("pain in his calf" = "pain in the calf", "calf is very swollen" = "calf swollen"),
and so are the side words left, right, both and bilateral of the text ("swollen
left calf" = "swollen calf"), except before a word where the knowledge base needs
the side to tell two findings apart ("pain in the right abdomen" is not "pain in the
abdomen", since "pain in the lower right abdomen" is not "pain in the lower abdomen").
A finding said present on one side and absent on the other ("swollen right calf,
the left leg is not swollen") is present, the other side's denial shown as
uncertain and not used; said without sides, it is a conflict (below).
Findings said present of one side only, in a text whose every side word is the side
of a finding read, or of the other side said to be spared ("only my right foot burns,
the left is fine", "but not the left"), and which names no both/bilateral, ask about
the knowledge base's `sided` finding (one leg only): it is added as uncertain (doubt
"side named"), never read as present; present of both sides ("right calf swollen, left
foot numb"), it reads absent. A complaint said of both legs ("numbness in both feet", "bilateral leg
weakness"), in a text that names no single side, reads the `sided` finding absent.
A phrase ending in a word that names a part (back, bottom, side, top, ...) is not
matched where "of" and a thing follow: "pain in the back of my leg" is not back pain,
"bleeding from the bottom of my foot" is not blood in the stool ("pain in my back of
3 months" still is). A coordination shares a phrase out: the one word after (or
before) "and"/"or" takes the rest of a matched phrase ("tingling hands and feet" is
also "tingling feet", "burning and tingling feet" also "burning feet"), and so does
each one-word item of a list that an "and"/"or" joins ("calf swollen, hot and sore"
is also "calf sore"; "swollen calf, knee is fine" shares nothing), and the one
word after takes the unmatched words before the other ("weakness in the arms and
legs" is "weakness in the legs"), when that makes a phrase of one finding. A phrase
two findings share is not matched: it is reported as unmatched, with
both as suggestions (unless each lists it under `together`, below). There is no fuzzy
matching: a misspelling is unmatched, and a close phrase is offered only as a suggestion.

Suggestions. A finding's `suggests` phrases hint at it without saying it ("wet myself"
may be sphincter dysfunction or a cough's leak; "cannot stand up" may be weakness or
pain): each reads as that finding uncertain (doubt "suggests"), never present and never
absent, denied or not, so that a red flag hinted at is asked about (the "if present"
line), not assumed and not passed over.

Several at once. A phrase that findings list under `together` names them all at once
("tetraparesis", "weakness of all four limbs": arm and leg weakness). Said, it reads each of
them; denied, each only as uncertain (doubt "suggests"): "no tetraparesis" may deny the arms
and leave the legs weak.

Wider complaints. A finding's `broader` phrases name a complaint wider than it, said with
no place ("numbness", "tingling", "weakness"; "leg pain" is wider than several findings).
Said, it is asked about as a hint is (the numbness may be in the hands); denied, each
finding it is wider than is absent ("no numbness, tingling or weakness" rules out numb and
tingling feet and leg weakness). Said with the finding itself, it yields to it. It is read
after the other phrases and the coordinations, so "numbness and tingling in my hands" is the
hands, and only where it stands alone: "jaw weakness" and "numbness in the arm" are not
understood. A verb of beginning gives it its place: "numbness started in my toes" reads as
"numbness in my toes", shared out to a list after it as any phrase is ("tingling began in the
feet and hands"), and "numbness started in my ear", a place the vocabulary does not know, is
not understood. A denial gives it the place of the word before the denial: "feet
without numbness" and "my feet are not numb" read as "numbness in the feet" denied, "knee had no
swelling" as knee swelling denied, and "my arm is not numb" or "loin without redness or swelling"
are not understood. Said right after a finding whose words name a place, it takes that place
where the vocabulary has the phrase: "knee pain without swelling" denies knee swelling, not leg
swelling too; after a comma it is a new item ("knee pain, no swelling" denies both).
A finding's `broader_normal` phrases say a wider examination was normal, with no place
("sensation intact"): read the same way, where they stand alone, but as the finding absent,
as a `normal` phrase is; "sensation normal in the hands" is not understood.

Normal findings. A finding's `normal` phrases say that it was looked for and
not found, as examination notes and results put it ("plantars flexor", "CK
normal", "vibration sense intact"): each reads as that finding absent, with no
trigger. Such a phrase ends any open negation scope ("no fever, CK normal,
burning feet" leaves the burning feet present); a hedge or someone-else scope
makes it uncertain ("?CK normal", "mother's CK normal"), and so does a negation
trigger right before it ("not normal CK").

Measurements. A finding's `measured` names read a value written after them
("sodium 124", "Na: 124 mmol/L", "temp of 38.6C", "CK >10,000", "Hb was 9.1"):
after the name, "of", "was", "is", "at", "level", "value", "up to", ":", "=" or
"-" may come, then the number (a comparison sign and thousands commas allowed),
then a unit. The unit picks the scale (Celsius or Fahrenheit, g/dL or g/L); with
none, or one the finding does not list, the one scale whose range holds the
number does. Inside the scale's `present` bounds the value reads the finding
present; inside its `absent` bounds, absent, like a `normal` phrase. The bounds
lie where every laboratory would agree (the findings mean "below the
laboratory's range"), so a value between them ("sodium 134", "temp 37.8") reads
nothing: it stays with what was not understood, the finding offered as a
suggestion. Where the bounds depend on sex (haemoglobin), a scale's `female`
and `male` bounds are used for the sex the text names, else the case's (the
`sex` given to `understand`); with neither known, or both named, the bounds
both sexes share. A number outside the scale's range is not that measurement. A
read value is a statement, as a `normal` phrase is: it ends a negated list
("no fever, Na 128" leaves the low sodium), a negation right before it denies
it ("denies a temperature of 39"), a hedge makes it uncertain ("?Na 124"), and
"mother's CK 3000" is someone else's. A value followed by "normal" ("CK 3400
normal") is read neither way.

Negation (after NegEx, Chapman et al. 2001, and its ConText extension). Triggers
are matched on the words left over after the finding phrases, longest first:

- pre-negation: no, not, nil, denies, deny, denying, without, negative for,
  absence of, free of, never, never had, no history of, no evidence of, no sign(s)
  of, neither, nor, none, none known, no longer, w/o ...; "non" (as in non-smoker)
  negates only the one word right after it, and a phrase may not start there
  ("non-bloody diarrhoea" is diarrhoea, "non-insulin-dependent diabetes" is
  diabetes). A pre-negation at a clause end (followed by a comma, a sentence end
  or nothing) negates nothing after it ("No, I have diarrhoea"), but negates the
  finding right before it ("fever no") or just before a colon, dash or question
  mark ("fever: no", "fever? no", "diabetes - none known", "blood in stool: denies").
- post-negation: absent, not present, not seen, not found, not reported, not
  noted, not observed, not detected, not elicited, negative ("fever absent",
  "fever and weight loss were absent"): it reaches back over the findings just
  before it, skipping is/are/was/were/been/has/have, through a list that ends in
  "and"/"or" ("fever, weight loss and blood in the stool absent"); a bare comma
  joins nothing ("burning feet, fever denied" negates only fever). An item of
  the list may be no finding, of up to four words ("fever and chills absent"
  negates fever), but a finding right after a verb such as had/has/with is no
  item ("she had diarrhoea and fever was absent" negates only fever). "absent"
  with nothing to reach back to negates the one finding right after it
  ("absent fever").
- either way: denied, ruled out, excluded: post-negation if a finding comes just
  before, otherwise pre-negation ("denied fever", "fever denied"); followed by a
  comma or a sentence end they never negate forward ("chest pain denied,
  diarrhoea" leaves the diarrhoea).
- pseudo-triggers, which negate nothing: not now, not any more, not only, not just, no increase, no
  change, no significant change, no improvement, no relief, no better, no worse,
  no response, no benefit, no more than, gram negative, without difficulty, without trying, not
  necessarily, no doubt, no idea, no reason, no matter, no wonder, on and off,
  got used to, family doctor, and stock phrases that name nothing: no known
  (drug) allergies, nil of note, nil else, no (past) medical history, no PMH.
- A finding phrase that itself contains a negation word ("no energy", "do not
  sweat") is affirmed, and ends any open scope.

Scope. A pre-trigger's scope runs forward through a list ("no fever, weight loss
or blood in the stool" negates all three) and ends at:
- a sentence or clause end: . ; ? ! ( ) or a new line (a comma or colon does not
  end it);
- a termination term: but, however, although, though, yet, except, apart from,
  aside from, other than, besides, whereas, still, which, who, because, unlike,
  instead, since, after (who/which/whose do not end a someone-else scope: "her
  mother, who has diabetes");
- once it has covered a finding, or once a comma has come after its trigger, a
  word that starts a new statement: has, have, had, is, are, was, were, with,
  also, reports, complains, presents, describes, developed, notes, noticed, gets,
  got, feels, experiences, suffers, takes/took, uses, started, began, drinks,
  smokes, eats, follows, underwent, received, prescribed, treated, the pronouns
  I, he, she, they, we, patient, and the verbless openers on, been, just, only,
  always, feeling, lots/a lot/plenty ("no fever, she has diarrhoea"; "no weight
  loss, took metronidazole for months", "no diabetes, on omeprazole", "no back
  pain, just burning feet" and "no known drug allergies, takes omeprazole"
  negate only what comes before; "denies taking metformin" still negates); or a
  finding phrase that opens with one of these words ("no fever, taking
  metformin"), or holds is/are/was/were/has/have/had or an affirming word below
  ("no tingling hands, feet are tingling", "no diabetes, coeliac disease
  diagnosed"). Right after "or"/"nor" none of these ends the list ("no fever or
  taking metformin" negates both), and a comma alone does not end a
  someone-else scope;
- a word that affirms the finding just before it, when that finding was a later
  list item reached over a bare comma: present, noted, diagnosed, confirmed,
  positive, yes, admitted, only, persists, continues, developed, started, began,
  reported, appeared, occurred ("in the absence of fever, diarrhoea developed"
  and "no fever, nausea only" affirm the diarrhoea and the nausea; "no fever or
  diarrhoea reported" negates both);
- more than five other words before the first finding, or between two findings
  of the list (commas, and, or, plus do not count);
- another trigger, which opens its own scope.

Past a comma a negated list and a new statement read alike ("no supplements, numb
feet and tired all the time", "no diarrhoea, back pain and cannot pee"). A finding
that a pre-negation's scope reaches after a comma is uncertain (doubt "list"), shown
and not used, until an "or" joining a later item shows a list, which denies
them ("no fever, weight loss or blood in the stool"). A finding that alone makes an
emergency (its `red_flag` in findings.yaml, at the most urgent level) stays
uncertain even then: a red flag is not denied on a guess. Without a comma the list
reads as a list ("no fever or urinary retention").

Not affirmed, not negated. These put the findings they reach in `uncertain`,
which are reported but never used (hedge and someone-else scopes follow the
scope rules above):
- hedges: not sure, not certain, unsure, uncertain, cannot (could not, would not) say, maybe, possibly, possible,
  perhaps, probably, might, may have, may be, could be, query, "?" glued to a
  word, questionable, suspected, rule out, tested/screened/checked/evaluated for,
  worried about, whether, not much, not many, not always, do not think, do not
  believe, not related to, not due to, not caused by;
- ex, former, stopped, quit, discontinued, came off, off, used to hedge only the
  finding right after them, passing over articles, possessives and be/have/take/
  use ("ex-smoker", "stopped taking metformin", "used to be a heavy drinker",
  "off omeprazole"), and end at a comma; stopped, quit and discontinued right
  after a finding (skipping is/was...) hedge it instead ("metformin was
  discontinued");
- a finding named as a test: a finding directly followed by test, screen,
  serology, antibodies, biopsy, level, panel, workup, scan or result(s) ("coeliac
  serology negative" says nothing about coeliac disease being present);
  a finding followed (skipping is/has...) by resolved, settled, subsided,
  cleared, disappeared or went away ("diarrhoea has resolved"); and a finding
  followed by "runs in the family" (someone else's, as below); a finding followed by
  on purpose, intentionally or deliberately, or right after intentional or deliberate
  ("losing weight on purpose"); a finding followed by a question mark that no answer
  (a negation, yes) follows ("feet feel numb? maybe tingling"; "fever? no" is fever absent);
- someone else (ConText's experiencer): family history (of), FHx, FH, family,
  mother, father, mum, dad, sister, brother, son, daughter, grandparents, aunt,
  uncle, cousin, sibling, parent, husband, wife, partner, grandad, nan and the
  like, relative, friend, no one, nobody; this scope also ends at I/me/patient.
  A text written about a relative is theirs: one that opens with the relative
  ("My mum wet herself...", "my 70 yo dad...", "Grandad is confused"), goes on
  about them as he or she and never says I or me, reads that relative's words
  as no trigger (another relative still is one: "his grandmother had diabetes"),
  and takes the age given with them and the sex the word names.

Times. A time said with a finding is read where the knowledge base says what it means
(findings.yaml `lasting` and `recent`, model.yaml `text`). The times: a duration ("for 3
years", "for the last few days", "for years", "since yesterday", "since childhood", "a
3-month history", "3/12 history", "6/12 hx", clinical shorthand alone: "foot drop 1/52"),
and a time ago ("two weeks ago", "about 3 years back", "last week", "yesterday", shorthand
after "post" or "s/p": "post-op 2/52"; a date is neither: "3/12/2024"); days, weeks,
fortnights, months and years, never hours or minutes ("after walking for an hour"). Given
today's date, a year after "since" is a duration and after "in" a time ago, the range from
its last day to its first ("numb feet since 2019"; this year's is too wide to fit a course);
so is a month, the last one of that name up to today unless a year follows ("since March",
"in March 2024"; "since May" and "in May" only), and Christmas, the last one up to today
("since Christmas", "since xmas"); a weekday after "since" or "on" is the last one before
today, 1 to 7 days ago ("since Tuesday", "on last Friday"; full names only).
A vague count is the range it allows ("a few" 2-5, "several" 3-9, "for years" two or more),
and a time reads a finding only when the whole range fits. A
time is said of a finding with only grammar words between them (a word of content there may
be what it is of: "unsteady after drinking a lot for years", "thyroid out last week"): when
the time opens its clause, the nearest after it ("..., and for the last 6 months my feet are
numb"); else the nearest before it between commas ("numb feet for 3 years"); else, when it
opens the stretch after a comma, the one before that ("numb feet, for 3 years"). A finding
negated, hedged or someone else's takes its time with it ("no diarrhoea for 2 weeks", "my
mother had numb feet for years").
- A duration, or a time ago after a word of beginning (started, began, developed, noticed,
  first, onset, came on...: "tingling started two days ago"), says how long a symptom has
  lasted: where it fits a course finding's `lasting` days, and the symptom is of one of its
  categories, it reads that finding ("numb feet for 3 years": chronic course; "weak legs
  since yesterday": acute onset). A history finding's time reads nothing ("on metformin for
  10 years").
- A time ago said of a finding with `recent` days, or of one its `since` names, reads it
  present when it fits ("had surgery 3 weeks ago", a hint otherwise, is recent immobility;
  "diarrhoea 3 weeks ago" is recent gastroenteritis, the diarrhoea itself then over: uncertain,
  doubt "past"), and past when it does not ("food poisoning a year ago").
- Any other time ago of a finding of model.yaml `text: current` categories: at least
  `past_days` ago, the finding is a past episode, uncertain with doubt "past" and asked about
  where its yes would raise the triage ("double vision 10 years ago"); under it, the time is
  when it began, a duration as above ("legs went weak 2 days ago": acute onset).
A time that reads nothing stays in `ignored` (and `quantities`); one said with no finding, or
with a hint, is paired in `suggestions` with the course findings its range fits ("numb feet. It
all started 2 days ago": acute onset, suggested, never read).

Conflicts. A finding both affirmed and negated, two different ages, or both a
female and a male word are listed in `conflicts`, never resolved; `combine`
refuses a reading with conflicts, and a reading that contradicts the case it is
combined with.

Age and sex (conservative). Age: "54-year-old", "54 years old", "54 yo", "54 y/o",
"aged 54", "age: 54", "54 years of age"; not after my/his/her/their/our/your, and
"age" not after at/since/from/by/before/after/until. Sex: the words woman, female,
lady, girl, man, male, gentleman, boy, not after a possessive. No pronouns, no
"54F" shorthand.

Unmatched. The words left over (not a finding, trigger, age or sex) are split at
punctuation, at "and"/"or"/"plus" and at every matched phrase into chunks. A
chunk with a content word is reported in `unmatched` (trimmed of leading
articles, pronouns and auxiliaries, and of trailing stop words); a chunk of only stop words is
dropped; a chunk of only stop words and details (durations, numbers, frequency,
severity: "for 3 months", "very", "every day") goes to `ignored`, so the caller
can show that it was read and not used; those of them that hold a time or a number
("for 3 months", "since 2019") are also in `quantities`, which the terminal shows.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any, Literal

from gutnerve.case import CaseError
from gutnerve.model import Issue, KnowledgeBase, Lasting, Measured, Recent

# --------------------------------------------------------------------------
# Public data


# Why a mention is uncertain: hedged ("?sepsis", "possibly", "stopped metformin"); about someone else
# ("mother has diabetes"); "list": what a negated list reached past a comma with no "or" to make it
# a list, or a red flag it reached there ("no diarrhoea, back pain and cannot pee"); the denial of the
# other side of a finding said present on one side; or the finding a side named asks about ("swollen
# left calf": one leg only?, findings.yaml `sided`); or what a phrase only hints at ("wet myself":
# findings.yaml `suggests`); or what a time said with it puts in the past ("double vision 10 years
# ago", "diarrhoea 3 weeks ago": model.yaml `text`, findings.yaml `recent`).
Doubt = Literal["hedged", "someone else", "list", "other side", "side named", "suggests", "past"]


@dataclass(frozen=True)
class Mention:
    """One finding phrase found in the text, and how it was read."""

    finding: str  # finding id
    phrase: str  # the phrase as written in the text
    start: int  # character offsets of `phrase` in the text
    end: int
    negated: bool = False
    trigger: str | None = None  # the negation or hedge trigger as written, if any
    uncertain: bool = False  # hedged, or about someone else: neither present nor absent
    doubt: Doubt | None = None  # why it is uncertain (Doubt)


@dataclass(frozen=True)
class Reading:
    """What `understand` made of a text."""

    text: str
    present: tuple[Mention, ...] = ()
    absent: tuple[Mention, ...] = ()
    uncertain: tuple[Mention, ...] = ()
    unmatched: tuple[str, ...] = ()  # phrases with content that matched no finding
    ignored: tuple[str, ...] = ()  # details read but not used: durations, numbers, severity
    quantities: tuple[str, ...] = ()  # those of `ignored` that hold a time or a number
    # (unmatched or quantities phrase, finding id): only ever suggestions
    suggestions: tuple[tuple[str, str], ...] = ()
    age: int | None = None
    sex: str | None = None
    conflicts: tuple[str, ...] = ()  # one line each; never resolved silently

    @property
    def present_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.finding for m in self.present))

    @property
    def absent_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.finding for m in self.absent))

    @property
    def uncertain_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.finding for m in self.uncertain))

    @property
    def doubted_ids(self) -> tuple[str, ...]:
        """Uncertain findings that may still be the person's own (hedged, an item of a negated list that
        may be a new statement, the finding a side named asks about, or one a phrase hints at): those
        worth asking about, unlike someone else's or the other side's."""
        asked = ("hedged", "list", "side named", "suggests", "past")
        return tuple(dict.fromkeys(m.finding for m in self.uncertain if m.doubt in asked))


# --------------------------------------------------------------------------
# Words

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_SPELLING = (
    ("oedem", "edem"),
    ("oesoph", "esoph"),
    ("oestr", "estr"),
    ("oea", "ea"),
    ("coeli", "celi"),
    ("foet", "fet"),
    ("aem", "em"),
    ("aesth", "esth"),
    ("caec", "cec"),
    ("paed", "ped"),
    ("colour", "color"),
    ("tumour", "tumor"),
    ("behaviour", "behavior"),
    ("fibre", "fiber"),
)
_ISE = re.compile(r"is(ed|es|ing|ation|ations)$")
_TOKEN = re.compile(
    r"(?P<grade>(?<![\w/.])[0-5][-+]?/5(?![\w/]))"  # a muscle power grade, one word: "power 5/5", "4+/5"
    r"|(?P<num>\d+)(?:\.\d+)?(?![^\W_])"
    r"|(?P<abbr>(?<![^\W_])[a-zA-Z]/[a-zA-Z](?![^\W_]))"
    r"|(?P<sign>(?<![^\s(\[,;:/])[-+]ve(?![^\W_]))"
    r"|(?P<query>(?<![^\s(\[,;:/])\?(?=[^\W_]))"
    r"|(?P<word>[^\W_]+(?:['\u2019\u2018][^\W_]+)*'?)"
    r"|(?P<stop>[.;!?()\[\]{}\n])"
    r"|(?P<comma>[,:/&+]|(?<=\s)-(?=\s)|[\u2013\u2014])"
)

Kind = Literal["word", "comma", "stop"]


# Contractions typed without their apostrophe ("cant", "dont"): read as if it were there.
_IRREGULAR_PLURALS = {"calves": "calf", "halves": "half"}  # "-ves" plurals the "s" rule would misread as "calve"
_BARE_CONTRACTIONS = {
    bare: bare[:-2] + "n't"
    for bare in ("cant", "wont", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt")
    + ("couldnt", "wouldnt", "shouldnt")
}


_GLUED_UNIT = re.compile(r"(\d+)(kgs?|kilos?|lbs?)")  # "6kg" is "6 kg"


def _norm_word(raw: str) -> tuple[str, ...]:
    word = raw.lower().translate(_APOSTROPHES)
    glued = _GLUED_UNIT.fullmatch(word)
    if glued:
        return (glued.group(1), *_norm_word(glued.group(2)))
    word = _BARE_CONTRACTIONS.get(word, word)
    if word in ("can't", "cannot"):
        return ("cannot",)
    if word == "won't":
        return ("will", "not")
    if word.endswith("n't") and len(word) > 3:
        return (*_norm_word(word[:-3]), "not")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    word = _IRREGULAR_PLURALS.get(word, word)
    for british, american in _SPELLING:
        word = word.replace(british, american)
    word = _ISE.sub(r"iz\1", word)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return (word,)


# A muscle power grade reads as full power (5/5) or as weakness: 0/5 to 4+/5 all read as 4/5, so that
# the knowledge base writes "power 4/5 in the legs" once for every grade below full power.
_FULL_POWER = {"5/5": "5/5", "5+/5": "5/5"}
_WEAK_GRADE = "4/5"


@dataclass
class _Token:
    norm: str
    start: int
    end: int
    kind: Kind
    used: str = ""  # "", "finding", "trigger", "age", "sex", "side", "time", "between" (a value read neither way)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if match.group("grade") is not None:  # every grade below full power is weakness: one word
            tokens.append(_Token(_FULL_POWER.get(match.group("grade"), _WEAK_GRADE), start, end, "word"))
        elif match.group("num") is not None:
            tokens.append(_Token(match.group("num"), start, end, "word"))
        elif match.group("abbr") is not None:  # w/o, s/p, c/o
            tokens.append(_Token(match.group("abbr").lower(), start, end, "word"))
        elif match.group("sign") is not None:  # -ve, +ve
            tokens.append(_Token("negative" if match.group("sign")[0] == "-" else "positive", start, end, "word"))
        elif match.group("query") is not None:  # ?coeliac
            tokens.append(_Token("?", start, end, "word"))
        elif match.group("word") is not None:
            for norm in _norm_word(match.group("word")):
                if norm:
                    tokens.append(_Token(norm, start, end, "word"))
        elif match.group("stop") is not None:
            tokens.append(_Token(match.group("stop"), start, end, "stop"))
        else:
            tokens.append(_Token(match.group("comma").strip(), start, end, "comma"))
    merged: list[_Token] = []
    for token in tokens:  # "can not" reads as "cannot"
        if token.norm == "not" and merged and merged[-1].norm == "can" and token.kind == merged[-1].kind == "word":
            merged[-1] = _Token("cannot", merged[-1].start, token.end, "word")
        else:
            merged.append(token)
    return merged


def words(phrase: str) -> tuple[str, ...]:
    """A phrase as its normalised words."""
    return tuple(t.norm for t in _tokens(phrase) if t.kind == "word")


# Grammar words passed over inside a finding phrase, in the text and in the knowledge base alike, so that
# "pain in my calf", "pain in the calf" and "pain in his calf" are one phrase, and "calf is very swollen"
# reads as "calf swollen". Never a phrase's first or last word, and never a negation.
_FILLER = frozenset(words("a an the my his her their your our is are was were am be been being very really quite so"))
# Side words: passed over inside a phrase of the text ("swollen left calf" = "swollen calf"), except
# before a word where the knowledge base's phrases need the side to tell two findings apart.
_SIDES = frozenset(words("left right both bilateral"))
_ONE_SIDE = frozenset(words("left right"))
_BOTH_SIDES = frozenset(words("both bilateral"))
# What "both"/"bilateral" must be followed by to say both legs ("both feet", "bilateral lower limb"), not
# both hands or both eyes: words of the language, like the sides above, not medical knowledge.
_LEG_PARTS = frozenset(
    words("leg legs foot feet calf calves ankle ankles knee knees thigh thighs shin shins sole soles heel heels toe toes lower")
)


# Words that name a part of something when "of" follows: "the back of my leg" is the leg, not the
# back, and "the bottom of my foot" is the foot. A phrase ending in one of them is not matched
# there (English grammar, not anatomy: a longer phrase of the knowledge base still can be).
_PARTS = frozenset(words("back bottom side front top middle edge inside outside underside tip base ball sole"))


def _past_fillers(tokens: list[_Token], i: int, step: int = 1, fillers: frozenset[str] = _FILLER) -> int:
    """The first index from i on (back, with step -1) that is not a filler word; len(tokens) or -1 if none."""
    while 0 <= i < len(tokens) and tokens[i].kind == "word" and tokens[i].norm in fillers:
        i += step
    return i


def _part_of_next(tokens: list[_Token], end: int) -> bool:
    """Whether the words from tokens[end] on say "of <something>" rather than "of <a duration>"
    ("pain in the back of my leg", but not "pain in my back of 3 months")."""
    if end >= len(tokens) or tokens[end].kind != "word" or tokens[end].norm != "of":
        return False
    i = _past_fillers(tokens, end + 1)
    return i < len(tokens) and tokens[i].kind == "word" and not tokens[i].norm[:1].isdigit() and tokens[i].norm not in _DETAIL


# Units of weight: an amount before one, inside a phrase, is passed over like a filler ("lost 10 kg"
# = "lost 2 stone" = "lost kg"/"lost stone"), so one phrase of the knowledge base reads every amount.
_UNITS = frozenset(words("kg kgs kilo kilos kilogram kilograms lb lbs pound pounds stone stones"))


def _kept(norms: tuple[str, ...]) -> list[int]:
    """The indexes of `norms` that are not fillers inside it (its ends always stay)."""
    return [
        k
        for k, w in enumerate(norms)
        if not (0 < k < len(norms) - 1 and (w in _FILLER or (w.isdigit() and norms[k + 1] in _UNITS)))
    ]


def _reduce(norms: tuple[str, ...]) -> tuple[str, ...]:
    """`norms` with the fillers inside it (not its ends) left out."""
    return tuple(norms[k] for k in _kept(norms))


def phrase_key(phrase: str) -> tuple[str, ...]:
    """A phrase as the words the matcher compares: normalised, fillers inside it left out."""
    return _reduce(words(phrase))


# --------------------------------------------------------------------------
# Grammar (no medical facts here)

TriggerKind = Literal[
    "pre", "post", "either", "pseudo", "term", "clause", "hedge", "other", "tight-neg", "tight-hedge", "post-hedge"
]

_TRIGGER_WORDS: dict[TriggerKind, tuple[str, ...]] = {
    "pre": (
        "no", "not", "denies", "deny", "denying", "without", "negative for", "absence of", "free of", "free from",
        "w/o", "never", "never had", "no history of", "no evidence of", "no sign of", "no signs of", "no complaints of",
        "neither", "nor", "none", "no longer", "no more", "nil", "none known", "nil known",
    ),
    "post": (
        "absent", "not present", "not seen", "not found", "negative", "not reported", "not noted", "not observed",
        "not detected", "not elicited", "not evident", "not identified",
    ),
    "either": ("denied", "ruled out", "excluded"),
    "pseudo": (
        "not only", "not just", "no increase", "no change", "no significant change", "gram negative",
        "without difficulty", "not necessarily", "no doubt", "no idea", "no reason", "no matter", "no wonder",
        "no improvement", "no relief", "no better", "no worse", "no response", "no benefit", "no help",
        "no resolution", "no reduction", "no decrease", "no more than", "not more than", "no less than",
        "without trying", "without meaning to", "not now", "not any more", "not anymore", "got used to", "get used to", "getting used to", "on and off", "off and on", "family doctor",
        "family physician", "family practitioner", "no known allergies", "no known drug allergies", "no allergies",
        "no drug allergies", "nil of note", "nil else", "nil by mouth", "nothing of note", "nothing else of note", "no pmh",
        "no past medical history", "no medical history", "no significant past medical history",
        "no significant medical history", "no other medical history",
    ),
    "term": (
        "but", "however", "although", "though", "yet", "except", "apart from", "aside from", "other than", "besides",
        "whereas", "still", "which", "who", "because", "unlike", "instead", "since", "after",
    ),
    "clause": (
        "has", "have", "had", "is", "are", "was", "were", "with", "also", "reports", "reported", "complains",
        "complained", "complaining", "presents", "presented", "presenting", "describes", "described", "developed",
        "develops", "notes", "noticed", "gets", "get", "got", "getting", "feels", "feel", "felt", "experiences",
        "experienced", "experiencing", "suffers", "suffered", "suffering", "take", "takes", "taking", "took", "taken",
        "uses", "using", "started", "starts", "began", "begun", "drinks", "drank", "smokes", "smoked", "eats", "ate",
        "follows", "underwent", "receives", "received", "prescribed", "treated", "i", "i'm", "i've", "he", "she",
        "they", "we", "patient", "pt",
    ),
    "hedge": (
        "not sure", "not certain", "unsure", "uncertain", "cannot say", "could not say", "would not say", "maybe", "possibly", "possible", "perhaps", "probably",
        "probable", "might", "might have", "may have", "may be", "could be", "could have", "query", "questionable",
        "suspected", "suspect", "suspicion of", "rule out", "to rule out", "tested for", "test for", "testing for",
        "screened for", "screening for", "checked for", "evaluated for", "evaluation for", "worried about",
        "concerned about", "afraid of", "wondering if", "wonder if", "whether", "not much", "not many",
        "not a lot of", "not always", "do not think", "does not think", "did not think", "do not believe",
        "not related to", "unrelated to", "not due to", "not caused by", "not because of",
    ),
    "other": (
        "family history of", "family history", "mother", "father", "mum", "mom", "dad", "sister", "brother", "son",
        "daughter", "grandmother", "grandfather", "grandma", "grandpa", "grandparents", "aunt", "uncle", "cousin",
        "sibling", "parent", "relative", "friend", "family", "fhx", "fh", "no one", "nobody", "husband", "wife",
        "partner", "grandad", "granddad", "granny", "nan", "nana", "grandson", "granddaughter", "boyfriend",
        "girlfriend",
    ),
    "tight-neg": ("non",),
    "tight-hedge": (
        "ex", "former", "formerly", "stopped", "stopping", "quit", "discontinued", "came off", "used to", "off",
        "intentional", "deliberate",
    ),
    "post-hedge": (
        "test", "tests", "testing", "screen", "screening", "serology", "antibody", "antibodies", "biopsy", "level",
        "levels", "panel", "workup", "scan", "result", "results",
        "resolved", "settled", "subsided", "cleared", "disappeared", "went away",
        "on purpose", "intentionally", "deliberately",
        "runs in the family", "run in the family", "runs in my family", "runs in our family",
    ),
}  # fmt: skip

_TRIGGERS: dict[tuple[str, ...], TriggerKind] = {
    words(phrase): kind for kind, phrases in _TRIGGER_WORDS.items() for phrase in phrases
}
_TRIGGER_LENGTHS = tuple(sorted({len(key) for key in _TRIGGERS}, reverse=True))
_NEGATION_WORDS = frozenset(key[0] for key, kind in _TRIGGERS.items() if kind in ("pre", "either", "tight-neg") and len(key) == 1)
_CLAUSE_WORDS = frozenset(key[0] for key, kind in _TRIGGERS.items() if kind == "clause" and len(key) == 1)
_CONNECTORS = frozenset(words("and or plus"))
_AND_OR = frozenset(words("and or"))
_YES = frozenset(words("yes y yeah yep positive present"))
_COPULAS = frozenset(words("is are was were been be being has have had all both"))
_SELF = frozenset(words("i i'm i've me myself patient pt"))
_FIRST_PERSON = frozenset(words("i i'm i've i'd me myself"))
_THIRD_PERSON = frozenset(words("he she him his her himself herself he's she's"))
_OTHERS_KIN = frozenset(words("his her their your"))  # "her mother": the relative of the one the text is about
_ANSWERED = frozenset((":", "-", "\u2013", "\u2014", "?"))
_WINDOW = 5  # words allowed before the first finding of a scope, and between findings of a list
_ITEM = 4  # words allowed in a list item that is no finding, before a post-negation ("fever and chills absent")
_TRIGGERS[("?",)] = "tight-hedge"  # "?coeliac": a question mark glued to the next word queries it
# Words that open a new statement without a verb of their own ("no fever, on metformin", "..., just bloating").
_OPENERS = frozenset(words("on been just only always feeling lots lot plenty"))
# Verbs inside a finding phrase that make it a statement of its own ("feet are tingling", "weight has dropped").
_COPULA_VERBS = frozenset(words("is are was were has have had"))
# Words after a finding that affirm it ("..., coeliac disease diagnosed", "..., diarrhoea present", "nausea only").
_AFFIRMING = frozenset(
    words(
        "present noted diagnosed confirmed positive yes admitted only persists persisted persisting continues"
        " continued developed started began reported appeared occurred"
    )
)
# Words a tight scope passes over on its way to its finding ("used to be a heavy drinker", "stopped using ...").
_TIGHT_SKIP = frozenset(
    words("a an the my his her their our your be been being have has had having take takes taking took taken use uses using")
)
_STATING = _COPULA_VERBS | _AFFIRMING
_RELATIVES = frozenset(words("who which whose"))
_STOPPED = frozenset(words(phrase) for phrase in ("stopped", "stopping", "quit", "discontinued"))
_OR = frozenset(words("or nor"))

# Stop words: grammar; trimmed from the ends of an unmatched phrase.
_TRIM = frozenset(
    words(
        "a an the this that these those it its i i'm i've i'd me my mine myself we us our you your he him his she her"
        " they them their there here is are was were be been being am do does did doing done have has had having and or"
        " nor but so if then than as also just only even too very really quite rather some any all both each every otherwise"
        " much many more most lot lots bit kind sort get gets got getting feel feels felt seem seems seemed"
        " can could would should will shall may might must yes ok okay well please thanks hi hello doctor dr"
    )
)
# Other stop words: prepositions, generic nouns and verbs.
_STOP = _TRIM | frozenset(
    words(
        "of for from over in on at to by about around during within after before until till while when where what"
        " how why like into onto out up down off upon per via patient pt case history symptom symptoms problem"
        " problems issue issues trouble start started starting begin began begun come came coming go goes went going"
        " gone notice noticed think thought say says said told tell know knew sure need needs want wants"
        " experience experiencing complain complains report reports present presents despite especially particularly"
        " take takes taking took taken use uses using used s/p c/o h/o"
        # how notes introduce what was found: "On examination ...", "Labs: ..."
        " examination exam examined o/e investigations labs results"
    )
)
# Details: read, not used (durations, numbers, frequency, severity).
_DETAIL = frozenset(
    words(
        "year years month months week weeks day days hour hours minute minutes today yesterday tonight ago since last"
        " past previous next recent recently lately now currently first second few several couple once twice time times"
        " one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty sixty seventy eighty"
        " ninety hundred half dozen often sometimes occasionally usually always constantly frequently intermittently"
        " daily nightly weekly regularly on off mostly mainly almost again bad badly severe severely mild mildly"
        " moderate moderately slight slightly terrible terribly awful horrible worse worsening better improving"
        " increasing decreasing new old ongoing persistent age aged january february march april june july august"
        " september october november december monday tuesday wednesday thursday friday saturday sunday"
    )
)

_FEMALE = frozenset(words("woman female lady girl"))
_MALE = frozenset(words("man male gentleman boy"))
# the sex of the relative a text is written about (`_subject`)
_KIN_SEX = {
    **dict.fromkeys(
        words("mother mum mom sister daughter grandmother grandma aunt wife granny nan nana granddaughter girlfriend"),
        "female",
    ),
    **dict.fromkeys(
        words("father dad brother son grandfather grandpa uncle husband grandad granddad grandson boyfriend"), "male"
    ),
}
# the "other" triggers that name one person, who may be the one a text is written about (`_subject`)
_KIN = frozenset((kin,) for kin in (*_KIN_SEX, *words("cousin sibling parent friend partner")))
_SEX_WORDS = _FEMALE | _MALE
_POSSESSIVES = frozenset(("my", "his", "her", "their", "our", "your"))
_AGE_BEFORE = frozenset(("at", "since", "from", "by", "before", "after", "until", "till", "under", "over"))
_AGE = re.compile(
    r"(?P<a>\d{1,3})\s*-?\s*(?:years?|yrs?)\s*-?\s*old\b"
    r"|(?P<b>\d{1,3})\s*(?:years?|yrs?)\s+of\s+age\b"
    r"|(?P<c>\d{1,3})\s*(?:yo|y/o|y\.o\.?)(?![^\W_])"
    r"|\b(?P<kw>aged?)\s*:?\s*(?P<d>\d{1,3})\b",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------
# The matcher for one knowledge base


@dataclass(frozen=True)
class Vocabulary:
    """Every finding phrase of a knowledge base, normalised: words -> the finding ids it names."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]  # phrase_key -> ids
    lengths: tuple[int, ...]  # the phrase lengths present, longest first
    texts: dict[str, tuple[str, ...]]  # "joined words" -> ids, for suggestions
    normal: frozenset[tuple[str, ...]] = frozenset()  # phrases that say their finding was found absent ("ck normal")
    sided: frozenset[tuple[str, str]] = frozenset()  # (side, next word) pairs that tell findings apart ("right", "lower")
    red_flags: frozenset[str] = frozenset()  # findings that alone make an emergency (never denied by a list alone)
    side_finding: str | None = None  # the finding a side named asks about (findings.yaml `sided`)
    side_phrased: frozenset[str] = frozenset()  # findings with a side word in a phrase of their own: no hint
    suggests: frozenset[tuple[str, ...]] = frozenset()  # phrases that only hint at their finding ("wet myself")
    dated_as: Mapping[str, str] = field(default_factory=dict)  # finding -> the one whose `recent.since` names it
    courses: tuple[tuple[str, Lasting], ...] = ()  # the findings a duration reads (`lasting`), in order
    measures: tuple[tuple[str, Measured, re.Pattern[str]], ...] = ()  # (finding, its measurement, the pattern
    # that finds its name and value in the text)
    broader: frozenset[tuple[str, ...]] = frozenset()  # a wider complaint with no place ("numbness"): a hint
    # said, the finding absent denied
    together: frozenset[tuple[str, ...]] = frozenset()  # a phrase naming several findings at once
    # ("tetraparesis"): each read said; denied, each only asked about (it may deny just one)

    @cached_property  # asked for each word of a place (`_with_place`): built once per vocabulary
    def hints(self) -> frozenset[tuple[str, ...]]:
        """Phrases that only hint at their finding or deny it, never say where: a place joined to a
        wider complaint must make a phrase that says its finding outright."""
        return self.broader | self.suggests | self.normal

    @property
    def collisions(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Phrases that name more than one finding (they are never matched). A wider complaint is not one:
        it may be wider than several findings ("leg pain"); nor is a phrase naming several at once."""
        return {
            key: ids for key, ids in self.phrases.items() if len(ids) > 1 and key not in self.broader and key not in self.together
        }


def _build(kb: KnowledgeBase) -> Vocabulary:
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    normal: set[tuple[str, ...]] = set()
    suggests: set[tuple[str, ...]] = set()
    broader: set[tuple[str, ...]] = set()
    together: set[tuple[str, ...]] = set()
    for finding in kb.findings.values():
        named = ((phrase, ()) for phrase in (*finding.synonyms, finding.label, finding.id.replace("-", " ")))
        # a wider examination found normal ("sensation intact") is read as a wider complaint is, where it
        # stands alone, and as a normal phrase is, its finding absent
        kinds = (
            ((normal,), finding.normal),
            ((suggests,), finding.suggests),
            ((broader,), finding.broader),
            ((normal, broader), finding.broader_normal),
            ((together,), finding.together),
        )
        for phrase, sets in (*named, *((phrase, sets) for sets, listed in kinds for phrase in listed)):
            key = phrase_key(phrase)
            if key and finding.id not in phrases.get(key, ()):
                phrases[key] = (*phrases.get(key, ()), finding.id)
            for kind in sets if key else ():
                kind.add(key)
    # a phrase that is a synonym of one finding and a `normal` phrase of another names two findings,
    # and is never matched (the validator refuses it)
    lengths = tuple(sorted({len(key) for key in phrases}, reverse=True))
    # a side word matters before the next word where leaving it out turns one finding's phrase into
    # another's ("pain in the lower right abdomen" is not "pain in the lower abdomen")
    sided = frozenset(
        (key[j], key[j + 1])
        for key, ids in phrases.items()
        for j in range(len(key) - 1)
        if key[j] in _SIDES and phrases.get(key[:j] + key[j + 1 :], ids) != ids
    )
    top = kb.settings.triage_levels[0]
    red_flags = frozenset(f.id for f in kb.findings.values() if f.red_flag is not None and f.red_flag.level == top)
    # a near miss of a hint is too weak to offer ("overnight" is not "overweight")
    texts = {" ".join(key): ids for key, ids in phrases.items() if key not in suggests and key not in broader}
    side_finding = next((f.id for f in kb.findings.values() if f.sided), None)
    side_phrased = frozenset(fid for key, ids in phrases.items() if _ONE_SIDE & set(key) for fid in ids)
    dated_as = {other: f.id for f in kb.findings.values() if f.recent for other in f.recent.since}
    courses = tuple((f.id, f.lasting) for f in kb.findings.values() if f.lasting)
    measures = tuple((f.id, m, _measure_pattern(m)) for f in kb.findings.values() for m in f.measured)
    for fid, _, _ in measures:  # a value read is a phrase of its finding; one in the absent bounds, a normal one
        phrases[_measured_key(fid, True)] = phrases[_measured_key(fid, False)] = (fid,)
        normal.add(_measured_key(fid, False))
    return Vocabulary(
        phrases,
        lengths,
        texts,
        frozenset(normal),
        sided,
        red_flags,
        side_finding,
        side_phrased,
        frozenset(suggests),
        dated_as,
        courses,
        measures,
        frozenset(broader),
        frozenset(together),
    )


def _measured_key(finding: str, present: bool) -> tuple[str, ...]:
    """The phrase key a value read as `finding` present (absent) stands for: no text's words."""
    return ("#measured", finding, "present" if present else "absent")


# after a measurement's name: "sodium of 124", "Na: 124", "CK was >10,000", "temp up to 39"
_MEASURE_LINK = r"(?:\s*(?:[:=]|-(?!\s*\d)|\b(?:of|was|is|were|at|level|levels|value|up\s+to)\b)\s*)*"
_MEASURE_VALUE = r"\s*(?P<cmp>[<>]=?|\u2265|\u2264)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?:\.\d+)?)"
_MEASURE_UNIT = r"(?:\s?(?P<unit>[\u00b0\u00ba]\s?[a-z]+|[a-z\u00b5]+(?:\s?/\s?[a-z0-9]+)?))?"


# Units of mass, volume and count of a dose or an intake: a number followed by one that no scale of the
# measurement names is an amount of something else, not its value ("vitamin k 2 mg", "sodium 3 g a day").
_MASS = ("mg", "g", "gm", "gram", "grams", "mcg", "ug", "\u00b5g", "ng")
_VOLUME = ("ml", "l", "litre", "litres", "liter", "liters")
_AMOUNT_UNITS = frozenset((*_MASS, *_VOLUME, "tablet", "tablets", "tab", "tabs", "capsule", "capsules"))
_SAID_NORMAL = re.compile(r"[\s(,:-]*(?:normal|wnl|nl)(?![^\W_])", re.IGNORECASE)


def _measure_pattern(measured: Measured) -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted(measured.names, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{names})(?![^\W_]){_MEASURE_LINK}{_MEASURE_VALUE}{_MEASURE_UNIT}", re.IGNORECASE)


def _measured(value: float, sign: str, unit: str, measured: Measured, sex: str | None = None) -> bool | None | str:
    """True (present) or False (absent) where the value lies inside a scale's bounds (for `sex`, where
    known); "between" where it lies in one of its scales' range but in neither bounds; None where it
    is not this measurement."""
    # the caller leaves only a unit of this measurement's ("" for none): it picks the scales, the range decides
    scales = [s for s in measured.scales if (not unit or unit in s.units) and s.low <= value <= s.high]
    if len(scales) != 1:
        return None
    (scale,) = scales
    low, high = (value, math.inf) if sign in (">", ">=", "\u2265") else (-math.inf, value) if sign else (value, value)
    present, absent = scale.bounds(sex)
    for bounds, read in ((present, True), (absent, False)):
        if bounds[0] <= low and high <= bounds[1]:
            return read
    return "between"


def _measures(
    text: str, tokens: list[_Token], vocab: Vocabulary, sex: str | None = None
) -> tuple[list[tuple[int, int, tuple[str, ...]]], list[tuple[str, str, tuple[int, ...]]]]:
    """The values the text gives of measured findings (read on the bounds for `sex` where known): (start,
    end, key) of those read, their tokens marked used, and (phrase, finding, tokens) of those between
    the bounds (suggestions)."""
    found: list[tuple[int, int, str, Measured, re.Match[str]]] = []  # (char start, -end, finding, ...)
    for fid, measured, pattern in vocab.measures:
        found += [(m.start(), -m.end(), fid, measured, m) for m in pattern.finditer(text)]
    read: list[tuple[int, int, tuple[str, ...]]] = []
    between: list[tuple[str, str, tuple[int, ...]]] = []
    taken = -1  # the end of the last match kept: the earliest, longest of overlapping ones wins
    for start, _, fid, measured, match in sorted(found, key=lambda f: f[:2]):
        if start < taken:
            continue
        unit = "".join((match.group("unit") or "").lower().split()).replace("\u00ba", "\u00b0")
        if not any(unit in scale.units for scale in measured.scales):
            if unit.split("/")[0] in _AMOUNT_UNITS:
                continue  # an amount of something else: "vitamin k 2 mg", "sodium 3 g a day"
            unit = ""  # a word after the number that is no unit of it ("na 124 and ..."): the number alone
        value = float(match.group("num").replace(",", ""))
        result = _measured(value, match.group("cmp") or "", unit, measured, sex)
        if result is None:
            continue
        end = match.end() if unit else match.end("num")
        taken = end
        if _SAID_NORMAL.match(text, end):  # "ck 3400 normal": the number and the word disagree or
            continue  # the value is the laboratory's to judge: read neither way
        covered = [i for i, t in enumerate(tokens) if start <= t.start and t.end <= end]
        if result == "between":  # its tokens, where they make it up exactly ("CK 500-600" has one for "500-600")
            whole = bool(covered) and tokens[covered[0]].start == start and tokens[covered[-1]].end == end
            between.append((" ".join(text[start:end].split()), fid, tuple(covered) if whole else ()))
            continue
        if not covered or any(tokens[i].used for i in covered):
            continue
        for i in covered:
            tokens[i].used = "finding"
        read.append((covered[0], covered[-1] + 1, _measured_key(fid, result is True)))
    return read, between


_CACHE: dict[int, tuple[KnowledgeBase, Vocabulary]] = {}


def vocabulary(kb: KnowledgeBase) -> Vocabulary:
    """The phrase table of `kb`, built once per knowledge base object."""
    hit = _CACHE.get(id(kb))
    if hit is not None and hit[0] is kb:
        return hit[1]
    built = _build(kb)
    if len(_CACHE) >= 8:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[id(kb)] = (kb, built)
    return built


def _scan(
    tokens: list[_Token], table: Mapping[tuple[str, ...], Any], lengths: Iterable[int], single: frozenset[int] = frozenset()
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Leftmost-longest matches of `table` keys over runs of free word tokens: (start, end, key), with
    start and end token indexes. At a token index in `single` only a one-word match may start."""
    sizes = tuple(lengths)
    found: list[tuple[int, int, tuple[str, ...]]] = []
    i = 0
    while i < len(tokens):
        for size in sizes:
            if size > 1 and i in single:
                continue
            run = tokens[i : i + size]
            key = tuple(t.norm for t in run)
            if len(run) == size and all(t.kind == "word" and not t.used for t in run) and key in table:
                found.append((i, i + size, key))
                i += size
                break
        else:
            i += 1
    return found


def _scan_phrases(
    tokens: list[_Token], vocab: Vocabulary, single: frozenset[int], held: frozenset[tuple[str, ...]] = frozenset()
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Leftmost-longest finding phrases: like `_scan`, but a run of the text is compared without the
    fillers inside it, and then also without the side words inside it that neither tell two findings
    apart there nor start a phrase of their own ("weakness in the left leg only" keeps "left leg only").
    Phrases in `held` are not matched (they wait for a later scan)."""
    longest = vocab.lengths[0] + 4 if vocab.lengths else 0  # a few fillers or side words inside

    def match_at(i: int, single_word: bool) -> tuple[int, tuple[str, ...]] | None:
        for size in range(1 if single_word else min(longest, len(tokens) - i), 0, -1):
            run = tokens[i : i + size]
            if not all(t.kind == "word" and not t.used for t in run):
                continue
            norms = tuple(t.norm for t in run)
            if norms[-1] in _PARTS and _part_of_next(tokens, i + size):
                continue
            kept = [(k, norms[k]) for k in _kept(norms)]
            key = tuple(w for _, w in kept)
            if key not in vocab.phrases and len(key) > 2:
                unsided = tuple(
                    w
                    for j, (k, w) in enumerate(kept)
                    if not (
                        0 < j < len(kept) - 1
                        and w in _SIDES
                        and (w, kept[j + 1][1]) not in vocab.sided
                        and match_at(i + k, False) is None
                    )
                )
                key = unsided if unsided in vocab.phrases else key
            if key in vocab.phrases and key not in held:
                return size, key
        return None

    found: list[tuple[int, int, tuple[str, ...]]] = []
    i = 0
    while i < len(tokens):
        hit = match_at(i, i in single)
        if hit is None:
            i += 1
            continue
        size, key = hit
        found.append((i, i + size, key))
        i += size
    return found


def _shared(
    tokens: list[_Token], vocab: Vocabulary, found: list[tuple[int, int, tuple[str, ...]]], unmatched_runs: bool = True
) -> list[tuple[int, int, tuple[str, ...]]]:
    """The findings a coordination shares a phrase out to: "tingling hands and feet" is also "tingling
    feet", and "hands and feet tingle" also "hands tingle". The one word after (before) "and"/"or" takes
    the rest of a matched phrase, when that makes a phrase of one finding; it is marked used. So does
    each one-word item of a list the "and"/"or" is part of ("calf swollen and hot and sore"). So does
    the one word after "and"/"or" that takes the words before the other one when these match nothing:
    "weakness in the arms and legs" is "weakness in the legs" (the arms stay not understood); not
    with `unmatched_runs` false, for phrases found late (a wider complaint placed by a verb of beginning)."""
    extra: list[tuple[int, int, tuple[str, ...]]] = []

    def take(at: int, key: tuple[str, ...]) -> None:
        token = tokens[at] if 0 <= at < len(tokens) else None
        if token is not None and token.kind == "word" and not token.used and len(vocab.phrases.get(key, ())) == 1:
            token.used = "finding"
            extra.append((at, at + 1, key))

    def joins(at: int) -> bool:
        return 0 <= at < len(tokens) and tokens[at].kind == "word" and not tokens[at].used and tokens[at].norm in _AND_OR

    def items(at: int, step: int) -> list[int]:
        """The one-word items of a list from the separator at `at` on, away from a phrase (`step` 1
        after it, -1 before it): "swollen and hot and sore", "swollen, red and sore", "hot, swollen and
        tender calf". An "and"/"or" must join it: forward, the items after the last one are left out
        ("swollen calf, knee is fine" shares nothing); backward, the first separator must be one."""
        out: list[int] = []
        kept = 0  # forward: how many items there are up to the last one an "and"/"or" joins
        while 0 <= at < len(tokens):
            joined = joins(at)
            if not (joined or (tokens[at].kind == "comma" and tokens[at].norm == ",")):
                break
            item = _past_fillers(tokens, at + step, step)
            if not (0 <= item < len(tokens)) or tokens[item].kind != "word" or tokens[item].used:
                break
            if step < 0 and not out and not joined:
                break
            out.append(item)
            kept = len(out) if joined else kept
            at = item + step  # a separator must follow at once: in "sore, knee is fine" the list ends at "knee"
        return out[:kept] if step > 0 else out

    for start, end, key in found:
        if len(key) < 2 or key in vocab.normal or key in vocab.suggests:
            continue
        for after in items(end, 1):
            take(after, (*key[:-1], tokens[after].norm))
        for before in items(start - 1, -1):
            take(before, (tokens[before].norm, *key[1:]))
    if not unmatched_runs:
        return extra
    longest = vocab.lengths[0] if vocab.lengths else 0
    for at in range(2, len(tokens) - 1):
        if not joins(at):
            continue
        after = _past_fillers(tokens, at + 1)
        if after >= len(tokens) or tokens[after].kind != "word":
            continue
        for size in range(min(longest + 2, at), 1, -1):  # the words before "and", the last one left out
            run = tokens[at - size : at]
            if all(t.kind == "word" and not t.used for t in run):
                before = len(extra)
                take(after, _reduce((*(t.norm for t in run[:-1]), tokens[after].norm)))
                if len(extra) > before:
                    break
    return extra


# Words that may stand between a wider complaint and a word before it that would name its place ("arm is
# numb", "sudden weakness"), and the words after one that name a place ("numbness in ...", "from the knee").
# Not "and", "or": a word before one is another item of a list, not a place ("no redness or swelling").
_UNPLACED = (
    (_TRIM - _AND_OR - _OR)
    | _DETAIL
    | _SIDES
    | frozenset(
        words("sudden suddenly gradual gradually progressive acute chronic marked profound significant extreme intermittent")
    )
)
_LINKING = _FILLER | _COPULAS  # passed over after it, on the way to a place ("numbness is in my arm")
_PLACING = frozenset(
    words("in on around over of below above down up between under along across behind near into to inside through from")
)


# Denials that leave the thing denied of in the same clause, before them ("my arm is not numb", "knee
# without swelling", "hands with no weakness"): a word there names the place, as in "arm is numb". Not
# "nor", "neither": a word before them is another item of a list ("no redness nor swelling").
_DENIAL = _NEGATION_WORDS - _OR - frozenset(words("neither"))
_HAVING = frozenset(words("with showed shows show revealed reveals demonstrated demonstrates"))


def _list_denial(tokens: list[_Token], i: int) -> int:
    """From the "and"/"or" at tokens[i] that ends the items before a wider complaint, the index of the denial
    that opens the list ("without" in "without redness, warmth or swelling"), if one does within a few
    items; else i itself."""
    if not (i >= 0 and tokens[i].kind == "word" and tokens[i].norm in _AND_OR | _OR):
        return i
    for k in range(i - 1, max(i - 1 - 2 * _WINDOW, -1), -1):
        if tokens[k].kind == "word" and tokens[k].used == "trigger" and tokens[k].norm in _DENIAL:
            return k
        if tokens[k].kind not in ("word", "comma"):
            break
    return i


def _unread_place(tokens: list[_Token], i: int) -> bool:
    """Whether tokens[i] is a word the reader left unread that may name a place: a preposition or a
    generic verb ("for", "reports") names none."""
    return i >= 0 and tokens[i].kind == "word" and not tokens[i].used and tokens[i].norm not in _STOP


def _before_denial(tokens: list[_Token], start: int) -> int | None:
    """The index of the word before a denial that comes before tokens[start] ("arm" in "my arm is not
    numb", "pain" in "knee pain without swelling"), or None where no denial does."""
    i = _list_denial(tokens, _past_fillers(tokens, start - 1, -1, _UNPLACED))
    if not (i >= 0 and tokens[i].used == "trigger" and tokens[i].norm in _DENIAL):
        return None
    while i >= 0 and tokens[i].used == "trigger" and tokens[i].norm in _DENIAL:
        i = _past_fillers(tokens, i - 1, -1, _UNPLACED | _HAVING)
    return i


_PLACE_WORDS = 3  # how far back into the phrase before a denial a place is looked for ("swollen left knee")


def _phrase_place(tokens: list[_Token], i: int, key: tuple[str, ...], vocab: Vocabulary) -> tuple[str, ...] | None:
    """The wider complaint `key` as the phrase it makes with a place named in the finding read that
    ends at tokens[i], right before its denial ("knee pain without swelling": "knee swelling", so
    joint swelling denied, not leg swelling too), where exactly one such phrase is in the vocabulary;
    else None."""
    found: dict[tuple[str, ...], tuple[str, ...]] = {}  # the finding -> the first phrase that reads it
    for k in range(i, max(i - _PLACE_WORDS, -1), -1):
        if not (tokens[k].kind == "word" and tokens[k].used == "finding"):
            break
        for placed in _with_place((tokens[k].norm,), key, vocab):
            found.setdefault(vocab.phrases[placed], placed)
    return next(iter(found.values())) if len(found) == 1 else None


def _alone(tokens: list[_Token], start: int, end: int) -> bool:
    """Whether the phrase at tokens[start:end] stands alone: no word the reader left unread names where
    before it ("jaw weakness", "my left arm is numb"), and no place follows it ("numbness in the
    arm"). A wider complaint with a place the vocabulary does not know is not read."""
    i = _past_fillers(tokens, start - 1, -1, _UNPLACED)  # past grammar and details ("arm is numb")
    if _unread_place(tokens, i):
        return False
    j = _past_fillers(tokens, end, 1, _LINKING)  # "numbness is in my arms", never past "and"
    return not (j < len(tokens) and tokens[j].kind == "word" and not tokens[j].used and tokens[j].norm in _PLACING)


# Verbs of beginning, and the words that may come between them and a wider complaint ("the numbness has
# started in my toes"): words of the language.
_ONSET = frozenset(words("start started starting began begun begin beginning"))
_BEFORE_ONSET = _FILLER | frozenset(words("has have had first"))


def _onset_place(tokens: list[_Token], end: int) -> int | None:
    """The index of the "in" of the place a verb of beginning gives the phrase ending at `end`
    ("numbness started in my toes"), or None."""
    onset = _past_fillers(tokens, end, 1, _BEFORE_ONSET)
    if not (onset < len(tokens) and tokens[onset].kind == "word" and tokens[onset].norm in _ONSET):
        return None
    into = _past_fillers(tokens, onset + 1)
    if not (into + 1 < len(tokens) and tokens[into].kind == "word" and tokens[into].norm == "in"):
        return None
    return into if tokens[into + 1].kind == "word" else None


def _denied_place(
    tokens: list[_Token], place: int, end: int, key: tuple[str, ...], vocab: Vocabulary
) -> tuple[int, tuple[str, ...]] | None:
    """A wider complaint denied of the unread place at tokens[place] (`_before_denial`), read as the phrase it
    makes with it where the vocabulary has one ("feet without numbness" as "numbness in the feet",
    "calves are not swollen"), the place's words then read; None where the vocabulary does not know
    the place with it ("my arm is not numb")."""
    words_before = [place - 1, place] if _unread_place(tokens, place - 1) else [place]
    for first in words_before:  # "lower legs without swelling" before "legs without swelling"
        words_ = tuple(tokens[k].norm for k in range(first, place + 1))
        for placed in _with_place(words_, key, vocab):
            side = first - 1 >= 0 and tokens[first - 1].kind == "word" and tokens[first - 1].norm in _SIDES
            for k in range(first - side, place + 1):  # with its side: "the left foot is not numb"
                tokens[k].used = "finding"
            return end, placed
    return None


def _with_place(place: tuple[str, ...], key: tuple[str, ...], vocab: Vocabulary) -> Iterator[tuple[str, ...]]:
    """The phrases the wider complaint `key` makes with the words of `place` ("feet numbness",
    "numbness in feet", "numbness of feet") that the vocabulary reads as one finding, and not as a hint."""
    hints = vocab.hints
    for placed in ((*place, *key), (*key, "in", *place), (*key, "of", *place)):
        if len(vocab.phrases.get(placed, ())) == 1 and placed not in hints:
            yield placed


def _placed(
    tokens: list[_Token], start: int, end: int, key: tuple[str, ...], vocab: Vocabulary
) -> tuple[int, tuple[str, ...]] | None:
    """A wider complaint standing alone, as the vocabulary reads it (its end, its phrase): with the
    place a verb of beginning gives it where the vocabulary has that phrase ("numbness started in my
    toes" is "numbness in my toes", "weakness began in my right leg" "weakness in my leg"), its words
    then read, and the phrase reaching to the place unless another phrase took words on the way; as
    itself with no such place; with the place before its denial ("feet without numbness",
    `_denied_place`); None, not read, where it stands with a place before it or one the
    vocabulary does not know ("numbness started in my ear", as "numbness in my ear")."""
    before = _before_denial(tokens, start)  # the word before a denial said of the complaint, if any
    if before is not None and _unread_place(tokens, before):  # "feet without numbness"
        return _denied_place(tokens, before, end, key, vocab)
    placed = None if before is None else _phrase_place(tokens, before, key, vocab)
    if placed is not None:  # "knee pain without swelling": the place is in the finding before it
        return end, placed
    if not _alone(tokens, start, end):
        return None
    into = _onset_place(tokens, end)
    if into is None:
        return end, key
    hints = vocab.hints
    place = []  # (index, word) up to the end of the sentence or a comma; a side is passed over, as in any phrase
    for k in range(into, len(tokens)):
        if tokens[k].kind != "word":
            break
        place.append((k, tokens[k].norm))
    for size in range(len(place), 1, -1):
        placed = _reduce((*key, *(norm for _, norm in place[:size] if norm not in _SIDES)))
        if len(vocab.phrases.get(placed, ())) == 1 and placed not in hints:
            last = place[size - 1][0] + 1
            if any(token.used == "finding" for token in tokens[end:last]):
                return end, placed  # "started in my toes" is a hint of its own: kept, and the words with it
            for token in tokens[end:last]:
                token.used = token.used or "finding"
            return last, placed
    return None


# --------------------------------------------------------------------------
# Reading


@dataclass
class _Event:
    kind: Literal["finding", "trigger", "word", "comma", "stop"]
    start: int  # token indexes
    end: int
    trigger: TriggerKind | None = None
    ids: tuple[str, ...] = ()
    self_negating: bool = False
    normal: bool = False  # a phrase that says its finding was looked for and found normal ("ck normal")
    suggests: bool = False  # a phrase that only hints at its finding ("wet myself")
    broader: bool = False  # a wider complaint with no place ("numbness")
    together: bool = False  # a phrase naming several findings at once ("tetraparesis")
    value: bool = False  # a measured value that reads its finding present ("sodium 124"): a statement, as
    # `normal` is one of absence
    mention: int = -1  # index into the mention list


@dataclass
class _Scope:
    kind: Literal["neg", "hedge", "other"]
    trigger: str
    tight: bool = False
    covered: int = 0
    gap: int = 0
    comma: bool = False  # a comma came after the trigger
    joins: set[str] = field(default_factory=set)  # the separators since the last finding covered
    pending: list[_Mark] = field(default_factory=list)  # items past a comma: uncertain unless an "or" makes it a list


_DOUBT: dict[str, Doubt] = {"hedge": "hedged", "other": "someone else", "neg": "hedged"}  # by scope kind


@dataclass
class _Mark:
    finding: str
    start: int  # token indexes
    end: int
    state: Literal["present", "absent", "uncertain"] = "present"
    trigger: str | None = None
    comma_item: bool = False  # reached by a negation or hedge scope as a later item after a bare comma
    doubt: Doubt | None = None  # why it is uncertain
    suggested: bool = False  # read from a phrase that only hints at the finding
    broader: bool = False  # read from a wider complaint: a hint, unless denied
    together: bool = False  # read from a phrase naming several findings: denied, only asked about


def understand(text: str, kb: KnowledgeBase, today: date | None = None, sex: str | None = None) -> Reading:
    """Read `text` into present, absent and uncertain findings of `kb`, plus what was not understood.
    `today` (the caller's clock: the reader stays pure) lets a year be read as a time ("numb feet
    since 2019"); without it a year is only a number. `sex`, the case's where given another way,
    picks a measurement's bounds for that sex ("Hb 12.5" in a man) when the text names none."""
    vocab = vocabulary(kb)
    tokens = _tokens(text)

    def written(start: int, end: int) -> str:
        return text[tokens[start].start : tokens[end - 1].end]

    ages, age_conflicts = _ages(text, tokens)
    sexes = _sexes(tokens)  # before the phrases: "woman" in "the woman denied numbness" is no place
    named = {s for s, _ in sexes}
    measured_sex = next(iter(named)) if len(named) == 1 else sex if not named else None

    # "non" negates one word: "non-bloody diarrhoea" is diarrhoea, never "bloody diarrhoea" negated
    after_non = frozenset(i + 1 for i, token in enumerate(tokens) if token.kind == "word" and token.norm == "non")
    measured, between = _measures(text, tokens, vocab, measured_sex)  # first: "low sodium 128" reads the value
    # a wider complaint ("numbness") is read last, on the words nothing else took, so that a
    # coordination can still share a phrase out to it ("numbness and tingling in my hands")
    findings = _scan_phrases(tokens, vocab, after_non, vocab.broader)
    for start, end, _ in findings:
        for token in tokens[start:end]:
            token.used = "finding"
    findings += _shared(tokens, vocab, findings)
    late = [hit for hit in _scan_phrases(tokens, vocab, after_non) if hit[2] in vocab.broader]
    for start, end, _ in late:  # taken before the triggers, as every phrase is ("legs are sore")
        for token in tokens[start:end]:
            token.used = "finding"
    triggers = _scan(tokens, _TRIGGERS, _TRIGGER_LENGTHS)
    for start, end, _ in triggers:
        for token in tokens[start:end]:
            token.used = "trigger"
    alone = []
    for start, end, key in late:  # then kept where they stand alone, in order
        read = _placed(tokens, start, end, key, vocab)
        if read is not None:
            alone.append((start, *read))
        else:
            for token in tokens[start:end]:
                token.used = ""
    placed = [hit for hit in alone if hit[2] not in vocab.broader]  # "tingling began in the feet and hands"
    alone += _shared(tokens, vocab, placed, unmatched_runs=False)
    findings = sorted(findings + alone + measured)

    events = _events(tokens, findings, triggers, vocab)
    marks: list[_Mark] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    wider: list[tuple[int, tuple[str, ...]]] = []  # a wider complaint's (or a `together` phrase's) mark -> its other findings
    for event in events:
        if event.kind == "finding":
            if len(event.ids) == 1 or event.broader or event.together:
                event.mention = len(marks)
                marks.append(
                    _Mark(
                        event.ids[0],
                        event.start,
                        event.end,
                        suggested=event.suggests,
                        broader=event.broader,
                        together=event.together,
                    )
                )
                if len(event.ids) > 1:
                    wider.append((event.mention, event.ids[1:]))
            else:
                ambiguous.append((written(event.start, event.end), event.ids))
    subject = _subject(events, tokens)
    if subject is not None and not ages:
        ages, age_conflicts = _ages(text, tokens, subject)
    if subject is not None and subject[0] in _KIN_SEX:
        sexes.append((_KIN_SEX[subject[0]], subject[0]))
    for event in events:  # the person the text is about is the one assessed: their findings are theirs
        if event.kind == "trigger" and tuple(t.norm for t in tokens[event.start : event.end]) == subject:
            event.kind = "word"
    _negate(events, marks, tokens, written, vocab.red_flags)
    for index, others in wider:  # "no leg pain": each finding it is wider than, as the first was read
        marks += [replace(marks[index], finding=other) for other in others]
    # a hint is asked about, said or denied; someone else's stays someone else's. A wider complaint said
    # may be somewhere else ("numbness": in the feet?), so it is asked about too; denied, it is nowhere.
    # A phrase naming several findings denied ("no tetraparesis") denies them together, not each: the
    # legs may still be weak, so each is asked about.
    for mark in marks:
        if (
            (mark.suggested and mark.state != "uncertain")
            or (mark.broader and mark.state == "present")
            or (mark.together and mark.state == "absent")
        ):
            mark.state, mark.doubt = "uncertain", "suggests"
    # a wider complaint yields to its finding said outright: "dizzy, faint when I stand" says it, and
    # "denies numbness but feet feel like cotton wool" is not a contradiction
    outright = {mark.finding for mark in marks if mark.state == "present" and not mark.broader}
    marks = [mark for mark in marks if not (mark.broader and mark.finding in outright)]
    dated, unused_times = _dated(marks, tokens, text, kb, vocab, today)
    marks += dated
    _sided_denials(marks, tokens)
    # the sides decide the side finding (one leg only), unless the text speaks of it itself
    if vocab.side_finding is not None and not any(m.finding == vocab.side_finding for m in marks):
        hint = _side_named(marks, tokens, vocab, vocab.side_finding) or _both_legs_named(marks, tokens, vocab.side_finding)
        if hint is not None:
            marks.append(hint)

    mentions = [
        Mention(
            finding=mark.finding,
            phrase=written(mark.start, mark.end),
            start=tokens[mark.start].start,
            end=tokens[mark.end - 1].end,
            negated=mark.state == "absent",
            trigger=mark.trigger,
            uncertain=mark.state == "uncertain",
            doubt=mark.doubt if mark.state == "uncertain" else None,
        )
        for mark in marks
    ]
    present = tuple(m for m in mentions if not m.negated and not m.uncertain)
    absent = tuple(m for m in mentions if m.negated)
    conflicts = list(age_conflicts)
    for finding in dict.fromkeys(m.finding for m in present):
        said = next(m for m in present if m.finding == finding)
        denied = next((m for m in absent if m.finding == finding), None)
        if denied is not None:
            how = f"{denied.trigger} ... {denied.phrase!r}" if denied.trigger else repr(denied.phrase)
            conflicts.append(f"{finding} is both present ({said.phrase!r}) and absent ({how})")
    said_sex = None  # the text's own, never the `sex` given: combine() checks the two agree
    if len(named) > 1:
        conflicts.append("sex: the text has both " + " and ".join(repr(w) for _, w in sexes))
    elif sexes:
        said_sex = sexes[0][0]

    for _, _, covered in between:  # not understood as one phrase: "temp 37.8C", never "temp 37" and "8C"
        if covered and not any(tokens[i].used for i in covered):  # unless a phrase took a word ("low sodium 134")
            for i in covered:
                tokens[i].used = "between"
    unmatched, ignored, quantities = _leftovers(tokens, text, unused_times)
    suggestions: list[tuple[str, str]] = [(phrase, fid) for phrase, ids in ambiguous for fid in ids]
    for phrase in unmatched:
        suggestions += [(phrase, fid) for fid in _suggest(phrase, vocab)]
    suggestions += [(phrase, course) for phrase, fits in quantities for course in fits]
    suggestions += [(phrase, fid) for phrase, fid, _ in between]
    unmatched = [phrase for phrase, _ in ambiguous] + unmatched

    return Reading(
        text=text,
        present=present,
        absent=absent,
        uncertain=tuple(m for m in mentions if m.uncertain),
        unmatched=tuple(dict.fromkeys(unmatched)),
        ignored=tuple(dict.fromkeys(ignored)),
        quantities=tuple(dict.fromkeys(phrase for phrase, _ in quantities)),
        suggestions=tuple(dict.fromkeys(suggestions)),
        age=ages[0] if len(set(ages)) == 1 else None,
        sex=said_sex,
        conflicts=tuple(conflicts),
    )


def _subject(events: list[_Event], tokens: list[_Token]) -> tuple[str, ...] | None:
    """The relative a text is written about, by someone else: the text opens with them ("My mum wet
    herself...", "my 70 yo dad can't stand, his legs...", "Grandad is confused and he..."), goes on
    about them as he or she, and never speaks in the first person. Their words then start no
    someone-else scope; another relative's still do ("my son has numb feet, his grandmother had
    diabetes"). None when the text is the person's own, opens otherwise, or never goes on about the
    relative ("my mother had diabetes" is family history)."""
    if any(t.kind == "word" and t.norm in _FIRST_PERSON for t in tokens):
        return None
    for event in events[:4]:  # "my 70 yo mum": a few words may come first
        if event.kind == "trigger":
            key = tuple(t.norm for t in tokens[event.start : event.end])
            about = any(t.kind == "word" and t.norm in _THIRD_PERSON for t in tokens[event.end :])
            return key if event.trigger == "other" and key in _KIN and about else None
        if event.kind != "word" or tokens[event.start].norm in _OTHERS_KIN:
            return None
    return None


def _side_at(mark: _Mark, tokens: list[_Token]) -> int | None:
    """The token index of the side a finding phrase is said of: a left/right inside it, or just before
    it past grammar words ("the left leg is not swollen"); None if it names no side."""
    inside = [k for k in range(mark.start, mark.end) if tokens[k].norm in _ONE_SIDE]
    if inside:
        return inside[0]
    i = _past_fillers(tokens, mark.start - 1, -1)
    return i if i >= 0 and tokens[i].kind == "word" and tokens[i].norm in _ONE_SIDE else None


def _side(mark: _Mark, tokens: list[_Token]) -> str | None:
    at = _side_at(mark, tokens)
    return None if at is None else tokens[at].norm


# Words that say a side is spared ("the left is fine", "the left one feels normal"), and the words that may
# name the side's leg between them: words of the language, like the sides above.
_SPARED = frozenset(words("fine normal ok okay alright unaffected spared"))
_SIDE_NOUNS = _LEG_PARTS | frozenset(words("one side"))
_SEEMING = _FILLER | frozenset(words("feel seem look"))
_BEFORE_SIDE = _FILLER | frozenset(words("on in"))  # "but not (on) the left"


def _spared_sides(tokens: list[_Token], said: set[int | None]) -> dict[int, tuple[int, ...]]:
    """The side words said of no finding that say their side is spared, each with the words that
    say so: "the left is fine", "the left leg feels normal", "but not the left (one)", "not on the
    left". Read as the other side denied, as "the left leg is not swollen" is."""
    spared = {}
    for k, token in enumerate(tokens):
        if token.kind != "word" or token.norm not in _ONE_SIDE or k in said:
            continue
        noun = k + 1 if k + 1 < len(tokens) and tokens[k + 1].kind == "word" and tokens[k + 1].norm in _SIDE_NOUNS else k
        verdict = _past_fillers(tokens, noun + 1, 1, _SEEMING)
        if verdict < len(tokens) and tokens[verdict].kind == "word" and tokens[verdict].norm in _SPARED:
            spared[k] = (*range(k + 1, noun + 1), verdict)
            continue
        before = _past_fillers(tokens, k - 1, -1, _BEFORE_SIDE)
        if before >= 0 and tokens[before].kind == "word" and tokens[before].norm == "not":
            spared[k] = tuple(range(k + 1, noun + 1))
    return spared


def _side_named(marks: list[_Mark], tokens: list[_Token], vocab: Vocabulary, side_finding: str) -> _Mark | None:
    """The side finding (findings.yaml `sided`) from the sides the findings are said of, when the
    text names neither both nor bilateral and every side it names belongs to a finding read or is
    said to be spared. Present findings on one side only ask about it ("swollen left calf after a
    flight"; "swollen right calf, the left leg is not swollen" or "only my right foot burns, the
    left is fine": one leg only?), never read it present; present findings on both sides ("right
    calf swollen, left foot numb") read it absent. A side said of a finding read, or said to be
    spared, is understood, not reported as unread."""
    side_of = {index: _side_at(mark, tokens) for index, mark in enumerate(marks)}
    for at in side_of.values():
        if at is not None:
            tokens[at].used = tokens[at].used or "side"
    named = [k for k, t in enumerate(tokens) if t.kind == "word" and t.norm in _SIDES]
    if not named or any(tokens[k].norm in _BOTH_SIDES for k in named):
        return None
    spared = _spared_sides(tokens, set(side_of.values()))
    if set(named) - set(side_of.values()) - set(spared):
        return None  # a side said of something not read ("right arm numb"): left to the reader
    present = {
        tokens[at].norm: at
        for index, at in side_of.items()
        if at is not None and marks[index].state == "present" and marks[index].finding not in vocab.side_phrased
    }
    if not present or {tokens[k].norm for k in spared} & present.keys():
        return None  # nothing said of a side, or the side said spared is the one affected: left to the reader
    for k, words_of in spared.items():
        for at in (k, *words_of):
            tokens[at].used = tokens[at].used or "side"
    first = min(present.values())
    if len(present) == 1:
        return _Mark(side_finding, first, first + 1, state="uncertain", doubt="side named")
    return _Mark(side_finding, first, first + 1, state="absent")


def _both_legs_named(marks: list[_Mark], tokens: list[_Token], side_finding: str) -> _Mark | None:
    """The side finding (findings.yaml `sided`) read absent when a complaint is said of both legs
    ("numbness in both feet", "both legs are swollen", "bilateral leg weakness"), the text naming no
    single side. A complaint only hinted at or hedged says nothing of where it is; a wider one said
    ("pain in both legs") does."""
    if any(t.kind == "word" and t.norm in _ONE_SIDE for t in tokens):
        return None  # "right calf swollen, both feet numb": left to the reader
    for mark in marks:
        if not (mark.state == "present" or (mark.broader and mark.doubt == "suggests")):
            continue  # hedged or only hinted at: it says nothing of where
        before = _past_fillers(tokens, mark.start - 1, -1)
        for at in (*range(mark.start, mark.end), before):  # "numbness in both feet", "both legs are swollen"
            if 0 <= at < len(tokens) and tokens[at].kind == "word" and tokens[at].norm in _BOTH_SIDES:
                part = _past_fillers(tokens, at + 1)
                if part < len(tokens) and tokens[part].kind == "word" and tokens[part].norm in _LEG_PARTS:
                    tokens[at].used = tokens[at].used or "side"
                    return _Mark(side_finding, at, part + 1, state="absent")
    return None


def _sided_denials(marks: list[_Mark], tokens: list[_Token]) -> None:
    """A finding said present on one side and absent on the other ("swollen right calf, the left leg
    is not swollen") is present: the denial of the other side is kept as uncertain, shown and not
    used, rather than reported as a contradiction. Said without sides, it still is one."""
    for finding in {m.finding for m in marks if m.state == "present"}:
        said = [m for m in marks if m.finding == finding and m.state == "present"]
        denied = [m for m in marks if m.finding == finding and m.state == "absent"]
        said_sides = {_side(m, tokens) for m in said}
        denied_sides = {_side(m, tokens) for m in denied}
        if denied and None not in said_sides | denied_sides and not said_sides & denied_sides:
            for mark in denied:
                mark.state, mark.doubt = "uncertain", "other side"


def _ages(text: str, tokens: list[_Token], subject: tuple[str, ...] | None = None) -> tuple[list[int], list[str]]:
    """The ages the text gives; with `subject` (`_subject`), only the one of "my 70 yo mum", which a
    possessive otherwise rules out ("my 80-year-old mother had diabetes" is not the person's age)."""
    ages: list[int] = []
    for match in _AGE.finditer(text):
        before = re.findall(r"[^\W_]+", text[max(0, match.start() - 40) : match.start()].lower())
        previous = before[-1] if before else ""
        if subject is not None:
            after = tuple(words(text[match.end() : match.end() + 40]))[: len(subject)]
            if previous not in _POSSESSIVES or after != subject:
                continue
        elif previous in _POSSESSIVES or (match.group("kw") and previous in _AGE_BEFORE):
            continue
        if match.start() > 0 and (text[match.start() - 1].isalnum()):
            continue  # digits glued to a word: not an age
        value = next(int(match.group(g)) for g in "abcd" if match.group(g) is not None)
        ages.append(value)
        for token in tokens:
            if token.start >= match.start() and token.end <= match.end() and token.kind == "word":
                token.used = "age"
    conflicts = [f"age: the text gives {' and '.join(str(a) for a in dict.fromkeys(ages))}"] if len(set(ages)) > 1 else []
    return ages, conflicts


def _sexes(tokens: list[_Token]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for i, token in enumerate(tokens):
        if token.kind != "word" or token.used or token.norm not in _SEX_WORDS:
            continue
        if i > 0 and tokens[i - 1].norm in _POSSESSIVES:
            continue
        token.used = "sex"
        found.append(("female" if token.norm in _FEMALE else "male", token.norm))
    return found


# --------------------------------------------------------------------------
# Times said with a finding (grammar: the days each reads come from the knowledge base)

_INF = float("inf")
# days in a unit of time; hours and minutes are left out ("calf pain after walking for an hour" is no course)
_UNIT_DAYS = {
    **dict.fromkeys(words("day days"), 1.0),
    **dict.fromkeys(words("week weeks wk wks"), 7.0),
    **dict.fromkeys(words("fortnight fortnights"), 14.0),
    **dict.fromkeys(words("month months mth mths"), 30.4),
    **dict.fromkeys(words("year years yr yrs"), 365.0),
}
_SLASH_UNITS = {"7": 1.0, "52": 7.0, "12": 30.4}  # clinical shorthand: 3/7 days, 2/52 weeks, 6/12 months
_NUMBER_WORDS = dict(
    zip(
        words("a an one two three four five six seven eight nine ten eleven twelve eighteen twenty thirty"),
        (1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 18, 20, 30),
        strict=True,
    )
)
_VAGUE = {  # vague counts, as the range they cover
    words("a few"): (2.0, 5.0),
    words("few"): (2.0, 5.0),
    words("a couple of"): (2.0, 3.0),
    words("a couple"): (2.0, 3.0),
    words("couple of"): (2.0, 3.0),
    words("several"): (3.0, 9.0),
}
_ABOUT = frozenset(words("about around approximately roughly over almost nearly some maybe at least more than"))
_UNDER = frozenset(words("under less within"))  # "under 2 weeks": anything up to the amount
_QUALIFIERS = _ABOUT | _UNDER  # passed over before an amount
_LAST = frozenset(words("last past previous"))
_DURING = frozenset(words("over in during"))  # a duration only before "the last/past ..."
_AGO = frozenset(words("ago before earlier prior previously back"))
_WHEN = {  # a point in time, as how long ago it was in days: "since last week", or alone "last week"
    words("yesterday"): (1.0, 2.0),
    words("last night"): (0.3, 1.0),
    words("this morning"): (0.0, 1.0),
    words("last week"): (7.0, 14.0),
    words("last month"): (28.0, 62.0),
}
_SINCE_POINTS = {  # and after "since" only
    **_WHEN,
    words("today"): (0.0, 1.0),
    words("the weekend"): (1.0, 7.0),
    **dict.fromkeys((words("childhood"), words("i was a child"), words("i was a kid"), words("birth")), (3650.0, _INF)),
}
_POINTS = {**_WHEN, words("last year"): (30.0, 730.0)}  # alone only ("since last year" says too little)
# words that say a time is when something began, not when it happened and ended ("started 3 years ago")
_STARTS = frozenset(
    words("start started starts began begin begun developed develop noticed notice first onset appeared diagnosed came come")
)
_YEAR_OPENERS = frozenset(words("since in"))  # "since 2019", "in 2019" (read only with today's date)
_WEEKDAY_OPENERS = frozenset(words("since on"))  # "since Tuesday", "on Tuesday", "since last Tuesday"
_YEAR = re.compile(r"(19|20)[0-9][0-9]")
_HISTORY = frozenset(("history", "hx"))
_AFTER = frozenset(("post", "s/p"))  # "post-op 2/52", "s/p surgery 2/52": the time since
_SINCE_OPEN = frozenset(words("since for than"))  # before "yesterday" or "last week": not a time ago
_CLAUSE_OPENERS = frozenset(words("and but then so"))  # a time after one of these opens a clause


# the words a time expression can start with (besides a number): most words are passed over at once
_TIME_OPENERS = (
    frozenset(words("for since"))
    | _WEEKDAY_OPENERS
    | _DURING
    | frozenset(_NUMBER_WORDS)
    | frozenset(phrase[0] for phrase in (*_VAGUE, *_POINTS))
    | _QUALIFIERS
)


@dataclass(frozen=True)
class _Time:
    start: int  # token indexes of the whole expression
    end: int
    low: float  # days, the range the words allow
    high: float
    ago: bool  # a time ago ("two weeks ago", "last week"); else a duration ("for two weeks", "since yesterday")

    def within(self, bounds: Lasting | Recent) -> bool:
        """Whether the whole range the words allow lies inside a finding's day bounds."""
        return bounds.min_days <= self.low and self.high <= bounds.max_days

    def around(self, mark: _Mark) -> tuple[int, int]:
        """The token span of a finding phrase and this time together ("double vision 10 years ago")."""
        return min(mark.start, self.start), max(mark.end, self.end)


def _at(tokens: list[_Token], i: int, phrase: tuple[str, ...]) -> bool:
    return all(i + k < len(tokens) and tokens[i + k].kind == "word" and tokens[i + k].norm == w for k, w in enumerate(phrase))


def _slash_at(tokens: list[_Token], i: int) -> bool:
    return i < len(tokens) and tokens[i].norm == "/"


def _amount(tokens: list[_Token], text: str, i: int, bare: bool, last: bool = False) -> tuple[float, float, int] | None:
    """(low, high, end) in days of an amount of time at token i: "3 weeks", "a few months", "about two
    years", "6/12"; with `bare`, also a plural unit alone ("for years": two or more); with `last` (after
    "the past"), a unit alone is one ("the past week")."""
    low_factor = 1.0
    while i < len(tokens) and tokens[i].kind == "word" and tokens[i].norm in _QUALIFIERS:
        if tokens[i].norm in _UNDER:
            low_factor = 0.0
        i += 1
    if i >= len(tokens) or tokens[i].kind != "word":
        return None
    norm = tokens[i].norm
    if norm.isdigit() and i + 2 < len(tokens) and _slash_at(tokens, i + 1) and tokens[i + 2].norm in _SLASH_UNITS:
        days = int(norm) * _SLASH_UNITS[tokens[i + 2].norm]
        return days * low_factor, days, i + 3
    count: tuple[float, float] | None = None
    for phrase, span in _VAGUE.items():
        if _at(tokens, i, phrase):
            count, i = span, i + len(phrase)
            break
    else:
        if norm.isdigit():
            count, i = (float(norm), float(norm)), i + 1
        elif norm in _NUMBER_WORDS:
            count, i = (float(_NUMBER_WORDS[norm]),) * 2, i + 1
    if count is None:
        if last and norm in _UNIT_DAYS:  # "for the past week"
            return _UNIT_DAYS[norm] * low_factor, _UNIT_DAYS[norm], i + 1
        if bare and norm in _UNIT_DAYS and text[tokens[i].start : tokens[i].end].lower().endswith("s"):
            return 2 * _UNIT_DAYS[norm] * low_factor, _INF, i + 1  # "for years"
        return None
    if i < len(tokens) and tokens[i].kind == "word" and tokens[i].norm in _UNIT_DAYS:
        unit = _UNIT_DAYS[tokens[i].norm]
        return count[0] * unit * low_factor, count[1] * unit, i + 1
    return None


def _year(tokens: list[_Token], i: int, today: date | None) -> tuple[float, float] | None:
    """How many days ago the year at token `i` ended and began, if it is a year up to today's."""
    if today is None or i >= len(tokens) or not _YEAR.fullmatch(tokens[i].norm) or int(tokens[i].norm) > today.year:
        return None
    year = int(tokens[i].norm)
    return float(max(0, (today - date(year, 12, 31)).days)), float((today - date(year, 1, 1)).days)


_MONTHS = {
    name: number
    for number, names in enumerate(
        ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug")
        + ("september sept sep", "october oct", "november nov", "december dec"),
        start=1,
    )
    for name in names.split()
}
_CHRISTMAS = frozenset(words("christmas xmas"))
_WEEKDAYS = {name: number for number, name in enumerate(words("monday tuesday wednesday thursday friday saturday sunday"))}


def _weekday(tokens: list[_Token], i: int, today: date | None) -> tuple[float, float, int] | None:
    """(days ago it ended, days ago it began, the token after it) of the weekday, or "last" and a
    weekday, at token `i`: the last one before today, 1 to 7 days ago ("since Tuesday" said on a
    Tuesday is a week ago; today would be "since this morning"). Full names only: "sat" and "sun"
    are words."""
    if today is None or i >= len(tokens) or tokens[i].kind != "word":
        return None
    last = tokens[i].norm in _LAST and i + 1 < len(tokens) and tokens[i + 1].kind == "word"
    number = _WEEKDAYS.get(tokens[i + 1].norm if last else tokens[i].norm)
    if number is None:
        return None
    ago = float((today.weekday() - number - 1) % 7 + 1)
    return ago, ago, i + (2 if last else 1)


def _calendar(tokens: list[_Token], i: int, today: date | None) -> tuple[float, float, int] | None:
    """(days ago it ended, days ago it began, the token after it) of the year, month (with or
    without a year) or Christmas at token `i`, the last one up to today (see `_times`)."""
    year = _year(tokens, i, today)
    if year is not None:
        return year[0], year[1], i + 1
    if today is None or i >= len(tokens) or tokens[i].kind != "word":
        return None
    norm = tokens[i].norm
    if norm in _CHRISTMAS:
        day = date(today.year if (today.month, today.day) >= (12, 25) else today.year - 1, 12, 25)
        return float((today - day).days), float((today - day).days), i + 1
    month = _MONTHS.get(norm)
    if month is None:
        return None
    named = i + 1 < len(tokens) and _YEAR.fullmatch(tokens[i + 1].norm) is not None
    year_of = int(tokens[i + 1].norm) if named else today.year if month <= today.month else today.year - 1
    first = date(year_of, month, 1)
    if first > today:
        return None
    last = date(year_of + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return float(max(0, (today - last).days)), float((today - first).days), i + (2 if named else 1)


def _times(tokens: list[_Token], text: str, today: date | None = None) -> list[_Time]:
    """Every time expression of the text, over words no finding phrase used, leftmost first."""
    found: list[_Time] = []

    def free(k: int) -> bool:
        return k < len(tokens) and tokens[k].kind == "word" and tokens[k].used in ("", "trigger")

    i = 0
    while i < len(tokens):
        if not free(i) or not (tokens[i].norm in _TIME_OPENERS or tokens[i].norm.isdigit()):
            i += 1
            continue
        norm = tokens[i].norm
        time: _Time | None = None
        last = _at(tokens, i + 1, ("the",)) and free(i + 2) and tokens[i + 2].norm in _LAST
        year = _calendar(tokens, i + 1, today) if norm in _YEAR_OPENERS and free(i + 1) else None
        if year is None and norm in _WEEKDAY_OPENERS and free(i + 1):
            year = _weekday(tokens, i + 1, today)
        if year is not None:  # "since 2019", "since March", "since Tuesday": a duration; "in 2019", "on Tuesday": a time ago
            time = _Time(i, year[2], year[0], year[1], ago=norm != "since")
        elif norm == "for" or (norm in _DURING and last):  # "for 3 years", "for years", "over the past 3 days"
            amount = _amount(tokens, text, i + 3 if last else i + 1, bare=True, last=last)
            if amount is not None:
                time = _Time(i, amount[2], amount[0], amount[1], ago=False)
        elif norm == "since":
            for phrase, (low, high) in _SINCE_POINTS.items():
                if _at(tokens, i + 1, phrase):
                    time = _Time(i, i + 1 + len(phrase), low, high, ago=False)
                    break
            else:
                amount = _amount(tokens, text, i + 1, bare=False)  # "since 3 weeks (ago)"
                if amount is not None:
                    end = amount[2] + (1 if _at(tokens, amount[2], ("ago",)) else 0)
                    time = _Time(i, end, amount[0], amount[1], ago=False)
        if time is None and (i == 0 or tokens[i - 1].norm not in _SINCE_OPEN):
            for phrase, (low, high) in _POINTS.items():
                if _at(tokens, i, phrase) and all(free(k) for k in range(i, i + len(phrase))):
                    time = _Time(i, i + len(phrase), low, high, ago=True)
                    break
        if time is None:
            amount = _amount(tokens, text, i, bare=False)
            if amount is not None and free(amount[2]) and tokens[amount[2]].norm in _AGO:
                time = _Time(i, amount[2] + 1, amount[0], amount[1], ago=True)  # "two weeks ago"
            elif amount is not None and free(amount[2]) and tokens[amount[2]].norm in _HISTORY:
                time = _Time(i, amount[2] + 1, amount[0], amount[1], ago=False)  # "a 3-month history of", "6/12 hx"
            elif amount is not None and _slash_at(tokens, i + 1) and not _slash_at(tokens, amount[2]):
                # clinical shorthand alone: "foot drop 1/52" has lasted a week; "post-op 2/52" was two weeks ago
                after = any(tokens[k].norm in _AFTER for k in range(max(0, i - 3), i))
                time = _Time(i, amount[2], amount[0], amount[1], ago=after)
        if time is None:
            i += 1
            continue
        found.append(time)
        i = time.end
    return found


def _began(tokens: list[_Token], time: _Time) -> bool:
    """Whether a word before a time ago says it is when something began ("started about 3 years ago",
    "first noticed it 2 years ago"): up to five words back, not past a comma or a sentence end."""
    k = time.start - 1
    while k >= 0 and time.start - k <= 5 and tokens[k].kind == "word":
        if tokens[k].norm in _STARTS:
            return True
        k -= 1
    return False


def _attached(marks: list[_Mark], tokens: list[_Token], time: _Time) -> _Mark | None:
    """The finding a time is said of, with only grammar words between them (a word of content there
    may be what the time is of: "unsteady after drinking a lot for years", "thyroid out last week"):
    when the time opens its clause, the nearest after it ("for 3 years, I've had numb feet", "diabetes
    and for the last 6 months my feet are numb"); else the nearest before it between commas ("numb
    feet for 3 years"); else, when it opens the stretch after a comma, the one just before that
    ("numb feet, for 3 years")."""

    def grammar(lo: int, hi: int) -> bool:
        return hi - lo <= 6 and all(
            t.kind == "comma"
            or (t.kind == "word" and (t.norm in _STOP or t.norm in _DETAIL or t.norm in _RELATIVES or t.norm.isdigit()))
            for t in tokens[lo:hi]
        )

    k = time.start  # the time opens its clause when only grammar words come before it there
    while k > 0 and tokens[k - 1].kind == "word" and tokens[k - 1].norm in _STOP and tokens[k - 1].norm not in _AND_OR:
        k -= 1
    opens = k == 0 or tokens[k - 1].kind != "word" or tokens[k - 1].norm in _CLAUSE_OPENERS
    before = [m for m in marks if m.end <= time.start and grammar(m.end, time.start)]
    after = [m for m in marks if m.start >= time.end and grammar(time.end, m.start)]
    if opens and after:  # "diabetes, and for the last 6 months my feet are numb"
        return min(after, key=lambda m: m.start)
    close = [m for m in before if not any(t.kind == "comma" for t in tokens[m.end : time.start])]
    if close:
        return max(close, key=lambda m: m.end)
    comma = [m for m in before if k > 0 and tokens[k - 1].kind == "comma"]
    return max(comma, key=lambda m: m.end) if comma else None


def _dated(
    marks: list[_Mark], tokens: list[_Token], text: str, kb: KnowledgeBase, vocab: Vocabulary, today: date | None
) -> tuple[list[_Mark], dict[int, tuple[str, ...]]]:
    """Apply the times said with findings (module docstring, Times). Returns the marks they add, and
    each token of a time that read nothing -> the course findings whose `lasting` its range fits, if
    it was said with no finding or with a hint (only ever suggested: "my back is agony, started 2
    days ago" may be how long the pain has lasted, or not)."""
    settings = kb.settings
    added: list[_Mark] = []
    unused: dict[int, tuple[str, ...]] = {}

    def unread(time: _Time, mark: _Mark | None) -> None:
        as_course = (mark is None or mark.doubt == "suggests") and (
            not time.ago or _began(tokens, time) or time.high < settings.past_days
        )
        fits = tuple(course for course, span in vocab.courses if as_course and time.within(span))
        unused.update(dict.fromkeys(range(time.start, time.end), fits))

    for time in _times(tokens, text, today):
        mark = _attached(marks, tokens, time)
        if mark is None:
            unread(time, None)
            continue
        finding = kb.findings[mark.finding]
        hinted = mark.state == "uncertain" and mark.doubt == "suggests"
        if mark.state != "present" and not hinted:
            unread(time, mark)  # negated, hedged or someone else's: the time is theirs too
            continue
        began = not time.ago or _began(tokens, time)
        target = mark.finding if finding.recent else vocab.dated_as.get(mark.finding)
        used = False
        if not began and target is not None:
            window = kb.findings[target].recent
            assert window is not None
            if time.within(window):
                if target == mark.finding:  # "had surgery last month": a hint, dated, says it
                    mark.state, mark.doubt = "present", None
                    mark.start, mark.end = time.around(mark)
                else:  # "diarrhoea two weeks ago": the illness it was, and over
                    mark.state, mark.doubt = "uncertain", "past"
                    added.append(_Mark(target, *time.around(mark)))
                used = True
            elif target == mark.finding:  # "food poisoning a year ago": not recent
                mark.state, mark.doubt, used = "uncertain", "past", True
                mark.start, mark.end = time.around(mark)
        if not used and mark.state == "present" and not began and finding.category in settings.current_categories:
            if time.low >= settings.past_days:  # "double vision 10 years ago": over, as far as the words say
                mark.state, mark.doubt, used = "uncertain", "past", True
                mark.start, mark.end = time.around(mark)
            elif time.high < settings.past_days:  # "legs went weak 2 days ago": when it began
                began = True
        if not used and began and mark.state == "present":
            for course, span in vocab.courses:
                if finding.category in span.of and time.within(span):
                    added.append(_Mark(course, time.start, time.end))
                    used = True
        if used:
            for token in tokens[time.start : time.end]:
                token.used = token.used or "time"
        else:
            unread(time, mark)
    return added, unused


def _events(
    tokens: list[_Token],
    findings: list[tuple[int, int, tuple[str, ...]]],
    triggers: list[tuple[int, int, tuple[str, ...]]],
    vocab: Vocabulary,
) -> list[_Event]:
    at: dict[int, _Event] = {}
    for start, end, key in findings:
        at[start] = _Event(
            "finding",
            start,
            end,
            ids=vocab.phrases[key],
            self_negating=bool(set(key) & _NEGATION_WORDS),
            normal=key in vocab.normal,
            suggests=key in vocab.suggests,
            broader=key in vocab.broader,
            together=key in vocab.together,
            value=key[0] == "#measured" and key not in vocab.normal,
        )
    for start, end, key in triggers:
        at[start] = _Event("trigger", start, end, trigger=_TRIGGERS[key])
    events: list[_Event] = []
    i = 0
    while i < len(tokens):
        if i in at:
            events.append(at[i])
            i = at[i].end
            continue
        token = tokens[i]
        events.append(_Event(token.kind, i, i + 1))
        i += 1
    return events


_OPENS: dict[TriggerKind, Literal["neg", "hedge", "other"]] = {
    "pre": "neg",
    "either": "neg",
    "tight-neg": "neg",
    "hedge": "hedge",
    "tight-hedge": "hedge",
    "other": "other",
}


def _negate(
    events: list[_Event],
    marks: list[_Mark],
    tokens: list[_Token],
    written: Callable[[int, int], str],
    red_flags: frozenset[str] = frozenset(),
) -> None:
    """Walk the events once, applying the scope rules of the module docstring to `marks`."""
    scope: _Scope | None = None
    after_or = False  # the last word was "or"/"nor": a list goes on
    for index, event in enumerate(events):
        norm = tokens[event.start].norm
        if event.kind == "comma":
            if scope is not None:
                scope.comma = True
                scope.joins.add(",")
                if scope.tight:
                    scope = None
            continue
        follows_or, after_or = after_or, event.kind in ("word", "trigger") and norm in _OR
        if event.kind in ("word", "trigger") and norm in _AFFIRMING and _affirm_back(events, index, marks, tokens):
            scope = None  # "..., coeliac disease diagnosed": the list's reading of that finding is undone
        elif event.kind == "stop":
            scope = None
            if norm == "?" and index >= 1 and events[index - 1].kind == "finding" and not _answered(events, index + 1, tokens):
                # "Feet feel numb? Maybe tingling": a finding asked about, not stated (answered: "fever? no")
                mark = marks[events[index - 1].mention] if events[index - 1].mention >= 0 else None
                if mark is not None and mark.state == "present":
                    mark.state, mark.trigger, mark.doubt = "uncertain", "?", "hedged"
        elif event.kind == "word":
            if scope is None:
                continue
            if norm in _CONNECTORS:
                scope.joins.add(norm)
                if norm in _OR and scope.kind == "neg":  # "no fever, weight loss or blood": a list after all
                    for mark in scope.pending:
                        mark.state, mark.doubt = "absent", None
                    scope.pending.clear()
                continue
            if scope.kind == "other" and norm in _SELF:
                scope = None
                continue
            if norm in _OPENERS and _new_statement(scope, follows_or):
                scope = None
                continue
            if scope.tight and norm in _TIGHT_SKIP:
                continue
            scope.gap += 1
            if scope.tight or scope.gap > _WINDOW:
                scope = None
        elif event.kind == "finding":
            if event.normal or event.value:
                # "ck normal" states its own finding's absence and ends any list, "ck 3400" its presence;
                # each is only hedged ("?ck normal"), someone else's, or questioned by a negation right
                # before it ("not normal ck")
                doubted = scope is not None and (scope.kind != "neg" or not (scope.covered or scope.gap or scope.comma))
                denied = event.value and scope is not None and scope.kind == "neg" and not (scope.covered or scope.comma)
                if event.mention >= 0 and scope is not None and denied:
                    # a negation before a value, with no finding or comma between, denies it ("denies a
                    # temperature of 39")
                    marks[event.mention].state, marks[event.mention].trigger = "absent", scope.trigger
                elif event.mention >= 0 and scope is not None and doubted:
                    marks[event.mention].state, marks[event.mention].trigger = "uncertain", scope.trigger
                    marks[event.mention].doubt = _DOUBT[scope.kind]
                elif event.mention >= 0 and event.normal:
                    marks[event.mention].state = "absent"  # the phrase says it all: no trigger
                scope = None
                continue
            if event.self_negating:
                scope = None
                continue
            inner = {t.norm for t in tokens[event.start + 1 : event.end]}
            if (norm in _CLAUSE_WORDS or norm in _OPENERS or inner & _STATING) and _new_statement(scope, follows_or):
                # a phrase that opens with, or holds, a new statement's word starts one ("taking metformin",
                # "feet are tingling", "coeliac disease diagnosed")
                scope = None
            if event.mention >= 0 and scope is not None:
                mark = marks[event.mention]
                mark.state = "absent" if scope.kind == "neg" else "uncertain"
                mark.trigger, mark.doubt = scope.trigger, _DOUBT[scope.kind]
                if scope.kind == "neg" and scope.comma and not scope.joins & _OR:
                    # "no diarrhoea, back pain and cannot pee", "no supplements, numb feet": past a comma
                    # a list and a new statement read alike, until an "or" shows a list; a red flag is
                    # not denied on a guess even then
                    mark.state, mark.doubt = "uncertain", "list"
                    if mark.finding not in red_flags:
                        scope.pending.append(mark)
                mark.comma_item = scope.kind != "other" and scope.covered > 0 and scope.joins == {","}
            if scope is not None:
                scope.covered += 1
                scope.gap = 0
                scope.joins = set()
                if scope.tight:
                    scope = None
        else:
            kind = event.trigger
            phrase = written(event.start, event.end)
            if kind == "term":
                if not (scope is not None and scope.kind == "other" and norm in _RELATIVES):
                    scope = None  # "my mother, who has diabetes": a relative clause is still about her
            elif kind == "clause" or kind == "pseudo":
                if scope is not None and (_new_statement(scope, follows_or) or (scope.kind == "other" and norm in _SELF)):
                    scope = None
                elif scope is not None and not (scope.tight and norm in _TIGHT_SKIP):
                    scope.gap += 1
                    if scope.tight or scope.gap > _WINDOW:
                        scope = None
            elif kind == "post":
                negated = _negate_back(events, index, marks, tokens, phrase)
                scope = None
                if not negated and words(phrase) == ("absent",) and _next_is_finding(events, index):
                    scope = _Scope("neg", phrase, tight=True)  # "absent fever"
            elif kind == "either":
                if _negate_back(events, index, marks, tokens, phrase) or _clause_end(events, index + 1, tokens):
                    scope = None  # "fever denied", "chest pain denied, ...": nothing after it is negated
                else:
                    scope = _Scope("neg", phrase)
            elif kind == "post-hedge":
                before = _before(events, index, tokens)
                if before is not None and before.kind == "finding" and before.mention >= 0:
                    marks[before.mention].state, marks[before.mention].trigger = "uncertain", phrase
                    marks[before.mention].doubt = "hedged"
            elif (
                kind == "tight-hedge"
                and words(phrase) in _STOPPED
                and (before := _before(events, index, tokens)) is not None
                and before.kind == "finding"
            ):
                # "metformin was discontinued": the finding before it
                if before.mention >= 0:
                    marks[before.mention].state, marks[before.mention].trigger = "uncertain", phrase
                    marks[before.mention].doubt = "hedged"
                scope = None
            elif kind == "pre" and _clause_end(events, index + 1, tokens):
                # "No, I have ..." answers a question; "fever no", "fever: no", "fever? no" and
                # "blood in stool: denies" negate what precedes them
                if index >= 1 and events[index - 1].kind == "finding":
                    _negate_back(events, index, marks, tokens, phrase)
                elif index >= 2 and tokens[events[index - 1].start].norm in _ANSWERED:
                    _negate_back(events, index - 1, marks, tokens, phrase)
                scope = None
            elif kind is not None:
                scope = _Scope(_OPENS[kind], phrase, tight=kind.startswith("tight"))


def _answered(events: list[_Event], index: int, tokens: list[_Token]) -> bool:
    """Whether events[index] answers a question just asked: a negation or a yes ("fever? no", "fever? yes")."""
    return index < len(events) and (
        events[index].trigger in ("pre", "either", "post") or tokens[events[index].start].norm in _YES
    )


def _new_statement(scope: _Scope | None, follows_or: bool) -> bool:
    """Whether a new statement's word ends `scope`: once it has covered a finding or passed a comma, unless after "or"."""
    if scope is None or follows_or:
        return False
    return scope.covered > 0 or (scope.comma and scope.kind != "other")


def _before_index(events: list[_Event], index: int, tokens: list[_Token]) -> int:
    """The index of the event just before events[index], skipping is/are/was/were/been/has/have/had; -1 if none."""
    i = index - 1
    while i >= 0 and events[i].kind in ("word", "trigger") and tokens[events[i].start].norm in _COPULAS:
        i -= 1
    return i


def _before(events: list[_Event], index: int, tokens: list[_Token]) -> _Event | None:
    i = _before_index(events, index, tokens)
    return events[i] if i >= 0 else None


def _next_is_finding(events: list[_Event], index: int) -> bool:
    return index + 1 < len(events) and events[index + 1].kind == "finding"


def _clause_end(events: list[_Event], index: int, tokens: list[_Token]) -> bool:
    """Whether events[index] ends a clause: nothing, a sentence end, or a comma."""
    return (
        index >= len(events)
        or events[index].kind == "stop"
        or (events[index].kind == "comma" and tokens[events[index].start].norm == ",")
    )


def _affirm_back(events: list[_Event], index: int, marks: list[_Mark], tokens: list[_Token]) -> bool:
    """A word that affirms the finding just before it ("..., coeliac disease diagnosed"): undo a list scope's reading."""
    before = _before(events, index, tokens)
    if before is None or before.kind != "finding" or before.mention < 0:
        return False
    mark = marks[before.mention]
    if not mark.comma_item or mark.state == "present":
        return False
    mark.state, mark.trigger, mark.comma_item = "present", None, False
    return True


def _negate_back(events: list[_Event], index: int, marks: list[_Mark], tokens: list[_Token], phrase: str) -> int:
    """Post-negation: negate the findings just before events[index]; how many it negated.

    The list may hold items that are no finding ("fever and chills absent"), of at most
    `_ITEM` words each; they negate nothing, and a list needs an "and"/"or" to go on past them.
    """
    i = _before_index(events, index, tokens)
    count = 0
    listed = False  # a list before a post-trigger ends "..., X and Y": a bare comma alone joins nothing
    while i >= 0:
        if listed and events[i].kind == "finding" and i > 0 and events[i - 1].trigger == "clause":
            break  # "she had diarrhoea and pulses were absent": the object of a verb is no item of the list
        if events[i].kind == "finding" and not events[i].self_negating:
            if events[i].mention >= 0:
                mark = marks[events[i].mention]
                mark.state, mark.trigger, mark.comma_item = "absent", phrase, False
            count += 1
            i -= 1
        elif events[i].kind == "word" and tokens[events[i].start].norm not in _CONNECTORS:
            j = i
            while j >= 0 and events[j].kind == "word" and tokens[events[j].start].norm not in _CONNECTORS:
                j -= 1
            if i - j > _ITEM:
                break
            i = j
        else:
            break
        separators: list[str] = []
        while i >= 0 and (
            events[i].kind == "comma" or (events[i].kind == "word" and tokens[events[i].start].norm in _CONNECTORS)
        ):
            separators.append(tokens[events[i].start].norm)
            i -= 1
        listed = listed or any(s in _CONNECTORS for s in separators)
        if not separators or not listed:
            break
    return count


def _leftovers(
    tokens: list[_Token], text: str, times: Mapping[int, tuple[str, ...]]
) -> tuple[list[str], list[str], list[tuple[str, tuple[str, ...]]]]:
    """(unmatched, ignored, quantities) chunks of the words no rule used: quantities are the ignored
    chunks that hold a time that read nothing (`times`, from `_dated`) or a number, each with the
    course findings its time fits."""
    chunks: list[list[int]] = [[]]  # token indexes

    def shorthand(i: int) -> bool:  # the slash of "6/12", kept in its chunk
        return 0 < i < len(tokens) - 1 and _slash_at(tokens, i) and tokens[i - 1].norm.isdigit() and tokens[i + 1].norm.isdigit()

    for i, token in enumerate(tokens):
        if token.used == "between":  # a value between a measurement's bounds: its marks never cut it
            chunks[-1].append(i)
            continue
        if shorthand(i) and not token.used:
            continue
        if token.kind != "word" or token.used or token.norm in _CONNECTORS:
            chunks.append([])
        else:
            chunks[-1].append(i)
    unmatched: list[str] = []
    ignored: list[str] = []
    quantities: list[tuple[str, tuple[str, ...]]] = []
    for chunk in chunks:
        if any(tokens[i].used == "between" for i in chunk):  # not understood, shown whole ("temp 37.8C")
            first = next(i for i in chunk if tokens[i].used == "between" or tokens[i].norm not in _TRIM)
            unmatched.append(" ".join(text[tokens[first].start : tokens[chunk[-1]].end].split()))
            continue
        kept = [i for i in chunk if tokens[i].norm not in _TRIM]
        if not kept:
            continue
        last = max((i for i in kept if tokens[i].norm not in _STOP), default=kept[0])
        phrase = " ".join(text[tokens[kept[0]].start : tokens[last].end].split())
        norms = [tokens[i].norm for i in chunk]
        if any(w not in _STOP and w not in _DETAIL and not w.isdigit() for w in norms):
            unmatched.append(phrase)
        elif any(w in _DETAIL or w.isdigit() for w in norms):
            ignored.append(phrase)
            if any(i in times for i in chunk) or any(c.isdigit() for w in norms for c in w):
                fits = dict.fromkeys(course for i in chunk for course in times.get(i, ()))
                quantities.append((phrase, tuple(fits)))
    return unmatched, ignored, quantities


def _suggest(phrase: str, vocab: Vocabulary) -> list[str]:
    """Finding ids whose phrases are close to `phrase` (shown to the user, never used)."""
    content = [w for w in words(phrase) if w not in _STOP and w not in _DETAIL]
    if not content:
        return []
    close = difflib.get_close_matches(" ".join(content), list(vocab.texts), n=1, cutoff=0.8)
    if not close:
        singles = [text for text in vocab.texts if " " not in text]
        for word in content:
            close = difflib.get_close_matches(word, singles, n=1, cutoff=0.85)
            if close:
                break
    return list(vocab.texts[close[0]]) if close else []


# --------------------------------------------------------------------------
# Into a case


def combine(reading: Reading, case: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The case dict {"present", "absent", "age", "sex", ...} of `reading` merged into `case`.

    `case` holds findings given another way (command-line flags, a JSON file).
    Raises CaseError listing every conflict inside the text and between the text
    and `case`; nothing is resolved silently. Uncertain findings are left out.
    """
    base = dict(case or {})
    issues = [Issue("error", "text", conflict, "reword the text so it says each thing once") for conflict in reading.conflicts]
    given_present = base.get("present", [])
    given_absent = base.get("absent", [])
    given_present = list(given_present) if isinstance(given_present, list) else []
    given_absent = list(given_absent) if isinstance(given_absent, list) else []
    for mentions, others, said, given in (
        (reading.present, given_absent, "present", "absent"),
        (reading.absent, given_present, "absent", "present"),
    ):
        for fid in dict.fromkeys(m.finding for m in mentions):
            if fid in others:
                phrase = next(m.phrase for m in mentions if m.finding == fid)
                issues.append(
                    Issue(
                        "error",
                        "text",
                        f"the text says {fid} is {said} ({phrase!r}) but it is also given as {given}",
                        "drop one of them",
                    )
                )
    for key in ("age", "sex"):
        value = getattr(reading, key)
        if value is not None and base.get(key) is not None and base[key] != value:
            issues.append(
                Issue(
                    "error", "text", f"the text gives {key} {value!r} but it is also given as {base[key]!r}", "drop one of them"
                )
            )
    if issues:
        raise CaseError(issues)
    merged = dict(base)
    if reading.present_ids:
        merged["present"] = list(dict.fromkeys([*given_present, *reading.present_ids]))
    if reading.absent_ids:
        merged["absent"] = list(dict.fromkeys([*given_absent, *reading.absent_ids]))
    if reading.age is not None:
        merged["age"] = reading.age
    if reading.sex is not None:
        merged["sex"] = reading.sex
    return merged
