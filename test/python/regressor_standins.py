"""Tiny stand-ins for DECA, EMOCA v2, MICA and SMIRK (same calling conventions as the official
models, outputs of the real sizes that are known functions of the input), exported with the
scripts in baselines/onnx-regressor/export (their wrap + common.export_regressor).

Usage: regressor_standins.py OUT_DIR [SIZE]   (writes deca.onnx, emoca-v2.onnx, mica.onnx,
smirk.onnx; SIZE defaults to 16 for every model).

With m_c the mean over the pixels of channel c of the network input and b the method's bias
(deca 0, emoca-v2 1, smirk 2, mica 3):
  shape[k] = (k+1)·0.01·m_{k mod 3} + 0.001·k + 0.1·b
  exp[k]   = 0.02·m_{(k+1) mod 3} − 0.003·k + 0.1·b
  jaw[k]   = 0.1·m_k + 0.05·(k+1) + 0.1·b
MICA: f = (m_0, m_1, m_2, 1, 0, …) (512), z = f / |f| (MICA's encode normalises), and
  shape[k] = (k+1)·0.01·z_{k mod 3} + 0.001·k·z_3 + 0.3
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'baselines', 'onnx-regressor', 'export'))
import common  # noqa: E402
import deca  # noqa: E402
import emoca_v2  # noqa: E402
import mica  # noqa: E402
import smirk  # noqa: E402


def linear_of_means(n, weight, const):
    """A Linear 3 -> n with weight[k, c] = weight(k, c) and bias[k] = const(k)."""
    layer = torch.nn.Linear(3, n)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[weight(k, c) for c in range(3)] for k in range(n)], dtype=torch.float32))
        layer.bias.copy_(torch.tensor([const(k) for k in range(n)], dtype=torch.float32))
    return layer


class Coefficients(torch.nn.Module):
    """image -> (shape [B, n_shape], exp [B, 50], jaw [B, 3]) by the formulas above."""

    def __init__(self, n_shape, bias):
        super().__init__()
        b = 0.1 * bias
        self.shape = linear_of_means(n_shape, lambda k, c: (k + 1) * 0.01 if c == k % 3 else 0.0, lambda k: 0.001 * k + b)
        self.exp = linear_of_means(50, lambda k, c: 0.02 if c == (k + 1) % 3 else 0.0, lambda k: -0.003 * k + b)
        self.jaw = linear_of_means(3, lambda k, c: 0.1 if c == k else 0.0, lambda k: 0.05 * (k + 1) + b)

    def forward(self, image):
        m = image.mean(dim=(2, 3))
        return self.shape(m), self.exp(m), self.jaw(m)


class DecaStandIn(torch.nn.Module):
    """DECA's encode(images, use_detail) -> codedict with shape/tex/exp/pose/cam/light."""

    def __init__(self):
        super().__init__()
        self.coefficients = Coefficients(100, 0)

    def encode(self, images, use_detail=True):
        shape, exp, jaw = self.coefficients(images)
        batch = images.shape[0]
        global_pose = -0.5 * jaw  # must not end up in 'jaw'
        code = {'shape': shape, 'tex': torch.zeros(batch, 50), 'exp': exp, 'pose': torch.cat([global_pose, jaw], dim=1),
                'cam': torch.ones(batch, 3), 'light': torch.zeros(batch, 9, 3), 'images': images}
        if use_detail:
            code['detail'] = torch.zeros(batch, 128)
        return code


class EmocaStandIn(torch.nn.Module):
    """EMOCA's encode({'image': images}, training) -> shapecode/texcode/expcode/posecode/…"""

    def __init__(self):
        super().__init__()
        self.coefficients = Coefficients(100, 1)

    def encode(self, batch, training=True):
        images = batch['image']
        shape, exp, jaw = self.coefficients(images)
        n = images.shape[0]
        return {'shapecode': shape, 'texcode': torch.zeros(n, 50), 'expcode': exp, 'posecode': torch.cat([jaw + 1.0, jaw], dim=1),
                'cam': torch.ones(n, 3), 'lightcode': torch.zeros(n, 9, 3), 'detailcode': torch.zeros(n, 128), 'images': images}


class SmirkStandIn(torch.nn.Module):
    """SmirkEncoder: forward(img) -> dict of pose_params, cam, shape_params, expression_params, eyelid_params, jaw_params."""

    def __init__(self):
        super().__init__()
        self.coefficients = Coefficients(300, 2)

    def forward(self, img):
        shape, exp, jaw = self.coefficients(img)
        n = img.shape[0]
        return {'pose_params': 2.0 * jaw, 'cam': torch.ones(n, 3), 'shape_params': shape, 'expression_params': exp,
                'eyelid_params': torch.zeros(n, 2), 'jaw_params': jaw}


class MicaGenerator(torch.nn.Module):
    """MICA's flameModel: a regressor (mapping network) from the 512-d identity to 300 coefficients."""

    def __init__(self):
        super().__init__()
        self.regress = True
        self.regressor = torch.nn.Linear(512, 300)
        with torch.no_grad():
            self.regressor.weight.zero_()
            for k in range(300):
                self.regressor.weight[k, k % 3] = (k + 1) * 0.01
                self.regressor.weight[k, 3] = 0.001 * k
            self.regressor.bias.fill_(0.3)


class MicaStandIn(torch.nn.Module):
    """MICA's encode(images, arcface_imgs) -> {'arcface': F.normalize(arcface(arcface_imgs)), 'images': images}."""

    def __init__(self):
        super().__init__()
        self.flameModel = MicaGenerator()

    def arcface(self, x):
        m = x.mean(dim=(2, 3))
        return torch.cat([m, torch.ones(x.shape[0], 1), torch.zeros(x.shape[0], 508)], dim=1)

    def encode(self, images, arcface_imgs):
        return {'arcface': F.normalize(self.arcface(arcface_imgs)), 'images': images}


if __name__ == '__main__':
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    for script, model, name in [(deca, DecaStandIn(), 'deca.onnx'), (emoca_v2, EmocaStandIn(), 'emoca-v2.onnx'),
                                (mica, MicaStandIn(), 'mica.onnx'), (smirk, SmirkStandIn(), 'smirk.onnx')]:
        module = script.wrap(model)
        path = os.path.join(out, name)
        common.export_regressor(module, path, size=size, outputs=script.OUTPUTS, opset=17)
        common.check_against(module, path, size)
    print('ok')
