"""The optimum of baseline.ts's softmax regression, by PyTorch's L-BFGS in float64.

stdin: JSON {"features": [[...]], "labels": [...], "classes": k, "l2": l2}. Features are standardised as
fitLogistic does (mean, population std; 1 where the std is 0); the objective is the mean softmax cross-entropy plus
l2 * sum(W^2) (the bias unpenalised). stdout: JSON {"weights": [[f x k]], "bias": [k], "loss": value}.
"""
import json
import sys

import torch

spec = json.load(sys.stdin)
x = torch.tensor(spec["features"], dtype=torch.float64)
y = torch.tensor(spec["labels"], dtype=torch.long)
k, l2 = spec["classes"], spec["l2"]
std = x.std(dim=0, unbiased=False)
std[std == 0] = 1
x = (x - x.mean(dim=0)) / std

w = torch.zeros(x.shape[1], k, dtype=torch.float64, requires_grad=True)
b = torch.zeros(k, dtype=torch.float64, requires_grad=True)
opt = torch.optim.LBFGS([w, b], lr=1, max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-15,
                        line_search_fn="strong_wolfe")


def objective():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(x @ w + b, y) + l2 * (w ** 2).sum()
    loss.backward()
    return loss


for _ in range(5):
    opt.step(objective)
print(json.dumps({"weights": w.detach().tolist(), "bias": b.detach().tolist(), "loss": objective().item()}))
