#!/usr/bin/env python3
"""Export MICA (Zielon/MICA) to ONNX in facebench's named-regressor contract (identity only).

Contract of the written file:
  input   'image'  float32 [1, 3, 112, 112], NCHW, RGB, (v - 127.5) / 127.5, i.e. in [-1, 1]:
                   the ArcFace blob of MICA's demo (insightface norm_crop to 112, then
                   cv2.dnn.blobFromImages(..., 1/127.5, (112, 112), (127.5,)*3, swapRB=True)),
                   which facebench makes before the network (config mean 0.5, std 0.5)
  output  'shape'  float32 [1, 300]  FLAME shape coefficients (MICA's 'pred_shape_code')
MICA predicts no expression or jaw. The network is
  identity = mica.encode(image, image)['arcface']     (= F.normalize(arcface(image)))
  shape    = mica.flameModel.regressor(identity)      (the mapping network of models/generator.py)
which is what `mica.decode(codedict)['pred_shape_code']` computes, without decode's FLAME mesh.
MICA's 224 crop ('images' in encode) is not used for the shape, so the only input is the 112 blob.

Needs, on your machine: a checkout of https://github.com/Zielon/MICA with its requirements
(yacs, loguru, chumpy for the FLAME pickle, ...), data/FLAME2020/ filled as its README says
(generic_model.pkl = FLAME 2020, plus the masks it loads), the trained model
data/pretrained/mica.tar, and `pip install torch onnx` (onnxruntime optional: the export is then
compared with torch).

Command:
  python3 mica.py --repo /path/to/MICA [--checkpoint /path/to/MICA/data/pretrained/mica.tar] \
      [--out mica.onnx] [--opset 17]
writes the ONNX file (default ./mica.onnx) and prints a facebench regressor config for it.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SIZE = 112
OUTPUTS = {'shape': 300}


def _shape(model, image):
    identity = model.encode(image, image)['arcface']
    generator = model.flameModel
    shape = generator.regressor(identity) if getattr(generator, 'regress', True) else identity
    return {'shape': shape}


def wrap(model):
    """The contract module for an object with MICA's API: model.encode(images, arcface_imgs) ->
    {'arcface': unit 512-d identity, ...} and model.flameModel.regressor: identity -> [B, 300]."""
    return common.RegressorModule(model, _shape, {'shape': 'shape'})


def load_official(args):
    repo = common.add_repo(args.repo, 'micalib/models/mica.py', 'MICA', 'https://github.com/Zielon/MICA')
    checkpoint = os.path.abspath(args.checkpoint or os.path.join(repo, 'data', 'pretrained', 'mica.tar'))
    common.require_file(checkpoint, "MICA's trained model mica.tar; see MICA's README, or pass --checkpoint")
    common.require_file(os.path.join(repo, 'data', 'FLAME2020', 'generic_model.pkl'), "FLAME 2020 generic_model.pkl, which MICA's config expects in data/FLAME2020/")
    import torch
    with common.inside(repo), common.cpu_torch_load():
        from configs.config import get_cfg_defaults
        from micalib.models.mica import MICA
        cfg = get_cfg_defaults()
        cfg.model.testing = True
        cfg.pretrained_model_path = checkpoint
        mica = MICA(cfg, 'cpu')
        state = torch.load(checkpoint, map_location='cpu')  # as MICA's demo.py load_checkpoint
        if 'arcface' not in state or 'flameModel' not in state:
            common.fail(f"{checkpoint}: not a MICA checkpoint (no 'arcface' and 'flameModel' entries)")
        mica.arcface.load_state_dict(state['arcface'])
        mica.flameModel.load_state_dict(state['flameModel'])
    return mica.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    common.add_common_args(parser, 'mica.onnx')
    parser.add_argument('--checkpoint', help='mica.tar (default REPO/data/pretrained/mica.tar)')
    args = parser.parse_args(argv)
    common.export_main(args, load_official, wrap, SIZE, OUTPUTS, 'mica')


if __name__ == '__main__':
    main()
