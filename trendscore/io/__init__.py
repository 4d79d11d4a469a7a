"""Reading and writing: input formats and encodings, the digest export, dates, JSON, atomic outputs."""
