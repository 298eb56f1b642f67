#!/usr/bin/env python3
"""Export a Metric3D v2 ViT model's normal head (YvanYin/Metric3D) to ONNX in facebench's
normals-onnx contract, for `facebench predict --method normals-onnx` with preset "metric3d".

Contract of the written file:
  input   'image'    float32 [1, 3, 616, 1064] (H x W), RGB, (v - [123.675, 116.28, 103.53]) /
                     [58.395, 57.12, 57.375] on 0-255 values: hubconf.py's input for the ViT models
                     (the image resized keeping its aspect ratio to fit 616 x 1064, padded with the
                     mean colour, normalised), which facebench makes from the crop
  output  'normals'  float32 [1, 4, 616, 1064]: output_dict['prediction_normal'] of
                     `pred_depth, confidence, output_dict = model.inference({'input': image})`:
                     channels 0-2 the normal, 3 its confidence; facebench cuts the pad off and
                     resizes back to the crop, as hubconf.py's example does

Normals come from the ViT models only (metric3d_vit_small, metric3d_vit_large,
metric3d_vit_giant2); the ConvNeXt models predict depth only. The repository's own
onnx/metric3d_onnx_export.py exports depth only. Alternative: the ONNX exports at
huggingface.co/onnx-community/metric3d-vit-{small,large,giant2} also return normals; check their
input (name, size, normalisation) and output names against this contract and pass them as
"input"/"output" options (see baselines/README.md) before using them.

Needs, on your machine: `pip install torch onnx` plus Metric3D's requirements (mmcv or mmengine,
timm); the model is loaded with torch.hub (from GitHub, which downloads the checkpoint, or from a
local checkout with --repo). Parts of Metric3D's decoder create tensors with device="cuda", so
export on a machine with a CUDA GPU (--device cuda, the default when one is available); the
written file runs on the CPU. Metric3D's licence applies to the weights and the exported file.

Command:
  python3 metric3d.py [--model metric3d_vit_small] [--repo /path/to/Metric3D] [--device cuda] \
      [--out metric3d_vit_small_normal.onnx] [--size 1064 616] [--opset 17]
writes the ONNX file and prints the facebench options for it, e.g.
  {"preset": "metric3d", "model": "/abs/metric3d_vit_small_normal.onnx"}
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import normals_export  # noqa: E402

SIZE = (1064, 616)  # W, H
CHANNELS = 4
MODELS = ('metric3d_vit_small', 'metric3d_vit_large', 'metric3d_vit_giant2')


def _forward(model, image):
    _depth, _confidence, output = model.inference({'input': image})
    if not isinstance(output, dict) or 'prediction_normal' not in output:
        keys = ', '.join(sorted(map(str, output))) if isinstance(output, dict) else type(output).__name__
        raise normals_export.ContractError(f"model.inference gave no output_dict['prediction_normal'] ({keys}); is this a Metric3D v2 ViT model?")
    return output['prediction_normal']


def wrap(model):
    """The contract module for an object with Metric3D's API: model.inference({'input': image}) ->
    (pred_depth, confidence, {'prediction_normal': [B, 4, H, W], ...})."""
    return normals_export.NormalsModule(model, _forward)


def load_official(name, repo, device):
    import torch
    try:
        if repo:
            repo = os.path.abspath(repo)
            if not os.path.isfile(os.path.join(repo, 'hubconf.py')):
                normals_export.fail(f'{repo}: not a Metric3D checkout (no hubconf.py); clone https://github.com/YvanYin/Metric3D and pass its folder as --repo')
            model = torch.hub.load(repo, name, source='local', pretrain=True)
        else:
            model = torch.hub.load('yvanyin/metric3d', name, pretrain=True)
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - one line for any loading failure
        normals_export.fail(f'{name}: cannot load the Metric3D model ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ""})')
    return model.to(device).eval()


def main(argv=None):
    import torch
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', default=MODELS[0], choices=MODELS, help=f'the torch.hub entry (default {MODELS[0]})')
    parser.add_argument('--repo', help='a local checkout of Metric3D (default: torch.hub from GitHub)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu', help='where to trace (default cuda when available)')
    normals_export.add_common_args(parser, None, SIZE)
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = f'{args.model}_normal.onnx'
    model = load_official(args.model, args.repo, args.device)
    normals_export.export_main(args, wrap(model), 'metric3d', CHANNELS, SIZE, device=args.device)


if __name__ == '__main__':
    main()
