#!/usr/bin/env python3
"""Random depth-3 ReLU MLPs on digits-sized inputs, for Hanin & Rolnick's region statistics.

Writes hr_w<width>.safetensors for widths 8, 16, 32, 64, 128: nn.Sequential(Linear(64, w), ReLU, Linear(w, w), ReLU,
Linear(w, w), ReLU, Linear(w, 10)) at PyTorch's default initialisation (torch.manual_seed(seed + width)), the
nets of "Complexity of linear regions in deep networks" (Hanin & Rolnick 2019) at the digits' 64 inputs.

    python3 scripts/make_hanin_rolnick_nets.py --out /tmp/hanin-rolnick
    regionplot slice --model /tmp/hanin-rolnick/hr_w8.safetensors --family ... --through-random 20 \
        --data /work/shared/examples/digits_test_x.npy --out /tmp/hr-planes

regionplot's `--init` draws the same distribution from its own generator; both are reported in docs/papers.md.
"""
import argparse
import os

import torch
from safetensors.torch import save_file


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="/tmp/hanin-rolnick")
    parser.add_argument("--widths", default="8,16,32,64,128")
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--inputs", type=int, default=64)
    parser.add_argument("--outputs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for width in [int(w) for w in args.widths.split(",")]:
        torch.manual_seed(args.seed + width)
        layers, fan_in = [], args.inputs
        for _ in range(args.depth):
            layers += [torch.nn.Linear(fan_in, width), torch.nn.ReLU()]
            fan_in = width
        layers.append(torch.nn.Linear(fan_in, args.outputs))
        model = torch.nn.Sequential(*layers).double()
        tensors = {k: v.float().contiguous() for k, v in model.state_dict().items()}
        path = os.path.join(args.out, f"hr_w{width}.safetensors")
        save_file(tensors, path)
        print("wrote", path)


if __name__ == "__main__":
    main()
