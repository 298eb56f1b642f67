#!/usr/bin/env python3
"""Export SMIRK's encoder (georgeretsi/smirk) to ONNX in facebench's named-regressor contract.

Contract of the written file:
  input   'image'  float32 [1, 3, 224, 224], NCHW, RGB in [0, 1] (image / 255, no mean/std):
                   SMIRK's 224 face crop, which facebench makes before the network
  outputs 'shape'  float32 [1, 300]  FLAME shape coefficients      (outputs['shape_params'])
          'exp'    float32 [1, 50]   FLAME expression coefficients (outputs['expression_params'])
          'jaw'    float32 [1, 3]    jaw axis-angle                (outputs['jaw_params'])
The network is `SmirkEncoder()(image)` of src/smirk_encoder.py. Its other outputs are dropped:
pose_params and cam (facebench evaluates the canonical face) and eyelid_params: SMIRK adds its own
eyelid blendshapes (assets/l_eyelid.npy, r_eyelid.npy) to FLAME, and plain FLAME 2020 has no
eyelid blendshapes, so a FLAME 2020 target cannot use them.

Needs, on your machine: a checkout of https://github.com/georgeretsi/smirk with its requirements
(timm), the trained model trained_models/SMIRK_em1.pt as its README says, and
`pip install torch onnx` (onnxruntime optional: the export is then compared with torch). The
timm backbones are built without downloading ImageNet weights: the checkpoint replaces them.

Command:
  python3 smirk.py --repo /path/to/smirk [--checkpoint /path/to/smirk/trained_models/SMIRK_em1.pt] \
      [--out smirk.onnx] [--opset 17]
writes the ONNX file (default ./smirk.onnx) and prints a facebench regressor config for it.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SIZE = 224
OUTPUTS = {'shape': 300, 'exp': 50, 'jaw': 3}


def _forward(model, image):
    return model(image)


def wrap(model):
    """The contract module for a callable with SmirkEncoder's API: model(image) ->
    {'shape_params': [B,300], 'expression_params': [B,50], 'jaw_params': [B,3], ...}."""
    return common.RegressorModule(model, _forward, {'shape': 'shape_params', 'exp': 'expression_params', 'jaw': 'jaw_params'})


def load_official(args):
    repo = common.add_repo(args.repo, 'src/smirk_encoder.py', 'SMIRK', 'https://github.com/georgeretsi/smirk')
    checkpoint = os.path.abspath(args.checkpoint or os.path.join(repo, 'trained_models', 'SMIRK_em1.pt'))
    common.require_file(checkpoint, "SMIRK's trained model SMIRK_em1.pt; see SMIRK's README, or pass --checkpoint")
    import torch
    with common.inside(repo):
        import src.smirk_encoder as smirk_encoder
        build_backbone = smirk_encoder.create_backbone
        smirk_encoder.create_backbone = lambda name, pretrained=True: build_backbone(name, pretrained=False)
        try:
            encoder = smirk_encoder.SmirkEncoder()
        finally:
            smirk_encoder.create_backbone = build_backbone
        state = torch.load(checkpoint, map_location='cpu')
        # as SMIRK's demo.py: the checkpoint holds the encoder and the generator
        encoder_state = {k.replace('smirk_encoder.', ''): v for k, v in state.items() if 'smirk_encoder' in k}
        if not encoder_state:
            common.fail(f"{checkpoint}: no 'smirk_encoder.' entries; is this a SMIRK checkpoint?")
        encoder.load_state_dict(encoder_state)
    return encoder.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    common.add_common_args(parser, 'smirk.onnx')
    parser.add_argument('--checkpoint', help='SMIRK_em1.pt (default REPO/trained_models/SMIRK_em1.pt)')
    args = parser.parse_args(argv)
    common.export_main(args, load_official, wrap, SIZE, OUTPUTS, 'smirk')


if __name__ == '__main__':
    main()
