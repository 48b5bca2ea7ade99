"""PyTorch CPU peer for bench/models.ts and bench/backend.ts: forward pass (eval) of the paper's dual classifiers.

usage: models_torch.py --threads N --batch B CONFIG...   CONFIG: arch:size, e.g. resnet18:64
Serves requests on stdin, one per line, so that the benchmark can alternate our passes with PyTorch's: "CONFIG"
runs one forward pass of that model and prints its milliseconds; "info" prints {torch, threads}; "quit" exits.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torchvision


class Dual(nn.Module):
    """Two torchvision backbones on channels 0-2 and 3-5, last layers replaced (fresh Linear to 1000), concat, Linear to 4."""

    def __init__(self, arch):
        super().__init__()
        make = {"resnet18": torchvision.models.resnet18, "vgg19_bn": torchvision.models.vgg19_bn}[arch]
        self.backbones = nn.ModuleList([make(), make()])
        for b in self.backbones:
            if arch == "resnet18":
                b.fc = nn.Linear(512, 1000)
            else:
                b.classifier[6] = nn.Linear(4096, 1000)
        self.head = nn.Linear(2000, 4)

    def forward(self, x):
        return self.head(torch.cat([b(x[:, 3 * i:3 * i + 3]) for i, b in enumerate(self.backbones)], 1))


def main():
    p = argparse.ArgumentParser()
    for name in ("threads", "batch"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("configs", nargs="+")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    models = {}
    for config in a.configs:
        arch, size = config.split(":")
        models[config] = (Dual(arch).eval(), torch.rand(a.batch, 6, int(size), int(size)))
    for line in sys.stdin:
        command = line.strip()
        if command in models:
            model, x = models[command]
            with torch.no_grad():
                t = time.perf_counter()
                model(x)
                print((time.perf_counter() - t) * 1000, flush=True)
        elif command == "info":
            print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        elif command == "quit":
            return
        else:
            raise SystemExit(f"unknown request {command!r}")


if __name__ == "__main__":
    main()
