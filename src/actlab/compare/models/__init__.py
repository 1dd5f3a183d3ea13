"""Models of the comparison harness beyond the backends' MLPs and CNN: the character-level Transformer and its text."""
