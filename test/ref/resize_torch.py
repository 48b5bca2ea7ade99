"""Bilinear resize as the paper's PyTorch pipeline does it (F.interpolate, align_corners=False, no antialias).
stdin: float32 NCHW array; argv: n c h w out_size. stdout: float32 NCHW [n, c, out, out]."""
import sys
import numpy as np
import torch
import torch.nn.functional as F

n, c, h, w, size = map(int, sys.argv[1:6])
x = torch.from_numpy(np.frombuffer(sys.stdin.buffer.read(), dtype=np.float32).reshape(n, c, h, w).copy())
y = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
sys.stdout.buffer.write(y.numpy().astype(np.float32).tobytes())
