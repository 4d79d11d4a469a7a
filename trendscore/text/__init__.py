"""Text: normalising and splitting passages, tokens and TF-IDF features, name lists, sentence embeddings."""
