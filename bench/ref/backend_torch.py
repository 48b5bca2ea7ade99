"""PyTorch CPU reference for bench/backend.ts: ResNet18 training step (forward, backward, Adam) and inference.

Prints one JSON object: median milliseconds per batch for both, the thread count and the parameter count.
"""
import argparse
import json
import statistics
import time

import torch
import torchvision


def median_ms(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    for name in ("threads", "batch", "size", "classes", "warmup", "steps"):
        p.add_argument("--" + name, type=int, required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=a.classes)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = torch.randint(0, a.classes, (a.batch,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def train_step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    model.train()
    train = median_ms(train_step, a.warmup, a.steps)
    model.eval()
    with torch.no_grad():
        infer = median_ms(lambda: model(x), a.warmup, a.steps)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "params": sum(t.numel() for t in model.parameters()),
        "train_ms": train,
        "infer_ms": infer,
    }))


if __name__ == "__main__":
    main()
