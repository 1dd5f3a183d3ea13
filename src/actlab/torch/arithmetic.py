"""Madsen & Johansen's arithmetic units as torch modules: the NAU and the NMU of ``actlab.nn``, for PyTorch models.

Same definitions as the NumPy layers (``actlab.nn.NAU``, ``actlab.nn.NMU``), in torch's weight layout
(``weight`` of shape (out_features, in_features), as ``nn.Linear``): the paper's initialisation, the weight box
(each forward projects the weights into it in place, the paper's clipping after every optimiser step) and the
sparsity regulariser ``penalty()``, which a training loop adds to its loss with a weight that grows on a schedule.
Reference: Madsen & Johansen 2020, "Neural Arithmetic Units", ICLR, arXiv:2001.05016.
"""

from __future__ import annotations

import math

import torch

from actlab.errors import ParameterError


def _features(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{what} must be a positive integer. Got {value!r}.")
    return value


class _SparseUnit(torch.nn.Module):
    low = -1.0

    def __init__(self, in_features: int, out_features: int, device=None, dtype=None):
        super().__init__()
        self.in_features = _features(in_features, f"in_features of {type(self).__name__}")
        self.out_features = _features(out_features, f"out_features of {type(self).__name__}")
        self.weight = torch.nn.Parameter(torch.empty(out_features, in_features, device=device, dtype=dtype))
        self.reset_parameters()

    def project_(self) -> torch.Tensor:
        """Clip the weights into the unit's box, in place (what every forward does first); returns them."""
        with torch.no_grad():
            self.weight.clamp_(self.low, 1.0)
        return self.weight

    def penalty(self) -> torch.Tensor:
        """Madsen & Johansen's R_sparse: the mean of min(|W|, 1 - |W|), zero exactly at W in {-1, 0, 1}."""
        a = self.weight.abs()
        return torch.minimum(a, 1 - a).mean()

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class NAU(_SparseUnit):
    """Neural addition unit: y = x W^T with W in [-1, 1]; W ~ U(-r, r), r = min(1/2, sqrt(3 * 2/(in + out)))."""

    def reset_parameters(self) -> None:
        r = min(0.5, math.sqrt(3.0) * math.sqrt(2.0 / (self.in_features + self.out_features)))
        torch.nn.init.uniform_(self.weight, -r, r)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x, self.project_())


class NMU(_SparseUnit):
    """Neural multiplication unit: y_j = prod_i (W_ji x_i + 1 - W_ji) with W in [0, 1]; W ~ U(1/4, 3/4)."""

    low = 0.0

    def reset_parameters(self) -> None:
        torch.nn.init.uniform_(self.weight, 0.25, 0.75)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        W = self.project_().t()  # (in, out)
        return torch.prod(x.unsqueeze(-1) * W + (1 - W), dim=-2)
