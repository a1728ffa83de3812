#!/usr/bin/python3
"""Reference trajectories for our optimizers and learning-rate schedules, from torch.optim (Debian's python3-torch).

Run by developers, not CI:  /usr/bin/python3 make_training_fixtures.py  (writes optimizers.json, schedules.json here).
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_default_dtype(torch.float64)


def problem():
    """A fixed least-squares problem: loss = sum((A p - b)^2) + sum(q^2 * c)."""
    g = torch.Generator().manual_seed(1234)
    a = torch.randn(4, 3, generator=g)
    b = torch.randn(4, generator=g)
    c = torch.rand(2, 2, generator=g) + 0.5
    p0 = torch.randn(3, generator=g)
    q0 = torch.randn(2, 2, generator=g)
    return a, b, c, p0, q0


def trajectory(make_optimizer, steps=6, clip=None):
    a, b, c, p0, q0 = problem()
    p = p0.clone().requires_grad_()
    q = q0.clone().requires_grad_()
    opt = make_optimizer([p, q])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((a @ p - b) ** 2).sum() + (q ** 2 * c).sum()
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([p, q], clip)
        opt.step()
        out.append({"p": p.detach().tolist(), "q": q.detach().flatten().tolist()})
    return out


a, b, c, p0, q0 = problem()
cases = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.05),
    "sgd_momentum_wd": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01, dampening=0.1),
    "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.1),
    "adam_wd": lambda ps: torch.optim.Adam(ps, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.1),
}
fixture = {
    "problem": {"a": a.tolist(), "b": b.tolist(), "c": c.flatten().tolist(), "p0": p0.tolist(), "q0": q0.flatten().tolist()},
    "trajectories": {name: trajectory(make) for name, make in cases.items()},
    "clipped_sgd": trajectory(lambda ps: torch.optim.SGD(ps, lr=0.05), clip=0.5),
}
with open(os.path.join(HERE, "optimizers.json"), "w") as f:
    json.dump(fixture, f, indent=1)


def rates(make_scheduler, steps, base=0.1):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


S = torch.optim.lr_scheduler
schedules = {
    "poly": rates(lambda o: S.PolynomialLR(o, total_iters=20, power=0.9), 25),
    "cosine": rates(lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001), 20),
    "step": rates(lambda o: S.StepLR(o, step_size=7, gamma=0.5), 25),
    "one_cycle": rates(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=30, pct_start=0.3), 30),
    "warmup_cosine": rates(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=5),
                                                        S.CosineAnnealingLR(o, T_max=15)], milestones=[5]), 20),
}
with open(os.path.join(HERE, "schedules.json"), "w") as f:
    json.dump(schedules, f, indent=1)
print("wrote optimizers.json and schedules.json")
