"""PyTorch CPU peer of bench/classify.ts: the same ensemble of dual ResNet18 classifiers on the same stamps, doing
the per-object work `starcluster classify` does around inference.

Model: two torchvision resnet18 (fc replaced by a fresh Linear(512, 1000)) on channels 0-2 and 3-5, concatenated,
Linear(2000, 4), softmax; eval mode, no autograd. Per batch: |v| / max|v| rescaling per stamp (the cpu profile's
stamp-absmax), five bands plus a zero channel, every model on the batch. Per object: mean and population std of
the probabilities over models, argmax of the mean, the models' vote (ties to the higher mean), entropy of the mean
and mutual information. Timed from the first batch to the last verdict; models are built before.

usage: classify_torch.py --stamps FILE --objects N --size S --models M --batch B --threads T
  FILE: float32 little-endian, [N][5][S][S] (band-major stamps, as bench/classify.ts writes them)
Prints one JSON object {torch, threads, objects, models, seconds, classes: objects per class by argmax of the mean}.
"""
import argparse
import json
import time

import numpy as np
import torch

from models_torch import Dual


def entropy(p):
    return -(torch.where(p > 0, p * torch.log(p), torch.zeros_like(p))).sum(-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--stamps", required=True)
    for name in ("objects", "size", "models", "batch", "threads"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    stamps = np.fromfile(a.stamps, dtype="<f4").reshape(a.objects, 5, a.size, a.size)
    models = [Dual("resnet18").eval() for _ in range(a.models)]
    classes = [0, 0, 0, 0]
    start = time.perf_counter()
    with torch.no_grad():
        for s in range(0, a.objects, a.batch):
            x = torch.from_numpy(stamps[s:s + a.batch])
            peak = x.abs().amax(dim=(1, 2, 3), keepdim=True)
            x = torch.where(peak > 0, x.abs() / peak, torch.zeros_like(x))
            x = torch.cat([x, torch.zeros(x.shape[0], 1, a.size, a.size)], 1)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                logits = [m(x).float() for m in models]
            probs = torch.stack([torch.softmax(z, 1) for z in logits]).double()  # [model, object, class]
            mean = probs.mean(0)
            std = probs.std(0, unbiased=False)
            best = mean.argmax(1)
            votes = torch.nn.functional.one_hot(probs.argmax(2), 4).sum(0)
            mode = (votes + mean * 0.5).argmax(1)  # more votes first; among equal votes the higher mean (< 0.5 apart)
            h = entropy(mean)
            mi = (h - entropy(probs).mean(0)).clamp(min=0)
            mode_votes = votes.gather(1, mode[:, None])[:, 0]
            assert std.shape == mi.shape + (4,) and mode_votes.min() >= 1
            for c in best.tolist():
                classes[c] += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "objects": a.objects, "models": a.models, "seconds": seconds, "classes": classes}))


if __name__ == "__main__":
    main()
