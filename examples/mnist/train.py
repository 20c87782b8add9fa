"""Trains the small CNN used by the MNIST example and exports mnist.onnx.

Developer tool, not run by `make demo`. Needs torch, numpy and onnx
(Debian: python3-torch python3-numpy python3-onnx) and the digits from
fetch_digits.sh.

Usage: /usr/bin/python3 examples/mnist/train.py [CACHE_DIR] [OUT.onnx]

Last run (torch 1.13, Debian 12, CPU): 18,378 parameters, test accuracy
98.55% (1971/2000) in torch and in the exported ONNX (check_onnx.py);
mnist.onnx is 74,640 bytes. Takes about 25 s on 2 cores.
"""
import os
import sys

import numpy as np
import torch
from torch import nn

import check_onnx

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
EPOCHS = 20
BATCH = 32
MAX_SHIFT = 2  # augmentation: shift each batch by up to 2 pixels


def load(cache, split):
    labels = np.fromfile(os.path.join(cache, f"{split}_labels.u8"), np.uint8)
    images = np.fromfile(os.path.join(cache, f"{split}_images.u8"), np.uint8)
    images = images.reshape(len(labels), 1, 28, 28).astype(np.float32) / 255
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 16, 5),  # 16 x 24 x 24
        nn.ReLU(),
        nn.MaxPool2d(2),  # 16 x 12 x 12
        nn.Conv2d(16, 32, 5),  # 32 x 8 x 8
        nn.ReLU(),
        nn.MaxPool2d(2),  # 32 x 4 x 4
        nn.Flatten(),  # 512
        nn.Linear(512, 10),
    )


def evaluate(model, x, y):
    """Returns the number of correctly classified digits."""
    model.eval()
    with torch.no_grad():
        return int((model(x).argmax(1) == y).sum())


def main():
    cache = sys.argv[1] if len(sys.argv) > 1 else "build/cache/mnist"
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "mnist.onnx")
    torch.manual_seed(SEED)
    x_train, y_train = load(cache, "train")
    x_test, y_test = load(cache, "test")

    model = make_model()
    print("parameters:", sum(p.numel() for p in model.parameters()))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(y_train))
        total = 0.0
        for i in range(0, len(order), BATCH):
            idx = order[i : i + BATCH]
            # Digits have an empty border of >= 4 pixels, so rolling is a shift.
            dy, dx = torch.randint(-MAX_SHIFT, MAX_SHIFT + 1, (2,)).tolist()
            x = torch.roll(x_train[idx], (dy, dx), (2, 3))
            opt.zero_grad()
            loss = loss_fn(model(x), y_train[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        print(f"epoch {epoch + 1}: mean loss {total / len(y_train):.4f}")

    n = len(y_test)
    correct = evaluate(model, x_test, y_test)
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 28, 28),
        out,
        opset_version=13,
        input_names=["input"],
        output_names=["logits"],
        do_constant_folding=True,
    )
    onnx_correct, _ = check_onnx.correct(out, cache)
    print(f"torch test accuracy: {100 * correct / n:.2f}% ({correct}/{n})")
    print(f"onnx (numpy) test accuracy: {100 * onnx_correct / n:.2f}% ({onnx_correct}/{n})")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
    if correct < 0.97 * n or onnx_correct != correct:
        sys.exit("accuracy check failed")


if __name__ == "__main__":
    main()
