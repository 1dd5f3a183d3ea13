"""Pack boolean masks into 1 bit per element (uint8), and small integer codes into b bit-planes.

The packing multiplies 8 mask bytes, read as one int64, by a magic constant that moves byte i's low bit to bit 56+i
(the partial products never overlap, so there are no carries); unpacking replicates the byte into all 8 byte lanes
and keeps bit i in lane i. Both work on n/8 int64 words: a few cheap passes, any device, no Python loops.
"""

from __future__ import annotations

import torch

_GATHER = sum(1 << (7 * j) for j in range(1, 9))  # 0x0102040810204080: byte i's bit 0 -> bit 56 + i
_SPREAD = 0x0101010101010101  # copies a byte into every byte lane
_SELECT = 0x8040201008040201 - (1 << 64)  # lane i keeps bit i (as a signed int64 constant)
_LOW7 = 0x7F7F7F7F7F7F7F7F  # adding it sets bit 7 of every non-zero lane (lanes hold <= 0x80: no carries)
_HIGH = 0x8080808080808080 - (1 << 64)
_ONES = 0x0101010101010101


def pack_bits(mask: torch.Tensor) -> torch.Tensor:
    """A bool tensor -> a flat uint8 tensor of ceil(numel/8) bytes (bit i of byte k is element 8k+i)."""
    flat = mask.reshape(-1)
    pad = (-flat.numel()) % 8
    if pad:
        flat = torch.cat([flat, flat.new_zeros(pad)])
    words = flat.view(torch.uint8).view(torch.int64)
    return ((words * _GATHER) >> 56).to(torch.uint8)


def unpack_bits(packed: torch.Tensor, numel: int) -> torch.Tensor:
    """The inverse of :func:`pack_bits`: a flat bool tensor of ``numel`` elements."""
    return unpack_ones(packed, numel).view(torch.bool)


def unpack_ones(packed: torch.Tensor, numel: int) -> torch.Tensor:
    """The bits of :func:`pack_bits` as a flat uint8 tensor of 0s and 1s. The backward passes convert it to the
    gradient's dtype from here: Inductor's C++ cannot convert a uint8 tensor viewed as bool (``Vectorized<bool>``
    has no ``to``), so a compiled backward must never meet that view."""
    lanes = packed.to(torch.int64).mul_(_SPREAD).bitwise_and_(_SELECT)
    lanes = lanes.add_(_LOW7).bitwise_and_(_HIGH).bitwise_right_shift_(7).bitwise_and_(_ONES)
    return lanes.view(torch.uint8)[:numel]


def pack_codes(codes: torch.Tensor, bits: int) -> torch.Tensor:
    """Integer codes in [0, 2**bits) -> ``bits`` packed bit-planes, stacked: exactly ``bits`` bits per element."""
    flat = codes.reshape(-1).to(torch.uint8)
    return torch.stack([pack_bits((flat & (1 << b)).bool()) for b in range(bits)])


def unpack_codes(planes: torch.Tensor, numel: int) -> torch.Tensor:
    """The inverse of :func:`pack_codes`: flat int64 codes (ready for indexing)."""
    codes = torch.zeros(numel, dtype=torch.uint8, device=planes.device)
    for b in range(planes.shape[0]):
        codes |= unpack_ones(planes[b], numel) << b
    return codes.long()
