"""A tiny stand-in for a Pixel3DMM network (same calling convention, known outputs), exported
with baselines/pixel3dmm/export_onnx.py's export function. Usage: p3dmm_standin.py OUT_DIR SIZE."""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'baselines', 'pixel3dmm'))
from export_onnx import export_network, strip_backbone_normalisation  # noqa: E402


class Processor(torch.nn.Module):
    """Stands for the backbone's own normalisation, which the export removes."""

    def forward(self, x):
        return x * 1000.0


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.processor = Processor()

    def forward(self, x):
        return self.processor(x)


class StandIn(torch.nn.Module):
    """uv_map = (2·red − 1, green − blue); normals = (red, −1, 0.5): pixelwise, [B, V, C, H, W]."""

    def __init__(self):
        super().__init__()
        self.img_encoder = Encoder()

    def forward(self, batch):
        rgb = batch['tar_rgb']  # B, V, H, W, 3
        x = self.img_encoder(rgb.permute(0, 1, 4, 2, 3).flatten(0, 1))  # B·V, 3, H, W
        r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
        uv = torch.cat([2 * r - 1, g - b], dim=1).unsqueeze(1)
        normals = torch.cat([r, -torch.ones_like(r), 0.5 * torch.ones_like(r)], dim=1).unsqueeze(1)
        return {'uv_map': uv, 'normals': normals}, None


if __name__ == '__main__':
    out, size = sys.argv[1], int(sys.argv[2])
    net = StandIn().eval()
    assert strip_backbone_normalisation(net)
    export_network(net, 'uv_map', os.path.join(out, 'uv.onnx'), size=size, opset=13)
    export_network(net, 'normals', os.path.join(out, 'normals.onnx'), size=size, opset=13)
    print('ok')
