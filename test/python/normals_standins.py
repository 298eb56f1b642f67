"""Tiny stand-ins for Sapiens' TorchScript normal checkpoint and Metric3D v2's torch.hub model (the
official calling conventions, outputs that are known functions of the input), exported with the
scripts in baselines/normals-onnx/export through their own loading paths (sapiens.py loads a
TorchScript file with torch.jit.load; metric3d.py a local hub repository whose hubconf.py is
written here).

Usage: normals_standins.py OUT_DIR W H   (writes sapiens.onnx and metric3d.onnx for input W x H;
prints each script's options line, then 'ok').

Per pixel, with x the 3 input channels: conv_k(x) = sum_c WEIGHTS[k][c] * x_c + BIAS[k].
  Sapiens stand-in:  normals = 2x2 average pool of conv_{0..2}   -> [1, 3, H/2, W/2]
  Metric3D stand-in: prediction_normal = conv_{0..3}             -> [1, 4, H, W]
"""
import os
import sys

import torch

EXPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'baselines', 'normals-onnx', 'export')
sys.path.insert(0, EXPORT)
import metric3d  # noqa: E402
import sapiens  # noqa: E402

WEIGHTS = [[0.8, -0.3, 0.1], [0.2, 0.5, -0.4], [0.1, 0.2, 0.9], [0.3, 0.3, 0.3]]
BIAS = [0.1, -0.2, -1.5, 0.5]


def conv(channels):
    layer = torch.nn.Conv2d(3, channels, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(WEIGHTS[:channels], dtype=torch.float32).reshape(channels, 3, 1, 1))
        layer.bias.copy_(torch.tensor(BIAS[:channels], dtype=torch.float32))
    return layer


class SapiensStandIn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = conv(3)

    def forward(self, x):
        return torch.nn.functional.avg_pool2d(self.conv(x), 2)


HUBCONF = '''"""A stand-in Metric3D hub repository (test/python/normals_standins.py)."""
import torch

dependencies = ['torch']
WEIGHTS = %r
BIAS = %r


class Metric3DStandIn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 1)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor(WEIGHTS, dtype=torch.float32).reshape(4, 3, 1, 1))
            self.conv.bias.copy_(torch.tensor(BIAS, dtype=torch.float32))

    def inference(self, data):
        normal = self.conv(data['input'])
        depth = normal[:, :1] * 0 + 1
        return depth, depth, {'prediction': depth, 'prediction_normal': normal}


def metric3d_vit_small(pretrain=False, **kwargs):
    return Metric3DStandIn().eval()
''' % (WEIGHTS, BIAS)


def main():
    out, width, height = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, 'sapiens_standin_torchscript.pt2')
    torch.jit.save(torch.jit.script(SapiensStandIn().eval()), checkpoint)
    sapiens.main(['--checkpoint', checkpoint, '--out', os.path.join(out, 'sapiens.onnx'), '--size', width, height])
    repo = os.path.join(out, 'metric3d-repo')
    os.makedirs(repo, exist_ok=True)
    with open(os.path.join(repo, 'hubconf.py'), 'w') as f:
        f.write(HUBCONF)
    metric3d.main(['--repo', repo, '--device', 'cpu', '--out', os.path.join(out, 'metric3d.onnx'), '--size', width, height])
    print('ok')


if __name__ == '__main__':
    main()
