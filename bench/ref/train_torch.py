"""PyTorch CPU peer for bench/train.ts and bench/backend.ts: one training step of the dual classifier (forward in
training mode, cross-entropy, backward, Adam lr 1e-4), the paper's setup at native resolution.

usage: train_torch.py [--arch resnet18|vgg19_bn] --threads N --batch B --size S [--precision fp32|bf16]
With --precision bf16 the forward pass runs under torch.autocast("cpu", torch.bfloat16) (PyTorch's CPU mixed
precision: convolutions and matrix products in bf16, weights, optimizer and loss in fp32).
Serves requests on stdin, one per line, so that the benchmark can alternate our steps with PyTorch's (both then
see the same load on a shared machine): "step" runs one step and prints its milliseconds; "profile" prints one
JSON object {torch, threads, params, profile: [[op, self ms, calls], ...]} for one profiled step; "quit" exits.
"""
import argparse
import json
import sys
import time

import torch

from models_torch import Dual


def main():
    p = argparse.ArgumentParser()
    for name in ("threads", "batch", "size"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    p.add_argument("--arch", choices=("resnet18", "vgg19_bn"), default="resnet18")
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
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            logits = model(x)
        loss = loss_fn(logits.float(), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for line in sys.stdin:
        command = line.strip()
        if command == "step":
            t = time.perf_counter()
            step()
            print((time.perf_counter() - t) * 1000, flush=True)
        elif command == "profile":
            with torch.autograd.profiler.profile() as prof:
                step()
            ops = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
            print(json.dumps({
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "params": sum(t.numel() for t in model.parameters()),
                "profile": [[e.key, e.self_cpu_time_total / 1000, e.count] for e in ops[:12]],
            }), flush=True)
        elif command == "quit":
            return
        else:
            raise SystemExit(f"unknown request {command!r}")


if __name__ == "__main__":
    main()
