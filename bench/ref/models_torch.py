"""PyTorch CPU reference for bench/models.ts: forward pass (eval) of the paper's dual classifiers.

usage: models_torch.py --threads N --batch B --warmup W --steps S CONFIG...   CONFIG: arch:size, e.g. resnet18:64
Prints one JSON object {torch, threads, results: {CONFIG: median ms}}.
"""
import argparse
import json
import statistics
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
    for name in ("threads", "batch", "warmup", "steps"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("configs", nargs="+")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    results = {}
    for config in a.configs:
        arch, size = config.split(":")
        model = Dual(arch).eval()
        x = torch.rand(a.batch, 6, int(size), int(size))
        times = []
        with torch.no_grad():
            for i in range(a.warmup + a.steps):
                t = time.perf_counter()
                model(x)
                if i >= a.warmup:
                    times.append((time.perf_counter() - t) * 1000)
        results[config] = statistics.median(times)
        del model
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
