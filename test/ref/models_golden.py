"""Golden reference for lib/models: torchvision's resnet18 / vgg19_bn and the paper's dual classifier in PyTorch.

usage: models_golden.py CASE OUTDIR     CASE: resnet18 | vgg19_bn | pool | dual_adam | adam | dual_features

Writes safetensors files (by hand: Debian has no safetensors package) in torch layout (NCHW, OIHW, [out, in]):
  <case>_state.safetensors   the model's state dict exactly as torchvision names it (the importer's input)
  <case>_io.safetensors      inputs, outputs, gradients, state after a step
For vgg19_bn also vgg19_bn_timm.safetensors: the same weights renamed and reshaped as timm stores them.
BN affine parameters, running statistics and biases are randomised first, so a wrong layout or a mixed-up
buffer changes the outputs.
"""
import json
import struct
import sys

import torch
import torch.nn as nn
import torchvision

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save_safetensors(path, tensors, metadata=None):
    tensors = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    header = {"__metadata__": metadata} if metadata else {}
    offset = 0
    for name, t in tensors.items():
        n = t.numel() * t.element_size()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for t in tensors.values():
            f.write(t.numpy().tobytes() if t.numel() else b"")


def randomise(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(7)
            elif isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
                m.bias.normal_(0, 0.1)


def buffers_after(model):
    return {f"after.{k}": v for k, v in model.state_dict().items() if "running" in k or "num_batches" in k}


def single(arch, outdir):
    torch.manual_seed(0)
    if arch == "resnet18":
        model = torchvision.models.resnet18()
        x = torch.randn(2, 3, 50, 50)  # odd sizes: 50 -> 25 -> 13 -> 7 -> 4 -> 2 exercises the padding
    else:
        model = torchvision.models.vgg19_bn(dropout=0.0)  # train-mode comparison without random dropout masks
        x = torch.randn(2, 3, 64, 64)  # features end at 2x2: adaptive pooling replicates to 7x7
    randomise(model)
    state = model.state_dict()
    save_safetensors(f"{outdir}/{arch}_state.safetensors", state)
    if arch == "vgg19_bn":
        timm = {}
        for k, v in state.items():
            if "num_batches_tracked" in k:
                continue  # torchvision's original VGG checkpoints predate this buffer
            if k == "classifier.0.weight":
                v = v.reshape(-1, 512, 7, 7)
            if k == "classifier.3.weight":
                v = v.reshape(-1, 4096, 1, 1)
            k = k.replace("classifier.0", "pre_logits.fc1").replace("classifier.3", "pre_logits.fc2").replace("classifier.6", "head.fc")
            timm[k] = v
        save_safetensors(f"{outdir}/vgg19_bn_timm.safetensors", timm)
    with torch.no_grad():
        model.eval()
        eval_logits = model(x)
        model.train()
        train_logits = model(x)
    io = {"x": x, "eval_logits": eval_logits, "train_logits": train_logits, **buffers_after(model)}
    io["params"] = torch.tensor(sum(p.numel() for p in model.parameters()))
    if arch == "vgg19_bn":
        # 50 px inputs end in 1x1 features, which adaptive pooling copies to all 49 cells; after the train-mode
        # pass above (running statistics updated): eval logits and part of classifier.0's weight gradient.
        model.eval()
        x50 = torch.randn(2, 3, 50, 50)
        logits50 = model(x50)
        logits50.pow(2).sum().backward()
        io.update({"x50": x50, "eval_logits50": logits50.detach(), "grad50": model.classifier[0].weight.grad[:8, :98].clone()})
    save_safetensors(f"{outdir}/{arch}_io.safetensors", io)


def pool(outdir):
    torch.manual_seed(1)
    io = {}
    for i, (shape, out) in enumerate([((2, 3, 9, 9), (7, 7)), ((2, 3, 2, 2), (7, 7)), ((1, 4, 13, 6), (7, 7)), ((1, 2, 1, 1), (7, 7)), ((1, 2, 7, 7), (7, 7))]):
        x = torch.randn(*shape)
        io[f"x{i}"] = x
        io[f"y{i}"] = nn.functional.adaptive_avg_pool2d(x, out)
    save_safetensors(f"{outdir}/pool_io.safetensors", io)


class Dual(nn.Module):
    """The paper's dual classifier: two resnet18, each fc replaced by a fresh Linear(512, 1000), concat, Linear(2000, 4)."""

    def __init__(self):
        super().__init__()
        self.backbones = nn.ModuleList([torchvision.models.resnet18(), torchvision.models.resnet18()])
        for b in self.backbones:
            b.fc = nn.Linear(512, 1000)
        self.head = nn.Linear(2000, 4)

    def forward(self, x):
        return self.head(torch.cat([b(x[:, 3 * i:3 * i + 3]) for i, b in enumerate(self.backbones)], 1))


def dual_adam(outdir):
    torch.manual_seed(2)
    model = Dual()
    x = torch.rand(4, 6, 64, 64)
    x[:, 5] = 0  # the sixth channel is constant zero
    labels = torch.tensor([0, 3, 1, 2])
    save_safetensors(f"{outdir}/dual_adam_state.safetensors", model.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    model.train()
    logits = model(x)
    loss = nn.functional.cross_entropy(logits, labels)
    loss.backward()
    optimizer.step()
    io = {"x": x, "labels": labels, "logits": logits, "loss": loss.reshape(1)}
    io.update({f"grad.{k}": p.grad for k, p in model.named_parameters()})
    io.update({f"after.{k}": v for k, v in model.state_dict().items()})
    save_safetensors(f"{outdir}/dual_adam_io.safetensors", io)


class DualFeatures(nn.Module):
    """Dual classifier on the backbones' pooled features: each resnet18's fc is nn.Identity, concat 1024, Linear(1024, 4)."""

    def __init__(self):
        super().__init__()
        self.backbones = nn.ModuleList([torchvision.models.resnet18(), torchvision.models.resnet18()])
        for b in self.backbones:
            b.fc = nn.Identity()
        self.head = nn.Linear(1024, 4)

    def forward(self, x):
        return self.head(torch.cat([b(x[:, 3 * i:3 * i + 3]) for i, b in enumerate(self.backbones)], 1))


def dual_features(outdir):
    torch.manual_seed(4)
    model = DualFeatures()
    randomise(model)
    x = torch.randn(2, 6, 64, 64)
    x[:, 5] = 0  # the sixth channel is constant zero
    save_safetensors(f"{outdir}/dual_features_state.safetensors", model.state_dict())
    with torch.no_grad():
        model.eval()
        eval_logits = model(x)
        model.train()
        train_logits = model(x)
    io = {"x": x, "eval_logits": eval_logits, "eval_probs": torch.softmax(eval_logits, 1), "train_logits": train_logits}
    save_safetensors(f"{outdir}/dual_features_io.safetensors", io)


def adam(outdir):
    """Three Adam steps on fixed gradients: checks the bias corrections beyond the first step."""
    torch.manual_seed(3)
    p = torch.randn(64, requires_grad=True)
    io = {"p0": p.detach().clone()}
    optimizer = torch.optim.Adam([p], lr=1e-3)
    for t in range(1, 4):
        g = torch.randn(64) * 10 ** (t - 2)
        io[f"g{t}"] = g
        p.grad = g.clone()
        optimizer.step()
    io["p3"] = p.detach().clone()
    save_safetensors(f"{outdir}/adam_io.safetensors", io)


if __name__ == "__main__":
    torch.set_num_threads(1)
    case, outdir = sys.argv[1], sys.argv[2]
    {"resnet18": lambda: single("resnet18", outdir), "vgg19_bn": lambda: single("vgg19_bn", outdir),
     "pool": lambda: pool(outdir), "dual_adam": lambda: dual_adam(outdir), "adam": lambda: adam(outdir),
     "dual_features": lambda: dual_features(outdir)}[case]()
