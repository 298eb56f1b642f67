#!/usr/bin/env python3
"""Export a Sapiens normal model (facebookresearch/sapiens, lite) to ONNX in facebench's
normals-onnx contract, for `facebench predict --method normals-onnx` with preset "sapiens".

Contract of the written file:
  input   'image'    float32 [1, 3, 1024, 768] (H x W), RGB, (v - [123.5, 116.5, 103.5]) /
                     [58.5, 57.0, 57.5] on 0-255 values: Sapiens' demo input (lite/demo/vis_normal.py,
                     adhoc_image_dataset.py: cv2 BGR image resized to 1024 x 768 without keeping the
                     aspect ratio, reordered to RGB, normalised), which facebench makes from the crop
  output  'normals'  float32 [1, 3, h, w]: the model's normal map as it comes out (the demo then
                     upsamples it bilinearly to the image and L2-normalises it per pixel; facebench
                     does the same)

The network is the TorchScript checkpoint as the demo loads it, `torch.jit.load(path)` (the
`*_torchscript.pt2` files of lite/docs/NORMAL_README.md, e.g.
sapiens_0.3b_normal_render_people_epoch_66_torchscript.pt2); the bfloat16/float16 variants are
torch.export programs and are not handled here. Sapiens' licence applies to the weights and to
the exported file: facebench never ships them.

Needs, on your machine: the TorchScript checkpoint (download as Sapiens' lite README says) and
`pip install torch onnx` (onnxruntime optional: the export is then compared with torch). No
checkout of the Sapiens code is needed.

Command:
  python3 sapiens.py --checkpoint /path/sapiens_0.3b_normal_render_people_epoch_66_torchscript.pt2 \
      [--out sapiens_0.3b_normal.onnx] [--size 768 1024] [--opset 17]
writes the ONNX file and prints the facebench options for it, e.g.
  {"preset": "sapiens", "model": "/abs/sapiens_0.3b_normal.onnx"}
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import normals_export  # noqa: E402

SIZE = (768, 1024)  # W, H
CHANNELS = 3


def _forward(model, image):
    return model(image)


def wrap(model):
    """The contract module for the TorchScript model's API: model(image) -> [B, 3, h, w]. A
    ScriptModule is exported as it is (torch.onnx.export takes its graph; tracing a Python module
    around a loaded ScriptModule fails), any other callable through NormalsModule."""
    import torch
    if isinstance(model, torch.jit.ScriptModule):
        return model
    return normals_export.NormalsModule(model, _forward)


def load_official(checkpoint):
    import torch
    path = normals_export.require_file(checkpoint, "Sapiens' TorchScript normal checkpoint (*_torchscript.pt2)")
    try:
        model = torch.jit.load(path, map_location='cpu')
    except Exception as error:  # noqa: BLE001 - one line for any loading failure
        normals_export.fail(f'{path}: not a TorchScript checkpoint ({str(error).splitlines()[0] if str(error) else type(error).__name__}); '
                            'use the *_torchscript.pt2 file, not the bfloat16/float16 ones')
    return model.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--checkpoint', required=True, help='the TorchScript normal checkpoint (*_torchscript.pt2)')
    normals_export.add_common_args(parser, 'sapiens_normal.onnx', SIZE)
    args = parser.parse_args(argv)
    normals_export.export_main(args, wrap(load_official(args.checkpoint)), 'sapiens', CHANNELS, SIZE)


if __name__ == '__main__':
    main()
