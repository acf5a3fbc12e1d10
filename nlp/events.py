"""Listing events from prose: which company a text reports as designated, removed, proposed or
withdrawn, on which list, and the sentences that say so.

The unit is the document, not the sentence:
- **Lists**: every sentence's list references are found (explicit names such as "Section 1260H",
  "Entity List", "NS-CMIC"; agencies such as the Pentagon or the Commerce Department; generic words
  such as "the list", "die Liste", "blacklist"). A generic reference takes the list of an agency
  next to it, else of the sentence, else the list the document was about so far, else the list the
  source is about (``default_list``). A sentence without any list word still reports an event when
  its trigger is specific ("designated", "delisted") or its subject is the document ("It also added").
- **Triggers** are lemmas of the lexicon (data/nlp/cues.json): add, state, remove, withdraw,
  publish. German separable verbs are paired with their particle ("zog ... zurück" -> zurückziehen,
  "aufzunehmen" -> aufnehmen).
- **Attachment**: each company takes the trigger(s) that govern it: in English along the
  dependency path (a company inside another company's description, "a supplier to Tesla", is not
  an argument); otherwise, and in German, the triggers of its own clause, of a relative clause
  that describes it, or of the sentence's main clause. Definite descriptions ("the company",
  "das Unternehmen", "the three companies") refer back to the companies already named.
- **Status** per (company, trigger): modality, requests and recommendations make an addition a
  proposal; a removal that is only asked for (a lawsuit, "seeking its removal") or negated is
  nothing; a state ("remains on", "already there") is a designation and never a proposal.
- **Withdrawal episodes**: a notice withdrawn, "briefly" published, declared unpublished, or a
  document removed, turns the additions and removals reported around it (two sentences before,
  one after) into ``withdrawn``; what the text marks as already listed keeps ``designated``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from core.dates import find_dates
from core.vocabulary import ListName
from nlp.lexicon import Lexicon, irregular_forms, is_cue_like, lemma_of, lexicon, lookup_table, may_report_event

# The order in which one company's several statuses in one document are reported (strongest first).
STATUS_PRIORITY = ("withdrawn", "removed", "proposed", "designated")
LIST_1260H = ListName.SECTION_1260H  # the list riskwatch watches: the default topic of news
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "both": 2,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "beide": 2, "beiden": 2,
}  # fmt: skip
_FROM_WORDS = {"from", "off", "von", "aus"}
_DEMONSTRATIVES = {"this", "that", "these", "those", "such", "diese", "dieser", "dieses", "diesen", "solche"}
_DEFINITE = {"the", "der", "die", "das", "den", "dem", "des"}
_REFERRING = _DEFINITE | _DEMONSTRATIVES | {"both", "beide", "beiden"}
_PLURAL_DEMONSTRATIVES = {"these", "those", "diese", "solche"}


@dataclass(frozen=True)
class SentenceEvent:
    entity: str  # canonical name when linked, else the organisation as printed (a candidate)
    list_name: str  # a ListName value, or the name of another list the text refers to
    status: str
    date: date | None
    sentence: str  # the sentence stating the event
    evidence: tuple[str, ...] = ()  # every sentence that justifies it (event, list reference, withdrawal)
    linked: bool = True  # False: an organisation not in the database, kept as a candidate, never scored
    cue: str = ""  # the words that triggered it
    mentioned_as: tuple[str, ...] = ()  # the company as the text names it ("Comac", "the company")


@dataclass(frozen=True)
class CompanyMention:
    start: int  # token offsets in the Doc
    end: int
    entity: str
    linked: bool = True
    text: str = ""  # as printed; for a coreference, the name it refers back to


@dataclass
class Trigger:
    i: int  # token index
    kind: str  # add | state | remove | withdraw | publish
    lemma: str
    text: str
    end: int = 0  # exclusive end for phrases

    def __post_init__(self):
        self.end = self.end or self.i + 1


@dataclass
class ListRef:
    start: int
    end: int
    list_name: str | None  # None: generic ("the list") until resolved
    explicit: bool


@dataclass
class Clause:
    start: int
    end: int
    subordinate: bool = False
    infinitive: bool = False
    segment: int = 0  # clauses after 'while', 'but', ';' ... belong to another segment


@dataclass
class Sentence:
    index: int
    span: Span
    lemmas: dict[int, str]
    triggers: list[Trigger] = field(default_factory=list)
    lists: list[ListRef] = field(default_factory=list)
    agencies: list[tuple[int, str]] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    mentions: list[CompanyMention] = field(default_factory=list)
    withdrawal: bool = False
    document_removal: set[int] = field(default_factory=set)  # remove triggers that pull a document

    tokens: list[Token] = field(default_factory=list)
    _text: str | None = None
    _dates: list | None = None
    _lower: str | None = None
    _market: bool | None = None
    scopes: dict = field(default_factory=dict)  # trigger index -> the tokens that scope over it

    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.span.text.lower()
        return self._lower

    def dates(self) -> list[date]:
        if self._dates is None:
            self._dates = find_dates(self.text)
        return self._dates

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.span.text.strip()
        return self._text

    def clause_of(self, i: int) -> Clause:
        return next((c for c in self.clauses if c.start <= i < c.end), self.clauses[-1])


# ---------------------------------------------------------------------------------------- tokens


def _lemma(token: Token) -> str:
    return lemma_of(token)


def _lemmas(tokens: list[Token], lex: Lexicon) -> dict[int, str]:
    """Lemma per token (words that cannot be cues keep their lower-case form); German separable
    verbs joined with their particle."""
    irregular = irregular_forms(tokens[0].doc.vocab) if tokens else frozenset()
    lemmas = {}
    has_lemmas = lex.lang == "de"  # the German lookup lemmatizer runs in the pipeline; English is lazy
    for t in tokens:
        lower = t.lower_
        if has_lemmas and t.lemma_:
            lemmas[t.i] = t.lemma_.lower()
        elif is_cue_like(lower) or lower in irregular:
            lemmas[t.i] = _lemma(t)
        else:
            lemmas[t.i] = lower
    if lex.lang != "de":
        return lemmas
    particles = lex.words["separable_particles"]
    known = [lex.triggers[k] for k in lex.triggers] + [
        lex.words[k] for k in ("proposal_verbs", "request_verbs", "negating_verbs") if k in lex.words
    ]

    def is_known(word: str) -> bool:  # noqa: E306
        return any(word in words for words in known)

    for token in tokens:  # "aufzunehmen" -> aufnehmen, "einzustufen" -> einstufen
        match = re.match(r"^([a-zäöü]+?)zu([a-zäöü]{3,})$", token.lower_)
        if match and match.group(1) in particles:
            rest = match.group(2)
            for guess in (match.group(1) + _lookup_lemma(token, rest), match.group(1) + rest):
                if is_known(guess):
                    lemmas[token.i] = guess
                    break
    # a particle closing a clause joins the nearest verb before it in that clause ("zog sie ... zurück")
    for position, token in enumerate(tokens):
        if token.lower_ not in particles:
            continue
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if following is not None and not (following.is_punct or following.lower_ in {"und", "oder", "sowie"}):
            continue
        for previous in reversed(tokens[:position]):
            if previous.text in {";", ":", "."}:
                break  # a relative clause in between is skipped: its verb is joined with its own particle
            joined = token.lower_ + lemmas[previous.i]
            if is_known(joined):
                lemmas[previous.i] = joined
                break
    return lemmas


def _lookup_lemma(token: Token, word: str) -> str:
    """The lemma of ``word`` with the pipeline's lookup table ("stufen" in "einzustufen")."""
    vocab_lemma = lookup_table(token.doc.vocab)
    return vocab_lemma.get(word, word) if hasattr(vocab_lemma, "get") else word


def _is_inside(i: int, mentions: list[CompanyMention]) -> bool:
    return any(m.start <= i < m.end for m in mentions)


# ---------------------------------------------------------------------------------------- sentences


def _char_to_token(sent: Span, char: int) -> int:
    span = sent.doc.char_span(char, char + 1, alignment_mode="expand")
    if span is not None and len(span):
        return span.start
    for token in sent:
        if token.idx <= char < token.idx + len(token.text) + 1:
            return token.i
    return sent.end - 1


def _find_lists(
    sent: Span, tokens: list[Token], lemmas: dict[int, str], lex: Lexicon
) -> tuple[list[ListRef], list[tuple[int, str]]]:
    text, offset = sent.text, sent.start_char
    refs: list[ListRef] = []
    agencies = []
    for match, (kind, name) in lex.references.finditer(text):  # list names and agencies in one pass
        start = _char_to_token(sent, match.start() + offset)
        if kind == "agency":
            agencies.append((start, name))
            continue
        end = max(start + 1, _char_to_token(sent, match.end() - 1 + offset) + 1)
        refs.append(ListRef(start, end, name, True))
    list_nouns = lex.words["list_nouns"]
    for token in tokens:  # the words that may be cues
        if any(r.start <= token.i < r.end for r in refs):
            continue
        if token.pos_ not in ("", "NOUN", "PROPN", "X"):
            continue  # "listed firms": a verb form, not the list itself
        if lemmas[token.i] in list_nouns or token.lower_ in list_nouns:
            refs.append(ListRef(token.i, token.i + 1, None, False))
    refs.sort(key=lambda r: r.start)
    return refs, agencies


_VERB_CONTEXT = {
    "to",
    "be",
    "been",
    "was",
    "were",
    "is",
    "are",
    "will",
    "would",
    "could",
    "should",
    "not",
    "also",
    "it",
}


def _noun_reading(token: Token, tokens: list[Token], sent: Span) -> bool:
    """A verb's form read as a noun: by the tagger, or without one ('list', 'name', 'blacklist') by
    their neighbours."""
    if token.pos_:
        return token.pos_ in ("NOUN", "PROPN")
    if token.lower_ not in ("list", "lists", "name", "names", "blacklist", "blacklists"):
        return False
    if token.lower_.endswith(("ed", "ing", "s")) and token.lower_ not in ("lists", "names", "blacklists"):
        return False
    position = token.i - sent.start
    before = tokens[position - 1].lower_ if position > 0 else ""
    return before not in _VERB_CONTEXT


def _fixed_phrase(token: Token) -> bool:
    """'in addition to', 'zusätzlich': a trigger word inside a phrase that means something else."""
    doc = token.doc
    before = doc[token.i - 1].lower_ if token.i > 0 else ""
    after = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
    return token.lower_ == "addition" and before == "in" and after == "to"


def _find_triggers(
    sent: Span,
    tokens: list[Token],
    lemmas: dict[int, str],
    lex: Lexicon,
    mentions: list[CompanyMention],
    cue_like: list[Token] | None = None,
) -> list[Trigger]:
    """Trigger words among ``cue_like`` (the words that may be cues; all ``tokens`` when not given)."""
    triggers = []
    inside = {i for m in mentions for i in range(m.start, m.end)}
    for token in tokens if cue_like is None else cue_like:
        lemma = lemmas[token.i]
        if token.i in inside:
            continue
        kind = lex.kind(lemma) or lex.kind(token.lower_)
        if kind is None and lex.lang == "de" and lemma == token.lower_ and token.text[:1].islower():
            # a verb the lookup table lacks (German nouns are capitalised: "Liste" is no form of "listen")
            lower = token.lower_
            for ending in ("test", "tet", "ten", "te", "st", "et", "t", "e"):  # "umfasst" -> umfassen
                if lower.endswith(ending) and lex.kind(lower[: -len(ending)] + "en"):
                    lemma = lower[: -len(ending)] + "en"
                    kind = lex.kind(lemma)
                    break
        if kind is None and lex.lang == "en":
            lower = token.lower_
            for suffix in ("ed", "d", "ing", "s"):  # a verb the lemmatizer does not know ("relisted")
                if lower.endswith(suffix) and lex.kind(lower[: -len(suffix)]):
                    lemma = lower[: -len(suffix)]
                    kind = lex.kind(lemma)
                    break
        if kind is None:
            continue
        if lex.lang == "en" and token.text[:1].isupper() and token.i > sent.start and token.pos_ == "PROPN":
            continue  # "Wireless Solutions" is not the verb "list"
        if kind in ("add", "remove") and not lex.has("nominal_triggers", lemma) and _noun_reading(token, tokens, sent):
            continue  # "the list", "the names", "in odd places": a verb's form used as a noun
        if lex.lang == "en" and lemma == "list" and (token.i > sent.start and sent.doc[token.i - 1].text == "-"):
            continue  # "Hong Kong-listed shares"
        if token.dep_ == "prep":
            continue  # "companies including X": a preposition, not the verb
        if _fixed_phrase(token):
            continue
        triggers.append(Trigger(token.i, kind, lemma, token.text))
    triggers += _directional(tokens, lemmas, lex, mentions)
    list_nouns = lex.words["list_nouns"]
    for position, token in enumerate(tokens[1:], 1):  # "a list with Alibaba", "die Liste mit Baidu"
        if token.lower_ in ("with", "mit") and lemmas[tokens[position - 1].i] in list_nouns:
            triggers.append(Trigger(token.i, "state", "with", token.text))
    if lex.phrase_scanner is not None:
        for match, kind in lex.phrase_scanner.finditer(sent.text):
            start = _char_to_token(sent, match.start() + sent.start_char)
            end = _char_to_token(sent, match.end() - 1 + sent.start_char) + 1
            phrase = match.group(0).lower()
            if not any(t.i == start for t in triggers):
                triggers.append(Trigger(start, kind, phrase, phrase, end))
    triggers.sort(key=lambda t: t.i)
    return triggers


def _directional(
    tokens: list[Token], lemmas: dict[int, str], lex: Lexicon, mentions: list[CompanyMention]
) -> list[Trigger]:
    """A verb with a directional phrase to a list: German 'X gehört auf die Liste' (an opinion, a
    proposal) unlike 'X gehört zu den Firmen auf der Liste'; 'X soll auf die Liste kommen' (an
    addition); English 'consider X for the list' (a proposal)."""
    found = []
    verbs = lex.directional
    if not verbs:
        return found
    list_nouns = lex.words["list_nouns"]
    preps = [tuple(p.split()) for p in lex.directional_preps]
    for position, token in enumerate(tokens):
        kind = verbs.get(lemmas[token.i])
        if kind is None:
            continue
        window = range(max(0, position - 12), min(position + 25, len(tokens) - 1))
        for k in window:
            if k == position:
                continue
            words = tuple(t.lower_ for t in tokens[k : k + 2])
            if any(words[: len(p)] == p for p in preps):
                between = tokens[min(k, position) : max(k, position)]
                if any(t.text in {";", ":"} for t in between):
                    continue
                if any(lemmas[t.i] in list_nouns for t in tokens[k + 1 : k + 6]):
                    found.append(Trigger(token.i, kind, lemmas[token.i], token.text))
                    break
    return found


def _clauses(sent: Span, tokens: list[Token], lex: Lexicon, mentions: list[CompanyMention]) -> list[Clause]:
    """Comma/semicolon chunks; a chunk opened by a relative pronoun or subordinator is subordinate,
    one ending in a zu-infinitive is an infinitive complement of the chunk before."""
    breaks = lex.words["clause_breaks"]
    relative = lex.words.get("relative_pronouns")
    chunks: list[Clause] = []
    start = sent.start
    segment = 0
    ends = {m.end for m in mentions}
    starts = {m.start for m in mentions}
    for position, token in enumerate(tokens):
        boundary = (token.text in {",", ";", "–", "—"} or token.text == ":" and token.whitespace_) or (
            token.lower_ in breaks and token.i > sent.start
        )
        if token.text == "," and token.i in ends and _next_name(token, starts):
            boundary = False  # "Alibaba, Baidu und BYD": an enumeration, not a clause boundary
        if boundary and token.i > start:
            chunks.append(Clause(start, token.i, segment=segment))
            start = token.i if token.lower_ in breaks else token.i + 1
        if token.lower_ in breaks or (token.text == ";" and token.i + 1 not in starts):
            segment += 1  # (";" before a company name continues an enumeration)
    chunks.append(Clause(start, sent.end, segment=segment))
    chunks = [c for c in chunks if c.end > c.start] or [Clause(sent.start, sent.end)]
    doc = sent.doc
    for position, chunk in enumerate(chunks):
        first = doc[chunk.start]
        if relative is not None and first.lower_ in relative and position > 0:
            following = doc[chunk.start + 1] if chunk.start + 1 < chunk.end else None
            # an article before a noun or a number is not a relative pronoun ("die drei Firmen")
            article = (
                first.lower_ in _DEFINITE
                and following is not None
                and (following.text[:1].isupper() or following.lower_ in NUMBER_WORDS or following.like_num)
            )
            chunk.subordinate = not article
        offset = sent.start
        words = [t.lower_ for t in tokens[chunk.start - offset : chunk.end - offset] if not t.is_punct]
        last_words = words[-2:]
        chunk.infinitive = (len(last_words) == 2 and last_words[0] == "zu") or bool(
            last_words and re.match(r"^(an|auf|ein|aus|zurück|hinzu|vor)zu\w{3,}$", last_words[-1])
        )
        if chunk.infinitive:
            chunk.subordinate = False
    return chunks


def _next_name(comma: Token, starts: set[int]) -> bool:
    doc = comma.doc
    following = comma.i + 1
    while following < len(doc) and doc[following].lower_ in {"and", "und", "sowie", "or", "oder"}:
        following += 1
    return following in starts


def _read_sentence(index: int, sent: Span, lex: Lexicon, mentions: list[CompanyMention]) -> Sentence:
    """``mentions`` sorted by start; the sentence's own are found by bisection."""
    first = bisect.bisect_left(mentions, sent.start, key=lambda m: m.start)
    last = bisect.bisect_left(mentions, sent.end, key=lambda m: m.start)
    if not may_report_event(sent.text, lex.lang, sent.doc.vocab):  # cheap pass: lists and agencies only
        sentence = Sentence(index, sent, {}, mentions=mentions[first:last], tokens=[])
        sentence.lists, sentence.agencies = _find_lists(sent, [], {}, lex)
        sentence.clauses = [Clause(sent.start, sent.end)]
        return sentence
    tokens = list(sent)
    lemmas = _lemmas(tokens, lex)
    own = mentions[first:last]
    sentence = Sentence(index, sent, lemmas, mentions=own, tokens=tokens)
    cue_like = [t for t in tokens if is_cue_like(lemmas[t.i])]  # a lemma is its word when not a cue
    sentence.triggers = _find_triggers(sent, tokens, lemmas, lex, own, cue_like)
    sentence.lists, sentence.agencies = _find_lists(sent, cue_like, lemmas, lex)
    coref_possible = any(
        lex.has("coref_nouns", lemma) or lex.has("container_nouns", lemma)
        for lemma in lemmas.values()
        if is_cue_like(lemma)
    ) or any(t.lower_ in ("its", "their") for t in tokens)
    if own or coref_possible:
        sentence.clauses = _clauses(sent, tokens, lex, own)
    else:  # no company can be in this sentence: one clause is enough for lists and withdrawals
        sentence.clauses = [Clause(sent.start, sent.end)]
    _mark_withdrawal(sentence, lex)
    return sentence


def _mark_withdrawal(sentence: Sentence, lex: Lexicon) -> None:
    """Does this sentence say a notice or list was withdrawn (or only briefly published)?"""
    brief = [i for i, lemma in sentence.lemmas.items() if is_cue_like(lemma) and lex.has("brief", lemma)]
    published = [t.i for t in sentence.triggers if t.kind in ("add", "publish", "withdraw", "state")]
    # "briefly posted", "kurzzeitig veröffentlichte Liste" (not "just after briefly removing it")
    if any(abs(b - p) <= 3 for b in brief for p in published) or (
        brief and not has_parse(sentence.span.doc) and published
    ):
        sentence.withdrawal = True
    for trigger in sentence.triggers:
        if trigger.kind == "withdraw" and not _negated(sentence, trigger, lex):
            if trigger.lemma == "pull" and not _document_in_clause(sentence, trigger, lex):
                continue
            sentence.withdrawal = True
        if trigger.kind == "remove" and _removes_document(sentence, trigger, lex):
            sentence.document_removal.add(trigger.i)
            sentence.withdrawal = True


def _removes_document(sentence: Sentence, trigger: Trigger, lex: Lexicon) -> bool:
    """'removed an updated list', 'removing the document', 'die Liste ... entfernt': the thing removed
    is the document itself, not a company taken off a list."""
    doc = sentence.span.doc
    if has_parse(doc):
        token = doc[trigger.i]
        objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass", "obj")]
        if token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
            objects.append(token.head)  # "the list removed from the register"
        from_list = any(c.dep_ == "prep" and c.lower_ in _FROM_WORDS for c in token.children)
        return not from_list and any(lex.has("document_nouns", lemma_of(o)) for o in objects)
    if doc[trigger.i].text[:1].isupper() and trigger.i > sentence.span.start:
        return False  # a noun ("Streichungen"): the removals of a list update, not a document taken down
    clause = sentence.clause_of(trigger.i)
    companies = [m for m in sentence.mentions if clause.start <= m.start < clause.end]
    tokens = sentence.tokens
    list_nouns = lex.words["list_nouns"]
    from_list = any(
        t.lower_ in _FROM_WORDS and any(sentence.lemmas[u.i] in list_nouns for u in tokens[k + 1 : k + 6])
        for k, t in enumerate(tokens)
    )  # "von der Liste" takes a company off; "von der Website" takes the document down
    return not companies and not from_list and _document_in_clause(sentence, trigger, lex)


def _document_in_clause(sentence: Sentence, trigger: Trigger, lex: Lexicon) -> bool:
    clause = sentence.clause_of(trigger.i)
    return any(lex.has("document_nouns", sentence.lemmas[i]) for i in range(clause.start, clause.end))


# ---------------------------------------------------------------------------------------- attachment


def has_parse(doc: Doc) -> bool:
    """Whether the Doc has a dependency parse (checked once per Doc: has_annotation scans every token)."""
    cached = doc.user_data.get("riskwatch_parsed")
    if cached is None:
        cached = doc.user_data["riskwatch_parsed"] = doc.has_annotation("DEP")
    return cached


def _path_triggers(sentence: Sentence, mention: CompanyMention, by_index: dict[int, Trigger]) -> list[Trigger] | None:
    """English: the triggers governing ``mention`` along its dependency path; None when the path
    shows the company is only part of another company's description."""
    doc = sentence.span.doc
    others = {i for m in sentence.mentions if m is not mention for i in range(m.start, m.end)}
    for other in sentence.mentions:  # "Contemporary Amperex Technology" + "Co.": the name's head word
        root = doc[other.start : other.end].root
        if other is not mention and root.dep_ == "compound" and not mention.start <= root.head.i < mention.end:
            others.add(root.head.i)
    token = doc[mention.start : mention.end].root
    found: list[Trigger] = []
    through_preposition = False
    previous = token
    visited = 0
    while visited < 40:
        visited += 1
        for child in token.children:  # "previously listed firms like X", "another company added to"
            if child.dep_ in ("amod", "acl", "relcl") and child.i in by_index:
                found.append(by_index[child.i])
        if token.i != previous.i and token.i in by_index:
            found.append(by_index[token.i])
            found += [by_index[c.i] for c in token.children if c.dep_ == "conj" and c.i in by_index]
            return found
        if token.head.i == token.i:
            if not found and (lemma_of(token) == "be" or token.pos_ in ("NOUN", "PROPN")):
                # "Among the existing entries on the list are X", "Companies the letter names are X":
                # a copula (or a parse with a noun for a root) equates the company with what the sentence says
                found = [t for t in sentence.triggers if t.i != token.i]
            return found
        if previous.dep_ in ("pobj", "prep", "poss"):
            through_preposition = True
        previous, token = token, token.head
        if token.i in others and through_preposition:
            return None  # "a supplier to automakers including Tesla": Tesla describes another company
        if previous.dep_ == "relcl":
            return found  # a relative clause's verb does not govern the noun it describes
    return found


def _nominal_under_negation(token: Token, lex: Lexicon) -> bool:
    if not lex.has("nominal_triggers", lemma_of(token)):
        return False
    return any(c.dep_ == "neg" for c in token.head.children)


_CONJUNCTIONS = {",", "and", "und", "sowie", "or", "oder", "&"}


def _prepositional_object(sentence: Sentence, mention: CompanyMention, lex: Lexicon) -> bool:
    """Without a parse: a company named after 'to', 'with', 'mit', 'an' ... (over an enumeration) is
    part of another phrase, unless the preposition follows a nominal trigger ("Aufnahme von X")."""
    doc = sentence.span.doc
    others = {i for m in sentence.mentions for i in range(m.start, m.end)}
    i = mention.start - 1
    while i >= sentence.span.start and (doc[i].lower_ in _CONJUNCTIONS or i in others):
        i -= 1
    if i < sentence.span.start or not lex.has("object_prepositions", doc[i].lower_):
        return False
    before = i - 1
    if before >= sentence.span.start and lex.has("list_nouns", sentence.lemmas.get(before, "")):
        return False  # "the draft list with Baidu": on the list
    return not (before >= sentence.span.start and any(t.i == before for t in sentence.triggers))


def _passive(token: Token, sentence: Sentence) -> bool:
    if has_parse(token.doc):
        return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children) or (
            token.tag_ == "VBN" and token.dep_ in ("ROOT", "acl")
        )
    before = {t.lower_ for t in token.doc[max(sentence.span.start, token.i - 3) : token.i]}
    return bool(before & {"is", "are", "was", "were", "been", "be", "wurde", "wurden", "worden", "sind", "ist"})


def _membership_anchor(sentence: Sentence, trigger: Trigger, lex: Lexicon) -> bool:
    """'include', 'contain', 'enthalten' report a listing only when a list, a document or a word
    standing for one includes: "the list also included X", "It includes X", "die Liste, die X enthielt"."""
    doc = sentence.span.doc

    def stands_for_list(token: Token) -> bool:
        lemma = lemma_of(token)
        return (
            lex.has("document_nouns", lemma)
            or lex.has("list_nouns", lemma)
            or lex.has("anaphors", token.lower_)
            or lex.kind(lemma) in ("add", "remove")
            or any(r.start <= token.i < r.end for r in sentence.lists)
            or any(c.dep_ in ("acl", "amod", "relcl") and lex.kind(lemma_of(c)) == "add" for c in token.children)
        )

    clause = sentence.clause_of(trigger.i)
    if any(clause.start <= r.start < clause.end for r in sentence.lists):
        return True  # "included AMEC on the list", "was included in the Pentagon's list"
    if _passive(doc[trigger.i], sentence):
        return True  # "X and Y are included as well": included in the list the text is about
    if has_parse(doc):
        token = doc[trigger.i]
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
        current = token
        while not subjects and current.dep_ in ("xcomp", "conj", "advcl") and current.head.i != current.i:
            current = current.head  # "expanded the roster to include X", "sits at 134 and features X"
            subjects = [c for c in current.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
        if token.dep_ in ("relcl", "acl") and not subjects:
            subjects = [token.head]
        return any(stands_for_list(s) for s in subjects)
    if any(stands_for_list(doc[i]) for i in range(clause.start, trigger.i)):
        return True
    position = sentence.clauses.index(clause)
    if clause.subordinate and position > 0:  # "die Liste, die auch Baidu enthielt"
        return stands_for_list(doc[sentence.clauses[position - 1].end - 1])
    return False


def _clause_triggers(sentence: Sentence, mention: CompanyMention) -> list[Trigger]:
    """Triggers of the company's clause, of the relative clause right after it, or of the main clause."""
    clause = sentence.clause_of(mention.start)
    own = [t for t in sentence.triggers if clause.start <= t.i < clause.end]
    if own:
        return own
    position = sentence.clauses.index(clause)
    following = sentence.clauses[position + 1] if position + 1 < len(sentence.clauses) else None
    if following is not None and following.subordinate and mention.end >= clause.end - 1:
        described = [t for t in sentence.triggers if following.start <= t.i < following.end]
        if described:
            return described
    if following is not None and following.infinitive:
        described = [t for t in sentence.triggers if following.start <= t.i < following.end]
        if described:
            return described
    main = [
        t
        for t in sentence.triggers
        if not sentence.clause_of(t.i).subordinate and sentence.clause_of(t.i).segment == clause.segment
    ]
    if main or clause.subordinate:
        return main
    if sentence.withdrawal:  # "shares of X fell after a briefly published list ... circulated"
        return [t for t in sentence.triggers if t.kind in ("add", "publish")]
    # "BGI und CRRC gehören zu den Unternehmen, die auf der Liste stehen": a relative clause on a
    # container noun of the main clause describes the companies of the main clause
    lex = lexicon(sentence.span.doc.lang_ if sentence.span.doc.lang_ in ("en", "de") else "en")
    doc = sentence.span.doc
    for index, other in enumerate(sentence.clauses):
        if not other.subordinate or index == 0:
            continue
        antecedent = doc[sentence.clauses[index - 1].end - 1]
        if lex.has("container_nouns", antecedent.lower_):
            return [t for t in sentence.triggers if other.start <= t.i < other.end]
    return []


# ---------------------------------------------------------------------------------------- status


def _governors(sentence: Sentence, trigger: Trigger) -> list[Token]:
    """Tokens that scope over the trigger: its ancestors (English) or its clause and the clause an
    infinitive complements (German and unparsed text). Computed once per trigger."""
    cached = sentence.scopes.get(trigger.i)
    if cached is None:
        cached = sentence.scopes[trigger.i] = _scope(sentence, trigger)
    return cached


def _scope(sentence: Sentence, trigger: Trigger) -> list[Token]:
    doc = sentence.span.doc
    if has_parse(doc):
        token = doc[trigger.i]
        scope = list(token.children) + list(token.ancestors)
        # modal and negation words of the verbs an infinitive complements ("is poised to add",
        # "did not plan to add"), not of unrelated main clauses the parse hangs a clause on
        current = token
        while current.dep_ in ("xcomp", "pcomp", "conj") and current.head.i != current.i:
            current = current.head
            scope += [c for c in current.children if c.dep_ in ("aux", "neg", "auxpass", "advmod")]
        return scope
    clause = sentence.clause_of(trigger.i)
    scope = [doc[i] for i in range(clause.start, clause.end) if i != trigger.i]
    complement = clause.infinitive or doc[clause.start].lower_ in ("dass", "ob", "that", "whether")
    if complement:  # "empfahl, ... aufzunehmen", "forderten, dass ... gesetzt wird": the verb before governs
        for before in sentence.clauses[: sentence.clauses.index(clause)]:
            if not before.subordinate:
                scope += [doc[i] for i in range(before.start, before.end)]
    return scope


def _negated(sentence: Sentence, trigger: Trigger, lex: Lexicon) -> bool:
    doc = sentence.span.doc
    for token in _governors(sentence, trigger):
        lemma = sentence.lemmas.get(token.i, token.lower_)
        if has_parse(doc):
            if token.dep_ == "neg" and token.head.i in (trigger.i, *[a.i for a in doc[trigger.i].ancestors]):
                return True
            if lex.has("negating_verbs", lemma) and token.i in {a.i for a in doc[trigger.i].ancestors}:
                return True
        elif lex.has("negation", token.lower_) or lex.has("negating_verbs", lemma):
            return True
    return False


def _marked(sentence: Sentence, trigger: Trigger, lex: Lexicon, word_class: str, *, lemma_only=False) -> bool:
    for token in _governors(sentence, trigger):
        lemma = sentence.lemmas.get(token.i, token.lower_)
        if lex.has(word_class, lemma) or (not lemma_only and lex.has(word_class, token.lower_)):
            return True
    return False


def _clause_has(sentence: Sentence, trigger: Trigger, lex: Lexicon, word_class: str) -> bool:
    """A word of the class in the trigger's clause (English: also in the phrases the trigger governs,
    "named X in a letter")."""
    clause = sentence.clause_of(trigger.i)
    if any(lex.has(word_class, sentence.lemmas[i]) for i in range(clause.start, clause.end)):
        return True
    doc = sentence.span.doc
    if not has_parse(doc):
        return False
    for child in doc[trigger.i].children:
        if child.dep_ == "prep":
            if any(lex.has(word_class, lemma_of(t)) for t in child.subtree if t.dep_ == "pobj"):
                return True
    return False


def _status(sentence: Sentence, trigger: Trigger, lex: Lexicon, mention: CompanyMention) -> str | None:
    """The status a trigger reports for one company, or None."""
    if _negated(sentence, trigger, lex) or _open_question(sentence, trigger, lex):
        return None
    kind = trigger.kind
    doc = sentence.span.doc
    if kind == "remove":
        if trigger.i in sentence.document_removal:
            return None
        if _marked(sentence, trigger, lex, "request_verbs") or _marked(sentence, trigger, lex, "modal"):
            return None  # asked for, sued for, or announced: not a removal
        if _marked(sentence, trigger, lex, "request_nouns") and (doc[trigger.i].pos_ == "NOUN" or not has_parse(doc)):
            return None  # "seeking its removal", "Klage ..., um gestrichen zu werden"
        if lex.has("remove_requires_list", trigger.lemma) and not _list_in_clause(sentence, trigger):
            return None
        return "removed"
    if kind == "withdraw":
        return "withdrawn"
    if kind == "propose":
        return "proposed"
    if kind == "state":
        return "designated"
    # add / publish
    possessive = _possessive_nominal(sentence, trigger, lex)
    if possessive:
        return "designated"  # "its designation", "their inclusion": a state being challenged
    if _marked(sentence, trigger, lex, "prior"):
        return "designated"
    proposal = (
        _marked(sentence, trigger, lex, "modal", lemma_only=not has_parse(doc))
        or _marked(sentence, trigger, lex, "proposal_verbs")
        or _clause_has(sentence, trigger, lex, "proposal_nouns")
        or (not has_parse(doc) and _marked(sentence, trigger, lex, "proposal_nouns"))
        or _clause_has_word(sentence, trigger, lex, "hypothetical")
        or _clause_has_phrase(sentence, trigger, lex, "imminent")
    )
    if lex.lang == "de" and not has_parse(doc):
        proposal = _german_proposal(sentence, trigger, lex) or _clause_has_phrase(sentence, trigger, lex, "imminent")
    return "proposed" if proposal else "designated"


def _open_question(sentence: Sentence, trigger: Trigger, lex: Lexicon) -> bool:
    """'It was not clear whether X has been added', 'unklar, ob X aufgenommen wurde': an open question."""
    words = lex.words.get("question_words")
    if words is None or not any(f" {w} " in f" {sentence.lower()} " for w in words.exact):
        return False
    doc = sentence.span.doc
    if has_parse(doc):
        token = doc[trigger.i]
        chain = [token, *token.ancestors]
        return any(c.dep_ == "mark" and lex.has("question_words", c.lower_) for t in chain[:3] for c in t.children)
    clause = sentence.clause_of(trigger.i)
    return lex.has("question_words", doc[clause.start].lower_)


def _german_proposal(sentence: Sentence, trigger: Trigger, lex: Lexicon) -> bool:
    """German modal verbs count in the trigger's own clause (not 'sollen' = allegedly elsewhere)."""
    doc = sentence.span.doc
    clause = sentence.clause_of(trigger.i)
    scope = _governors(sentence, trigger)
    for token in scope:
        lemma = sentence.lemmas.get(token.i, token.lower_)
        if lex.has("proposal_verbs", lemma) or lex.has("proposal_nouns", lemma):
            return True
        if lex.has("modal", lemma) and lemma != "werden" and clause.start <= token.i < clause.end:
            return True
    return any(lex.has("proposal_nouns", sentence.lemmas[i]) for i in range(clause.start, clause.end)) or any(
        doc[i].lower_ in ("soll", "sollen") or lex.has("hypothetical", doc[i].lower_)
        for i in range(clause.start, clause.end)
    )


def _clause_has_phrase(sentence: Sentence, trigger: Trigger, lex: Lexicon, word_class: str) -> bool:
    """A phrase of the class ("kurz davor", "about to") before the trigger in its sentence."""
    phrases = lex.phrase_lists.get(word_class, ())
    if not phrases:
        return False
    lower = sentence.lower()
    end = sentence.span.doc[trigger.i].idx - sentence.span.start_char
    return any(0 <= lower.find(phrase) < end for phrase in phrases)


def _clause_has_word(sentence: Sentence, trigger: Trigger, lex: Lexicon, word_class: str) -> bool:
    """A word of the class, as written, in the trigger's clause ("käme eine Aufnahme": hypothetical)."""
    if word_class not in lex.words:
        return False
    clause = sentence.clause_of(trigger.i)
    doc = sentence.span.doc
    return any(lex.has(word_class, doc[i].lower_) for i in range(clause.start, clause.end))


def _possessive_nominal(sentence: Sentence, trigger: Trigger, lex: Lexicon) -> bool:
    doc = sentence.span.doc
    token = doc[trigger.i]
    nominal = token.pos_ in ("NOUN", "PROPN") or (
        not token.pos_ and (token.text[:1].isupper() or token.lower_.endswith(("tion", "sion", "ment", "ing")))
    )
    if not nominal:
        return False
    before = doc[trigger.i - 1].lower_ if trigger.i > sentence.span.start else ""
    return before in {"its", "their", "his", "her", "seine", "seiner", "seinen", "ihre", "ihrer", "ihren"}


def _list_in_clause(sentence: Sentence, trigger: Trigger) -> bool:
    clause = sentence.clause_of(trigger.i)
    return any(clause.start <= r.start < clause.end for r in sentence.lists)


# ---------------------------------------------------------------------------------------- lists


def _resolve_list(sentence: Sentence, trigger: Trigger, context: str | None) -> tuple[str | None, bool]:
    """(list the trigger refers to, whether the sentence names a list at all)."""
    clause = sentence.clause_of(trigger.i)
    in_clause = [r for r in sentence.lists if clause.start <= r.start < clause.end]
    candidates = in_clause or sentence.lists
    if not candidates:
        if sentence.agencies and trigger.kind in ("add", "remove", "state"):
            # "The Pentagon added Tencent": an agency that keeps one list, acting on a company
            return min((abs(i - trigger.i), name) for i, name in sentence.agencies)[1], True
        return None, False
    ref = min(candidates, key=lambda r: (abs(r.start - trigger.i), r.start < trigger.i))
    return _resolve_ref(sentence, ref, clause, context), True


def _resolve_ref(sentence: Sentence, ref: ListRef, clause: Clause, context: str | None) -> str | None:
    if ref.list_name:
        return ref.list_name
    # "the Pentagon's list", "eine Liste des US-Verteidigungsministeriums": an agency next to it
    near = [(abs(i - ref.start), name) for i, name in sentence.agencies if abs(i - ref.start) <= 6]
    if near:
        return min(near)[1]
    explicit = [r for r in sentence.lists if r.explicit]
    if explicit:
        return min(explicit, key=lambda r: abs(r.start - ref.start)).list_name
    in_clause = [(abs(i - ref.start), name) for i, name in sentence.agencies if clause.start <= i < clause.end]
    if in_clause:
        return min(in_clause)[1]
    if sentence.agencies:
        return min((abs(i - ref.start), name) for i, name in sentence.agencies)[1]
    return context


def _sentence_lists(sentence: Sentence, context: str | None) -> list[str]:
    names = []
    for ref in sentence.lists:
        name = _resolve_ref(sentence, ref, sentence.clause_of(ref.start), context)
        if name:
            names.append(name)
    if not names and sentence.agencies and sentence.triggers:
        names = [name for _, name in sentence.agencies]
    return names


def _anchored(sentence: Sentence, trigger: Trigger, lex: Lexicon, continued: bool = False) -> bool:
    """A trigger without a list word still reports a listing when it is specific ("designated",
    "blacklisted") or its subject is the document or list ("It also added", "the update removed")."""
    doc = sentence.span.doc
    if lex.has("specific_triggers", trigger.lemma) or continued:
        return True
    if trigger.kind == "add" and _marked(sentence, trigger, lex, "proposal_verbs"):
        return True  # "the companies the lawmakers want added": lobbying for a listing
    if sentence._market is None:
        sentence._market = any(lex.has("market_words", lemma) for lemma in sentence.lemmas.values())
    market = sentence._market
    if trigger.kind == "add" and not market and _marked(sentence, trigger, lex, "prior"):
        return True  # "previously listed firms like Tencent" (not "previously listed on Nasdaq")
    if trigger.kind == "add" and trigger.lemma in ("label", "classify", "einstufen", "identify", "identifizieren"):
        window = doc[trigger.i : min(trigger.i + 8, sentence.span.end)].text.lower()
        if "military" in window or "militär" in window:
            return True
    if has_parse(doc):
        subjects = [c for c in doc[trigger.i].children if c.dep_ in ("nsubj", "nsubjpass")]
        subjects += [c for c in sentence.span.root.children if c.dep_ in ("nsubj", "nsubjpass")]
        return any(
            lex.has("anaphors", s.lower_)
            or lex.has("document_nouns", lemma_of(s))
            or lex.kind(lemma_of(s)) in ("add", "remove")  # "other additions included X"
            for s in subjects
        )
    clause = sentence.clause_of(trigger.i)
    return any(lex.has("document_nouns", sentence.lemmas[i]) for i in range(clause.start, clause.end))


# ---------------------------------------------------------------------------------------- coreference


def _coreferent(
    sentence: Sentence, lex: Lexicon, named: list[CompanyMention], previous: list[CompanyMention] | None = None
) -> list[CompanyMention]:
    """Definite descriptions that refer to companies named before: 'the company', 'das Unternehmen'
    (when one company was named), 'the three companies', 'die drei Unternehmen' (the last three)."""
    found = []
    tokens = sentence.tokens
    for position, token in enumerate(tokens):
        if token.lower_ in ("its", "their") and not sentence.mentions and token.dep_ == "poss":
            linked = list(dict.fromkeys(m.entity for m in named[-50:] if m.linked))
            if len(linked) == 1:  # "After being placed on the list, its shares fell": the company named before
                one = next(m for m in reversed(named) if m.entity == linked[0])
                found.append(CompanyMention(token.i, token.i + 1, one.entity, one.linked, one.text))
            continue
        if token.lower_ not in _REFERRING:
            continue
        window = [t for t in tokens[position + 1 : position + 8] if t.text != "-"][:4]
        number = next((NUMBER_WORDS[w.lower_] for w in window[:2] if w.lower_ in NUMBER_WORDS), None)
        if token.lower_ in NUMBER_WORDS:
            number = NUMBER_WORDS[token.lower_]
        head = next(
            (w for w in window if lex.has("coref_nouns", w.lower_) or lex.has("container_nouns", w.lower_)), None
        )
        if head is None or _is_inside(head.i, sentence.mentions):
            continue
        pool = named[-50:] + [m for m in sentence.mentions if m.end <= token.i]
        distinct: list[CompanyMention] = []
        for mention in reversed([m for m in pool if m.linked] or pool):
            if mention.entity not in {m.entity for m in distinct}:
                distinct.append(mention)
        if any(w.is_punct for w in window[: window.index(head)]):
            continue
        if not distinct:
            continue
        if number is not None:
            if len(distinct) >= number:
                for mention in distinct[:number]:
                    found.append(CompanyMention(head.i, head.i + 1, mention.entity, mention.linked, mention.text))
        elif len(distinct) == 1 and lex.has("coref_nouns", head.lower_) and token.lower_ in _DEFINITE:
            found.append(CompanyMention(head.i, head.i + 1, distinct[0].entity, distinct[0].linked, distinct[0].text))
        elif token.lower_ in _PLURAL_DEMONSTRATIVES and lex.has("container_nouns", head.lower_) and previous:
            # "These companies ...", "Diese Firmen ...": every company of the sentence before
            for mention in previous:
                found.append(CompanyMention(head.i, head.i + 1, mention.entity, mention.linked, mention.text))
    return found


# ---------------------------------------------------------------------------------------- document


def extract_events(
    doc: Doc, mentions: list[CompanyMention], lang: str, *, default_list: str | None = LIST_1260H
) -> list[SentenceEvent]:
    """Listing events of one document. ``mentions`` are the companies found in it (linked or
    candidates); ``default_list`` is the list the source is about (None: only what the text names)."""
    lex = lexicon(lang)
    mentions = sorted(mentions, key=lambda m: m.start)
    sentences = [_read_sentence(index, sent, lex, mentions) for index, sent in enumerate(doc.sents)]
    context = default_list
    named_lists = [name for sentence in sentences for name in _sentence_lists(sentence, None)]
    if named_lists and LIST_1260H not in named_lists:
        context = named_lists[0]  # a document that names only another list is about that list
    named: list[CompanyMention] = []
    raw: list[tuple[Sentence, CompanyMention, Trigger, str, str]] = []
    previous_status: str | None = None
    continued = False  # the sentence before named a list: "the Pentagon's list ... It also added"
    previous_mentions: list[CompanyMention] = []
    proposal_context = False
    pending_description = None
    for sentence in sentences:
        if sentence.triggers:  # a reference back matters only where something happens
            sentence.mentions = sentence.mentions + _coreferent(sentence, lex, named, previous_mentions)
        sentence.mentions.sort(key=lambda m: m.start)
        named += [m for m in sentence.mentions]
        previous_mentions = list({m.entity: m for m in sentence.mentions}.values())[:20] or previous_mentions
        by_index = {t.i: t for t in sentence.triggers}
        # the next sentence names the list: "X was among the firms that should be included. The list ..."
        following = sentences[sentence.index + 1] if sentence.index + 1 < len(sentences) else None
        upcoming = following is not None and any(r.list_name is None or r.explicit for r in following.lists)
        statuses_here = []
        for mention in sentence.mentions:
            triggers = None
            if has_parse(doc):
                triggers = _path_triggers(sentence, mention, by_index)
                if triggers is None:
                    continue  # part of another company's description
            elif _prepositional_object(sentence, mention, lex):
                continue  # "a supplier to Huawei", "Partnerschaft mit China Mobile"
            if not triggers:
                triggers = _clause_triggers(sentence, mention)
                if has_parse(doc):  # not on the company's path: a nominal that a negated verb
                    # governs ("the listing does not restrict purchases of X") says nothing about X
                    triggers = [t for t in triggers if not _nominal_under_negation(doc[t.i], lex)]
            for trigger in triggers:
                if lex.has("membership_verbs", trigger.lemma) and not _membership_anchor(sentence, trigger, lex):
                    continue  # "its customers include Huawei": not a list's content
                status = _status(sentence, trigger, lex, mention)
                if status is None:
                    continue
                if _demonstrative_nominal(sentence, trigger) and previous_status:
                    status = previous_status  # "received this designation": the event just reported
                list_name, named_list = _resolve_list(sentence, trigger, context)
                if not named_list:
                    if not _anchored(sentence, trigger, lex, continued or upcoming) or context is None:
                        continue
                    list_name = context
                if trigger.kind == "publish" and not named_list:
                    continue
                if list_name is None:
                    continue
                if (
                    status == "designated"
                    and proposal_context
                    and trigger.kind in ("add", "state")
                    and not _explicit_list(sentence)
                    and not _marked(sentence, trigger, lex, "prior")
                    and not _possessive_nominal(sentence, trigger, lex)
                ):
                    status = "proposed"  # "In the letter ... The list also named X": the letter's list
                raw.append((sentence, mention, trigger, list_name, status))
                statuses_here.append(status)
        if pending_description is not None:  # "... removed one of China's chip makers. The company — AMEC — ..."
            named_now = _named_description(sentence, lex)
            if named_now is not None:
                old_sentence, trigger, list_name, status = pending_description
                raw.append((old_sentence, named_now, trigger, list_name, status))
        pending_description = _described_object(sentence, lex, context) if not statuses_here else None
        lists_here = _sentence_lists(sentence, context)
        if lists_here:
            context = LIST_1260H if LIST_1260H in lists_here else lists_here[-1]
        continued = bool(sentence.lists) or bool(statuses_here)
        # a letter, recommendation or request reported here colours the next sentence's unnamed list
        proposal_context = ("proposed" in statuses_here and "designated" not in statuses_here) or (
            not statuses_here and _speaks_of_proposal(sentence, lex)
        )
        if statuses_here:
            previous_status = statuses_here[-1]
        elif any(t.kind in ("add", "remove") for t in sentence.triggers) and sentence.lists:
            previous_status = _bare_status(sentence, lex)
    return _finish(raw, sentences, lex)


def _bare_status(sentence: Sentence, lex: Lexicon) -> str | None:
    """The status a sentence reports without a company ('should be placed on a list')."""
    for trigger in sentence.triggers:
        if trigger.kind in ("add", "remove"):
            return _status(sentence, trigger, lex, CompanyMention(trigger.i, trigger.i + 1, ""))
    return None


def _described_object(sentence: Sentence, lex: Lexicon, context: str | None):
    """A listing event whose company is only described ("removed one of China's leading chip
    equipment makers from a list"): (sentence, trigger, list, status), or None."""
    doc = sentence.span.doc
    if not has_parse(doc) or sentence.mentions:
        return None
    for trigger in sentence.triggers:
        if trigger.kind not in ("add", "remove"):
            continue
        objects = [c for c in doc[trigger.i].children if c.dep_ in ("dobj", "nsubjpass")]
        described = any(
            lex.has("coref_nouns", t.lemma_.lower() or t.lower_) or lex.has("container_nouns", t.lower_)
            for o in objects
            for t in o.subtree
        )
        if not described:
            continue
        status = _status(sentence, trigger, lex, CompanyMention(trigger.i, trigger.i + 1, ""))
        list_name, named = _resolve_list(sentence, trigger, context)
        if status and (list_name or context):
            return sentence, trigger, list_name or context, status
    return None


def _named_description(sentence: Sentence, lex: Lexicon) -> CompanyMention | None:
    """The company a sentence names right after a description at its start: "The company — AMEC —",
    "Das Unternehmen, AMEC, ..."."""
    tokens = sentence.tokens
    if len(tokens) < 4 or tokens[0].lower_ not in _DEFINITE:
        return None
    if not lex.has("coref_nouns", tokens[1].lower_) or tokens[2].text not in {"—", "–", "-", ",", "("}:
        return None
    return next((m for m in sentence.mentions if m.start in (tokens[3].i, tokens[3].i + 1)), None)


def _speaks_of_proposal(sentence: Sentence, lex: Lexicon) -> bool:
    """A sentence about a letter, recommendation or request (no company event of its own)."""
    return any(lex.has("proposal_documents", lemma) for lemma in sentence.lemmas.values() if is_cue_like(lemma))


def _demonstrative_nominal(sentence: Sentence, trigger: Trigger) -> bool:
    doc = sentence.span.doc
    return trigger.i > sentence.span.start and doc[trigger.i - 1].lower_ in _DEMONSTRATIVES and trigger.kind == "add"


def _finish(raw, sentences: list[Sentence], lex: Lexicon) -> list[SentenceEvent]:
    """Withdrawal episodes, dates, evidence; one event per (company, list, status)."""
    withdrawals = [s.index for s in sentences if s.withdrawal]
    events: dict[tuple[str, str, str], SentenceEvent] = {}
    for sentence, mention, trigger, list_name, status in raw:
        evidence = [sentence.text]
        if status in ("designated", "removed", "proposed") and not lex.has("persistent", trigger.lemma):
            prior = _marked(sentence, trigger, lex, "prior")
            near = [k for k in withdrawals if sentence.index - 2 <= k <= sentence.index + 1 and not prior]
            # the withdrawal in this sentence or the next; one told before only reaches back to a
            # sentence that names no list of its own ("This list included X")
            episode = next((k for k in near if k >= sentence.index), None)
            if episode is None and near and not _explicit_list(sentence):
                episode = near[-1]
            if episode is not None:
                status = "withdrawn"
                if episode != sentence.index:
                    evidence.append(sentences[episode].text)
        dates = sentence.dates()
        key = (mention.entity, list_name, status)
        if key in events:
            known = events[key]
            merged = tuple(dict.fromkeys(known.evidence + tuple(evidence)))
            names = tuple(dict.fromkeys(known.mentioned_as + ((mention.text,) if mention.text else ())))
            events[key] = replace(known, evidence=merged, mentioned_as=names)
            continue
        events[key] = SentenceEvent(
            entity=mention.entity,
            list_name=list_name,
            status=status,
            date=dates[0] if dates else None,
            sentence=sentence.text,
            evidence=tuple(dict.fromkeys(evidence)),
            linked=mention.linked,
            cue=trigger.text,
            mentioned_as=(mention.text,) if mention.text else (),
        )
    return list(events.values())


def _explicit_list(sentence: Sentence) -> bool:
    return any(r.explicit for r in sentence.lists)
