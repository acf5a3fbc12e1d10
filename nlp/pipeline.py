"""The spaCy pipeline, built by one function: base model (or blank) + watchlist ruler."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from core.settings import Settings, get_settings
from nlp.lexicon import register_lemmatizer
from nlp.watchlist import ruler_patterns, write_patterns_jsonl

log = logging.getLogger(__name__)

# Languages riskwatch has cue words, patterns and a tokenizer for (data/nlp/cues.json); any other
# language is read with the multilingual blank pipeline and the watchlist rules only.
SUPPORTED_LANGUAGES = frozenset({"en", "de"})


def model_name_for(lang: str, settings: Settings) -> str | None:
    return {"en": settings.spacy_model_en, "de": settings.spacy_model_de}.get(lang)


def load_base(lang: str, settings: Settings | None = None) -> tuple[Language, str]:
    """The configured model for ``lang`` if installed, else ``spacy.blank`` with a warning.

    Returns (nlp, description of what was loaded).
    """
    settings = settings or get_settings()
    name = model_name_for(lang, settings)
    if name:
        try:
            nlp = spacy.load(name, disable=["lemmatizer"])
            if "lemmatizer" in nlp.component_names:
                register_lemmatizer(nlp.vocab, nlp.get_pipe("lemmatizer"))
            return nlp, name
        except OSError:
            message = (
                f"spaCy model {name!r} for {lang!r} is not installed; falling back to "
                f"spacy.blank({lang!r}) + rules (install it with `pip install -e .[models]`)"
            )
            warnings.warn(message, stacklevel=2)
            log.warning(message)
    blank_lang = lang if lang in SUPPORTED_LANGUAGES else "xx"
    if blank_lang != lang:
        log.warning("no spaCy support configured for language %r: using the multilingual blank pipeline", lang)
    return spacy.blank(blank_lang), f"blank:{blank_lang}"


CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


def split_cjk_characters(nlp: Language) -> None:
    """Make every CJK character its own token, so Chinese names (阿里巴巴, 比亚迪) match the
    ruler inside running text without spaces ('阿里巴巴集团宣布')."""
    tokenizer = nlp.tokenizer
    tokenizer.prefix_search = compile_prefix_regex(list(nlp.Defaults.prefixes or []) + [CJK]).search
    tokenizer.suffix_search = compile_suffix_regex(list(nlp.Defaults.suffixes or []) + [CJK]).search
    tokenizer.infix_finditer = compile_infix_regex(list(nlp.Defaults.infixes or []) + [CJK]).finditer


def add_lookup_lemmatizer(nlp: Language) -> None:
    """Lemmas for a blank pipeline from the ``spacy-lookups-data`` tables (German: 'setzte' -> setzen,
    'aufgenommen' -> aufnehmen), so cue words are lemmas, not hand-listed inflections."""
    if nlp.has_pipe("lemmatizer"):
        return
    try:
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize()
        register_lemmatizer(nlp.vocab, lemmatizer)
    except (ValueError, OSError, ImportError) as exc:  # tables not installed
        if nlp.has_pipe("lemmatizer"):
            nlp.remove_pipe("lemmatizer")
        message = (
            f"no lemma tables for {nlp.lang!r} ({exc.__class__.__name__}); cue words match surface forms only "
            "(install spacy-lookups-data)"
        )
        warnings.warn(message, stacklevel=2)
        log.warning(message)


def split_hyphenated_words(nlp: Language) -> None:
    """German compounds with a hyphen are split ("Tencent-Aktie", "1260H-Liste", "US-Verteidigungsministerium")
    so that names and list words inside them are tokens of their own."""
    infixes = list(nlp.Defaults.infixes or []) + [r"(?<=[\w])-(?=[\w])", CJK]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


# Legal-form and other abbreviations that end in a full stop without ending a sentence
# ("BYD Co. Ltd. (OTC:BYDDY) wurde ..."): the blank German tokenizer would split them off.
ABBREVIATIONS = ("Co.", "Ltd.", "Inc.", "Corp.", "Bhd.", "Pte.", "Pty.", "Plc.", "Mio.", "Mrd.", "Nr.", "Jan.", "Feb.")


def keep_abbreviations(nlp: Language) -> None:
    for abbreviation in ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])


@Language.component("riskwatch_line_breaks")
def line_breaks(doc):
    """A line break ends a sentence: headlines and paragraphs of extracted article text are joined
    with newlines, and a headline has no full stop."""
    text = doc.text
    if "\n" not in text:
        return doc
    for match in re.finditer(r"\n\s*(?=\S)", text):
        span = doc.char_span(match.end(), match.end() + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            span[0].is_sent_start = True
    return doc


def build_pipeline(
    lang: str, names: dict[str, list[str]], settings: Settings | None = None, patterns_path: Path | None = None
) -> Language:
    """Base model + sentence boundaries + an entity ruler with the watchlist's names and aliases.

    The ruler runs before ``ner`` so that a watched name is never swallowed into
    a longer statistical ORG span ("The Department of Defense added Alibaba ...").
    """
    nlp, loaded = load_base(lang, settings)
    split_cjk_characters(nlp)
    if lang == "de":
        split_hyphenated_words(nlp)
    keep_abbreviations(nlp)
    if loaded.startswith("blank:") and lang in SUPPORTED_LANGUAGES:
        add_lookup_lemmatizer(nlp)
    if not nlp.has_pipe("parser") and not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
        nlp.add_pipe("sentencizer", first=True)
    if nlp.has_pipe("parser"):
        nlp.add_pipe("riskwatch_line_breaks", before="parser")
    else:
        nlp.add_pipe("riskwatch_line_breaks", after="sentencizer" if nlp.has_pipe("sentencizer") else None)
    options = {"before": "ner"} if nlp.has_pipe("ner") else {}
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True}, **options)
    patterns = ruler_patterns(names, nlp.make_doc)
    ruler.add_patterns(patterns)
    if patterns_path is not None:  # the exact patterns used, for an auditor to inspect
        write_patterns_jsonl(patterns, patterns_path)
    nlp.meta["riskwatch_base"] = loaded
    log.info("NLP pipeline %s: %s (%d watchlist patterns)", lang, nlp.pipe_names, len(patterns))
    return nlp
