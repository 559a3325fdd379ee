"""Text normalisation and the analyser shared by training and inference."""

from headline_tagger.features import Analyzer, FeatureConfig, normalize, tokenize, tokenize_batch


def test_normalize_folds_accents_quotes_digits_and_spaces():
    assert normalize("Traite des Êtres humains\u00a0: « 12 » d’entre eux") == \
        "traite des etres humains : \" 00 \" d'entre eux"


def test_acronyms_stay_apart_from_the_words_they_spell():
    assert tokenize(normalize("IS claims attack")) == ["is_", "claims", "attack"]
    assert tokenize(normalize("Who is she? UN and un, US and us")) == ["who", "is", "she", "un_", "and", "un",
                                                                       "us_", "and", "us"]
    # Four capitals, mixed case, accented capitals and digits are ordinary words.
    assert tokenize(normalize("ISIS Is ÉTA G7")) == ["isis", "is", "eta", "g0"]


def test_a_headline_in_capitals_throughout_has_no_acronyms():
    assert tokenize(normalize("UN PASSEUR ARRÊTÉ À CALAIS")) == ["un", "passeur", "arrete", "calais"]
    assert tokenize(normalize("IS CLAIMS ATTACK")) == tokenize(normalize("is claims attack"))
    assert tokenize(normalize("UN envoy: IS claims attack")) == ["un_", "envoy", "is_", "claims", "attack"]
    texts = ["UN PASSEUR ARRÊTÉ", "UN envoy visits", "IS CLAIMS ATTACK", "Who is she?"]
    flat = tokenize_batch(texts)
    per_text = [tokenize(normalize(t)) for t in texts]
    assert flat == [*per_text[0], "\x1f", *per_text[1], "\x1f", *per_text[2], "\x1f", *per_text[3]]


def test_tokenize_matches_scikit_learn_token_pattern():
    from sklearn.feature_extraction.text import CountVectorizer

    text = normalize("INTERPOL's op. 'Weka' — 2 200 held; d’Ivoire, e-mail scams!")
    expected = CountVectorizer(lowercase=False).build_analyzer()(text)
    assert tokenize(text) == expected


def test_analyzer_emits_words_prefixes_and_bigrams():
    feats = Analyzer(FeatureConfig(word_ngrams=2, prefix_length=5))("Smugglers held")
    assert feats == ["w:smugglers", "p:smugg", "w:held", "b:smugglers held"]


def test_prefix_feature_can_be_switched_off():
    feats = Analyzer(FeatureConfig(word_ngrams=1, prefix_length=0))("Smugglers held")
    assert feats == ["w:smugglers", "w:held"]
