"""Models: the saved format, applying and training them, registries, evaluation and metrics."""
