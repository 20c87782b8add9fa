"""Trains the small CNN used by the MNIST example and exports mnist.onnx.

Developer tool, not run by `make demo`. Needs torch, numpy and onnx
(Debian: python3-torch python3-numpy python3-onnx) and the digits from
fetch_digits.sh.

Usage: /usr/bin/python3 examples/mnist/train.py [CACHE_DIR] [OUT.onnx]
"""
import os
import sys

import numpy as np
import torch
from torch import nn

import check_onnx

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
EPOCHS = 8
BATCH = 32


def load(cache, split):
    labels = np.fromfile(os.path.join(cache, f"{split}_labels.u8"), np.uint8)
    images = np.fromfile(os.path.join(cache, f"{split}_images.u8"), np.uint8)
    images = images.reshape(len(labels), 1, 28, 28).astype(np.float32) / 255
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5),  # 8 x 24 x 24
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8 x 12 x 12
        nn.Conv2d(8, 16, 5),  # 16 x 8 x 8
        nn.ReLU(),
        nn.MaxPool2d(2),  # 16 x 4 x 4
        nn.Flatten(),  # 256
        nn.Linear(256, 10),
    )


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


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
        for i in range(0, len(order), BATCH):
            idx = order[i : i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        sched.step()
        acc = evaluate(model, x_test, y_test)
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {100 * acc:.2f}%")

    acc = evaluate(model, x_test, y_test)
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 28, 28),
        out,
        opset_version=13,
        input_names=["input"],
        output_names=["logits"],
        do_constant_folding=True,
    )
    onnx_acc = check_onnx.accuracy(out, cache)
    print(f"torch test accuracy: {100 * acc:.2f}% ({len(y_test)} digits)")
    print(f"onnx (numpy) test accuracy: {100 * onnx_acc:.2f}%")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
    if acc < 0.97 or abs(acc - onnx_acc) > 1e-9:
        sys.exit("accuracy check failed")


if __name__ == "__main__":
    main()
