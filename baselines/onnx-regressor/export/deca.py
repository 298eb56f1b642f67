#!/usr/bin/env python3
"""Export DECA's coarse encoder (yfeng95/DECA) to ONNX in facebench's named-regressor contract.

Contract of the written file:
  input   'image'  float32 [1, 3, 224, 224], NCHW, RGB in [0, 1] (image / 255, no mean/std):
                   DECA's 224 face crop, which facebench makes before the network
  outputs 'shape'  float32 [1, 100]  FLAME shape coefficients      (codedict['shape'])
          'exp'    float32 [1, 50]   FLAME expression coefficients (codedict['exp'])
          'jaw'    float32 [1, 3]    jaw axis-angle = codedict['pose'][:, 3:6]
                   (pose = global 3 | jaw 3; DECA.encode already turns an Euler jaw into
                   axis-angle when cfg.model.jaw_type == 'euler')
The network is `deca.encode(images, use_detail=False)` of decalib/deca.py.

Needs, on your machine: a checkout of https://github.com/yfeng95/DECA with its requirements
(yacs, scikit-image, opencv, chumpy for the FLAME pickle), its data/ folder filled as its README
says (data/generic_model.pkl = FLAME 2020, data/deca_model.tar), and `pip install torch onnx`
(onnxruntime optional: the export is then compared with torch). The renderer (pytorch3d or the
compiled rasterizer) is not needed: encode() does not use it, so this script skips its setup.

Command:
  python3 deca.py --repo /path/to/DECA [--checkpoint /path/to/DECA/data/deca_model.tar] \
      [--out deca.onnx] [--opset 17]
writes the ONNX file (default ./deca.onnx) and prints a facebench regressor config for it.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SIZE = 224
OUTPUTS = {'shape': 100, 'exp': 50, 'jaw': 3}


def _encode(model, image):
    return model.encode(image, use_detail=False)


def wrap(model):
    """The contract module for an object with DECA's API: model.encode(images, use_detail=False)
    -> {'shape': [B,100], 'exp': [B,50], 'pose': [B,6], ...}."""
    return common.RegressorModule(model, _encode, {'shape': 'shape', 'exp': 'exp', 'jaw': ('pose', 3, 6)})


def load_official(args):
    repo = common.add_repo(args.repo, 'decalib/deca.py', 'DECA', 'https://github.com/yfeng95/DECA')
    checkpoint = os.path.abspath(args.checkpoint or os.path.join(repo, 'data', 'deca_model.tar'))
    common.require_file(checkpoint, "DECA's trained model deca_model.tar; see DECA's README, or pass --checkpoint")
    common.require_file(os.path.join(repo, 'data', 'generic_model.pkl'), "FLAME 2020 generic_model.pkl, which DECA's config expects in its data/ folder")
    with common.inside(repo), common.cpu_torch_load():
        from decalib.deca import DECA
        from decalib.utils.config import cfg as deca_cfg
        deca_cfg.pretrained_modelpath = checkpoint
        deca_cfg.model.use_tex = False  # the texture model is not part of the export
        DECA._setup_renderer = lambda self, model_cfg: None  # encode() needs no renderer
        deca = DECA(config=deca_cfg, device='cpu')
    return deca.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    common.add_common_args(parser, 'deca.onnx')
    parser.add_argument('--checkpoint', help='deca_model.tar (default REPO/data/deca_model.tar)')
    args = parser.parse_args(argv)
    common.export_main(args, load_official, wrap, SIZE, OUTPUTS, 'deca')


if __name__ == '__main__':
    main()
