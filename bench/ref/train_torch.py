"""PyTorch CPU reference for bench/train.ts: one training step of the dual classifier (forward in training mode,
cross-entropy, backward, Adam lr 1e-4), the paper's setup at native resolution.

usage: train_torch.py --threads N --batch B --size S --warmup W --steps K [--arch resnet18]
Prints one JSON object {torch, threads, params, train_ms, profile: [[op, self ms, calls], ...]}.
"""
import argparse
import json
import statistics
import time

import torch

from models_torch import Dual


def main():
    p = argparse.ArgumentParser()
    for name in ("threads", "batch", "size", "warmup", "steps"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--arch", default="resnet18")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Dual(a.arch).train()
    x = torch.rand(a.batch, 6, a.size, a.size)
    y = torch.randint(0, 4, (a.batch,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    with torch.autograd.profiler.profile() as prof:
        step()
    ops = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "params": sum(t.numel() for t in model.parameters()),
        "train_ms": statistics.median(times),
        "profile": [[e.key, e.self_cpu_time_total / 1000, e.count] for e in ops[:12]],
    }))


if __name__ == "__main__":
    main()
