"""Overhead of actlab.torch.Monitor on a training step of a 4-layer MLP (issue 9: <= 10%).

Times the same training step (MNIST-1D-sized batch of 100 x 40, four hidden layers of 256 ReLU units, Adam) without
a monitor and with one at several `every` settings, interleaved, and prints the median step time and the ratio.

    python benchmarks/monitor_overhead.py [--steps 300] [--repeats 7] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from actlab.torch.monitor import Monitor


def make_step(width: int):
    torch.manual_seed(0)
    layers, d = [], 40
    for _ in range(4):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    net = nn.Sequential(*layers, nn.Linear(d, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, y = torch.randn(100, 40), torch.randint(0, 10, (100,))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    return net, step


def time_steps(step, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    net, step = make_step(args.width)
    settings = [None, 1, 10, 50]
    times: dict = {s: [] for s in settings}
    time_steps(step, 50)  # warm-up
    for _ in range(args.repeats):
        for every in settings:  # interleaved, so drifting machine load hits every setting alike
            if every is None:
                times[every].append(time_steps(step, args.steps))
            else:
                with Monitor(net, every=every):
                    times[every].append(time_steps(step, args.steps))
    base = statistics.median(times[None])
    print(f"4-layer MLP 40-{args.width}x4-10, batch 100, Adam, {args.threads} thread(s), median of {args.repeats}")
    print(f"{"monitor":<20}{'us/step':>10}{'overhead':>10}")
    for every in settings:
        t = statistics.median(times[every])
        label = "none" if every is None else f"every={every}" + (" (default)" if every == 10 else "")
        print(f"{label:<20}{t * 1e6:>10.1f}{(t / base - 1) * 100:>9.1f}%")


if __name__ == "__main__":
    main()
