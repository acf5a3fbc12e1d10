"""NLP: spaCy pipeline, watchlist ruler, entity linking, listing-event extraction."""
