#!/usr/bin/env python3
"""Export Pixel3DMM's UV and normal networks to ONNX in facebench's priors contract.

The contract (baselines/pixel3dmm/onnx-priors.ts, baselines/README.md):
  input  'image'  float32 [1, 3, S, S]  RGB in [0, 1], normalised (v - mean) / std with the
                                         backbone's ImageNet mean/std (S = 512)
  output 'uv'      float32 [1, 2, S, S]  the UV head's raw prediction in [-1, 1]
  output 'normals' float32 [1, 3, S, S]  the normal head's raw prediction

Usage, with the official code installed (its `pixel3dmm` package importable) and its
checkpoints downloaded:
  python3 export_onnx.py --uv-ckpt uv.ckpt --normal-ckpt normals.ckpt --out DIR
writes DIR/pixel3dmm-uv.onnx, DIR/pixel3dmm-normals.onnx and DIR/pixel3dmm-priors.json.

`export_network` works on any torch module with Pixel3DMM's calling convention:
net({'tar_rgb': [B, V, H, W, 3]}) -> ({name: [B, V, C, H, W], ...}, confidence).
"""
import argparse
import json
import os
import sys

import torch

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CHANNELS = {'uv_map': 2, 'normals': 3}
OUTPUT_NAMES = {'uv_map': 'uv', 'normals': 'normals'}


class PriorsHead(torch.nn.Module):
    """One prediction of a Pixel3DMM network as an NCHW image-to-map function."""

    def __init__(self, net, key):
        super().__init__()
        self.net = net
        self.key = key

    def forward(self, image):
        batch = {'tar_rgb': image.permute(0, 2, 3, 1).unsqueeze(1)}
        output, _ = self.net(batch)
        return output[self.key][:, 0]


def strip_backbone_normalisation(net):
    """The official backbone normalises its [0, 1] input itself; the contract normalises before
    the network, so that step becomes the identity. Returns True when it was found."""
    encoder = getattr(net, 'img_encoder', None)
    if encoder is not None and hasattr(encoder, 'processor'):
        encoder.processor = torch.nn.Identity()
        return True
    return False


def export_network(net, key, out_path, size=512, opset=17):
    """Write `net`'s `key` prediction ('uv_map' or 'normals') as an ONNX file in the contract."""
    if key not in CHANNELS:
        raise ValueError(f"key must be one of {sorted(CHANNELS)}, not {key!r}")
    head = PriorsHead(net, key).eval()
    example = torch.zeros(1, 3, size, size, dtype=torch.float32)
    with torch.no_grad():
        out = head(example)
    if tuple(out.shape[:2]) != (1, CHANNELS[key]):
        raise ValueError(f"the network's {key} output has shape {tuple(out.shape)}; expected [1, {CHANNELS[key]}, h, w]")
    with torch.no_grad():
        torch.onnx.export(head, example, out_path, input_names=['image'], output_names=[OUTPUT_NAMES[key]],
                          opset_version=opset, do_constant_folding=True)
    return out_path


def load_official(checkpoint):
    from pixel3dmm.lightning.p3dmm_system import system  # the official code, installed by the user
    model = system.load_from_checkpoint(checkpoint, strict=False, map_location='cpu')
    net = model.net.eval()
    if not strip_backbone_normalisation(net):
        sys.exit(f'{checkpoint}: the network has no img_encoder.processor to replace; is this a Pixel3DMM checkpoint?')
    return net


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--uv-ckpt', required=True, help="the official UV checkpoint (uv.ckpt)")
    parser.add_argument('--normal-ckpt', required=True, help="the official normal checkpoint (normals.ckpt)")
    parser.add_argument('--out', required=True, help='folder for the ONNX files and the priors config')
    parser.add_argument('--size', type=int, default=512)
    parser.add_argument('--opset', type=int, default=17)
    args = parser.parse_args(argv)
    for path in (args.uv_ckpt, args.normal_ckpt):
        if not os.path.isfile(path):
            sys.exit(f'{path}: no such checkpoint file')
    os.makedirs(args.out, exist_ok=True)
    uv = export_network(load_official(args.uv_ckpt), 'uv_map', os.path.join(args.out, 'pixel3dmm-uv.onnx'), args.size, args.opset)
    normals = export_network(load_official(args.normal_ckpt), 'normals', os.path.join(args.out, 'pixel3dmm-normals.onnx'), args.size, args.opset)
    config = {'uvModel': os.path.abspath(uv), 'normalModel': os.path.abspath(normals), 'inputSize': args.size,
              'mean': list(IMAGENET_MEAN), 'std': list(IMAGENET_STD), 'flip': True}
    with open(os.path.join(args.out, 'pixel3dmm-priors.json'), 'w') as f:
        json.dump(config, f, indent=2)
    print(f'wrote {uv}, {normals} and pixel3dmm-priors.json')


if __name__ == '__main__':
    main()
