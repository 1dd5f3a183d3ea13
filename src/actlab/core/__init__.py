"""What an activation is: the spec (:mod:`.spec`), the registry of names (:mod:`.registry`), the errors, the stable
float64 primitives (:mod:`.numerics`) and the SymPy view of a formula (:mod:`.symbolic`).

The bottom layer: it imports no other part of actlab (``actlab.catalog`` declares activations with it,
``actlab.kernels`` implements them, and ``import actlab`` puts the two together).
"""
