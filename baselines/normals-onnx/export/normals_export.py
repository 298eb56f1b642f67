"""Shared helpers for the scripts that export normal estimators (Sapiens, Metric3D v2) to ONNX in
facebench's normals-onnx contract (baselines/normals-onnx/config.ts, baselines/README.md):

  input   'image'    float32 [1, 3, H, W], NCHW, RGB, already resized and normalised by facebench
                     as the preset says ((v - mean) / std on 0-255 values)
  output  'normals'  float32 [1, C, h, w]: channels 0-2 the normal (any length; facebench
                     normalises per pixel and maps the axes), further channels ignored

`NormalsModule` turns an official model and the call that gives its normal map into a torch
module image -> normals; `export_normals` writes the file with torch.onnx.export and checks it;
`check_against` compares it with torch when python onnxruntime is installed.
"""
import inspect
import json
import os
import sys

try:
    import torch
except ImportError:  # pragma: no cover - depends on the user's environment
    sys.exit('these export scripts need PyTorch and onnx (pip install torch onnx)')


class ContractError(ValueError):
    """The network or the written ONNX file does not match the normals-onnx contract."""


def fail(message):
    """Stop with one line on stderr and exit status 1."""
    sys.exit(message)


def require_file(path, what):
    if not os.path.isfile(path):
        fail(f'{path}: no such file ({what})')
    return os.path.abspath(path)


class NormalsModule(torch.nn.Module):
    """image [1, 3, H, W] -> normals [1, C, h, w] through `call(model, image)`.

    model: the official model (a submodule when it is a torch module, so eval() and the
           parameters reach it); call: the official API giving the normal map tensor.
    """

    def __init__(self, model, call):
        super().__init__()
        self.model = model
        self._call = call

    def forward(self, image):
        out = self._call(self.model, image)
        if isinstance(out, (tuple, list)):
            out = out[0]
        if not isinstance(out, torch.Tensor):
            raise ContractError(f'the official call returned {type(out).__name__}, expected a tensor [B, C, h, w]')
        return out.float()


def _dims(value_info):
    return [d.dim_value if d.HasField('dim_value') else (d.dim_param or '?') for d in value_info.type.tensor_type.shape.dim]


def check_onnx_file(out_path, width, height, channels):
    """The written file: a valid ONNX model, one input 'image' float32 [1, 3, height, width] and
    one output 'normals' float32 [1, channels, h, w]."""
    import onnx

    model = onnx.load(out_path)
    onnx.checker.check_model(model)
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    if [i.name for i in inputs] != ['image']:
        raise ContractError(f"{out_path}: inputs are {[i.name for i in inputs]}; the contract has one input 'image'")
    want = [1, 3, height, width]
    if inputs[0].type.tensor_type.elem_type != onnx.TensorProto.FLOAT or _dims(inputs[0]) != want:
        raise ContractError(f"{out_path}: input 'image' is {_dims(inputs[0])}; expected float32 {want}")
    outputs = list(model.graph.output)
    if [o.name for o in outputs] != ['normals']:
        raise ContractError(f"{out_path}: outputs are {[o.name for o in outputs]}; the contract has one output 'normals'")
    dims = _dims(outputs[0])
    if outputs[0].type.tensor_type.elem_type != onnx.TensorProto.FLOAT or len(dims) != 4 or dims[0] not in (1, '?') or dims[1] not in (channels, '?'):
        raise ContractError(f"{out_path}: output 'normals' is {dims}; expected float32 [1, {channels}, h, w]")
    return model


def export_normals(module, out_path, width, height, channels, opset=17, device='cpu'):
    """Export `module` (image [1, 3, height, width] -> [1, channels, h, w]) as input 'image' and
    output 'normals'; the file is checked (onnx.checker and the contract), ContractError otherwise."""
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    # zeros: the mean colour once normalised
    example = torch.zeros((1, 3, height, width), dtype=torch.float32, device=device)
    with torch.no_grad():
        result = module(example)
    if not isinstance(result, torch.Tensor):
        raise ContractError(f'the model returned {type(result).__name__}; the contract wants one tensor [1, {channels}, h, w]')
    if result.dim() != 4 or result.shape[0] != 1 or result.shape[1] != channels:
        raise ContractError(f'the normal map has shape {list(result.shape)}; the contract wants [1, {channels}, h, w]')
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    kwargs = {}
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False  # the TorchScript exporter: it takes ScriptModules (Sapiens) too
    with torch.no_grad():
        torch.onnx.export(module, example, out_path, input_names=['image'], output_names=['normals'],
                          opset_version=opset, do_constant_folding=True, **kwargs)
    check_onnx_file(out_path, width, height, channels)
    return out_path


def check_against(module, out_path, width, height, atol=1e-3, seed=0, device='cpu'):
    """Run the ONNX file with python onnxruntime (when importable) on a random input and compare
    with the torch module. The largest absolute difference, or None without onnxruntime."""
    try:
        import onnxruntime
    except ImportError:
        return None
    generator = torch.Generator().manual_seed(seed)
    image = torch.randn((1, 3, height, width), generator=generator, dtype=torch.float32)
    with torch.no_grad():
        expected = module(image.to(device)).cpu().numpy()
    session = onnxruntime.InferenceSession(out_path, providers=['CPUExecutionProvider'])
    got = session.run(['normals'], {'image': image.numpy()})[0]
    diff = float(abs(got - expected).max())
    if diff > atol:
        raise ContractError(f'{out_path}: onnxruntime differs from torch by {diff:.3g} (> {atol})')
    return diff


def add_common_args(parser, default_out, default_size):
    parser.add_argument('--out', default=default_out, help='the ONNX file to write' + (f' (default ./{default_out})' if default_out else ''))
    parser.add_argument('--size', type=int, nargs=2, metavar=('W', 'H'), default=list(default_size),
                        help=f'network input width and height (default {default_size[0]} {default_size[1]}, the preset; '
                             'another size needs the same "input": {"size": [W, H]} in the facebench options)')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset (default 17)')


def export_main(args, module, preset, channels, default_size, device='cpu'):
    """Export, check, compare with torch when possible, print the facebench options for the file."""
    width, height = args.size
    out = os.path.abspath(args.out)
    try:
        export_normals(module, out, width, height, channels, args.opset, device)
        diff = check_against(module, out, width, height, device=device)
    except ContractError as error:
        fail(str(error))
    note = 'onnxruntime not installed: not compared with torch' if diff is None else f'max |onnxruntime - torch| = {diff:.2g}'
    print(f'wrote {out} ({note})', file=sys.stderr)
    options = {'preset': preset, 'model': out}
    if [width, height] != list(default_size):
        options['input'] = {'size': [width, height]}
    print(json.dumps(options))
