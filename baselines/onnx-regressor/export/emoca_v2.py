#!/usr/bin/env python3
"""Export EMOCA v2's coarse encoders (radekd91/emoca) to ONNX in facebench's named-regressor contract.

Contract of the written file:
  input   'image'  float32 [1, 3, 224, 224], NCHW, RGB in [0, 1] (image / 255, no mean/std):
                   the DECA-style 224 face crop, which facebench makes before the network
  outputs 'shape'  float32 [1, 100]  FLAME shape coefficients (codedict['shapecode'], from the
                                     frozen DECA encoder E_flame)
          'exp'    float32 [1, 50]   FLAME expression coefficients (codedict['expcode'], from
                                     EMOCA's own expression encoder E_expression)
          'jaw'    float32 [1, 3]    jaw axis-angle = codedict['posecode'][:, 3:6]
                                     (posecode = DECA's global 3 | EMOCA's jaw 3)
The network is `emoca.encode({'image': images}, training=False)` of gdl/models/DECA.py (DecaModule),
with the model loaded as the official demos do: gdl_apps/EMOCA/utils/load.py
`load_model(path_to_models, model_name, 'detail')`.

Needs, on your machine: a checkout of https://github.com/radekd91/emoca installed as its README
says (the `gdl` package and its requirements), the EMOCA assets and models downloaded with
gdl_apps/EMOCA/demos/download_assets.sh (assets/EMOCA/models/EMOCA_v2_lr_mse_20/cfg.yaml and
detail/checkpoints/, assets/FLAME, assets/DECA), and `pip install torch onnx` (onnxruntime
optional: the export is then compared with torch).

Command:
  python3 emoca_v2.py --repo /path/to/emoca [--models /path/to/emoca/assets/EMOCA/models] \
      [--model-name EMOCA_v2_lr_mse_20] [--out emoca-v2.onnx] [--opset 17]
writes the ONNX file (default ./emoca-v2.onnx) and prints a facebench regressor config for it.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SIZE = 224
OUTPUTS = {'shape': 100, 'exp': 50, 'jaw': 3}
DEFAULT_MODEL = 'EMOCA_v2_lr_mse_20'


def _encode(model, image):
    return model.encode({'image': image}, training=False)


def wrap(model):
    """The contract module for an object with EMOCA's API: model.encode({'image': images},
    training=False) -> {'shapecode': [B,100], 'expcode': [B,50], 'posecode': [B,6], ...}."""
    return common.RegressorModule(model, _encode, {'shape': 'shapecode', 'exp': 'expcode', 'jaw': ('posecode', 3, 6)})


def load_official(args):
    repo = common.add_repo(args.repo, 'gdl_apps/EMOCA/utils/load.py', 'EMOCA', 'https://github.com/radekd91/emoca')
    models = os.path.abspath(args.models or os.path.join(repo, 'assets', 'EMOCA', 'models'))
    common.require_file(os.path.join(models, args.model_name, 'cfg.yaml'),
                        f'EMOCA model {args.model_name}; download it with gdl_apps/EMOCA/demos/download_assets.sh, or pass --models/--model-name')
    with common.inside(repo), common.cpu_torch_load():
        from gdl_apps.EMOCA.utils.load import load_model
        try:
            emoca, _ = load_model(models, args.model_name, 'detail')
        except SystemExit:  # load_model exits when it finds no checkpoint
            emoca = None
    if emoca is None:
        common.fail(f'{os.path.join(models, args.model_name)}: no detail checkpoint found by load_model')
    return emoca.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    common.add_common_args(parser, 'emoca-v2.onnx')
    parser.add_argument('--models', help='folder with the EMOCA models (default REPO/assets/EMOCA/models)')
    parser.add_argument('--model-name', default=DEFAULT_MODEL, help=f'model folder name (default {DEFAULT_MODEL})')
    args = parser.parse_args(argv)
    common.export_main(args, load_official, wrap, SIZE, OUTPUTS, 'emoca-v2')


if __name__ == '__main__':
    main()
