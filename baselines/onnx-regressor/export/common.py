"""Shared helpers for the scripts that export face regressors (DECA, EMOCA v2, MICA, SMIRK) to
ONNX in facebench's "named regressor" contract (baselines/onnx-regressor/config.ts).

The contract: facebench crops and normalises the face before the network, so the ONNX file has
  input   'image'  float32 [1, 3, S, S], NCHW, RGB (normalisation per method, see each script)
  outputs 'shape'  float32 [1, N]   FLAME shape (identity) coefficients
          'exp'    float32 [1, 50]  FLAME expression coefficients   (not for identity-only MICA)
          'jaw'    float32 [1, 3]   axis-angle of FLAME's jaw joint  (not for MICA)

`RegressorModule` turns any object whose call maps an image to a dict of tensors into a torch
module that returns those outputs in order; `export_regressor` writes and checks the ONNX file;
`check_against` compares it with the torch module when python onnxruntime is installed.
"""
import contextlib
import json
import os
import sys

try:
    import torch
except ImportError:  # pragma: no cover - depends on the user's environment
    sys.exit('these export scripts need PyTorch and onnx (pip install torch onnx)')


class ContractError(ValueError):
    """The network or the written ONNX file does not match facebench's regressor contract."""


class RegressorModule(torch.nn.Module):
    """An image -> {name: [1, N]} network for export.

    model:   the official model object (registered as a submodule when it is a torch module, so
             eval() and the parameters reach it; torch modules among its attributes are registered
             otherwise).
    call:    call(model, image) -> dict of tensors (the official API, e.g. model.encode(image)).
    outputs: {contract name: key} or {contract name: (key, start, stop)}: which entry of the dict
             (and which slice of its last dimension) each output is. The order is the output order.
    """

    def __init__(self, model, call, outputs):
        super().__init__()
        if isinstance(model, torch.nn.Module):
            self.model = model
        else:
            self.model_object = model
            parts = {k: v for k, v in vars(model).items() if isinstance(v, torch.nn.Module)}
            self.parts = torch.nn.ModuleDict(parts)
        self._call = call
        self.output_names = tuple(outputs)
        self._spec = {}
        for name, spec in outputs.items():
            if isinstance(spec, str):
                self._spec[name] = (spec, None, None)
            else:
                key, start, stop = spec
                self._spec[name] = (key, start, stop)

    def official(self):
        return self.model if hasattr(self, 'model') else self.model_object

    def forward(self, image):
        result = self._call(self.official(), image)
        if not isinstance(result, dict):
            raise ContractError(f'the official call returned {type(result).__name__}, expected a dict of tensors')
        outs = []
        for name in self.output_names:
            key, start, stop = self._spec[name]
            if key not in result:
                raise ContractError(f"the official output has no '{key}' (needed for '{name}'); keys: {', '.join(sorted(map(str, result)))}")
            value = result[key]
            value = value.reshape(value.shape[0], -1)
            if start is not None:
                value = value[:, start:stop]
            outs.append(value.float())
        return tuple(outs)


@contextlib.contextmanager
def cpu_torch_load():
    """Make torch.load map checkpoints to the CPU unless told otherwise (official code often calls
    torch.load(path) on checkpoints saved from a GPU)."""
    original = torch.load

    def load(f, *args, **kwargs):
        if not args and 'map_location' not in kwargs:
            kwargs['map_location'] = 'cpu'
        return original(f, *args, **kwargs)

    torch.load = load
    try:
        yield
    finally:
        torch.load = original


@contextlib.contextmanager
def inside(folder):
    """Run with `folder` as the working directory (official code uses relative asset paths)."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def fail(message):
    """Stop with one line on stderr and exit status 1."""
    sys.exit(message)


def add_repo(repo, marker, name, url):
    """Check that `repo` is a checkout of the official code (it has `marker`) and put it on sys.path."""
    repo = os.path.abspath(repo)
    if not os.path.isfile(os.path.join(repo, marker)):
        fail(f'{repo}: the official {name} code is not there (no {marker}); clone {url} and pass its folder as --repo')
    if repo not in sys.path:
        sys.path.insert(1, repo)
    return repo


def require_file(path, what):
    if not os.path.isfile(path):
        fail(f'{path}: no such file ({what})')
    return path


def _dims(value_info):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        dims.append(d.dim_value if d.HasField('dim_value') else (d.dim_param or '?'))
    return dims


def check_onnx_file(out_path, size, outputs):
    """Check the written file: a valid ONNX model with the single input 'image' [1, 3, size, size]
    and exactly the named float outputs, each [1, N] (N from `outputs` when it is a dict)."""
    import onnx

    model = onnx.load(out_path)
    onnx.checker.check_model(model)
    float_type = onnx.TensorProto.FLOAT
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    if [i.name for i in inputs] != ['image']:
        raise ContractError(f"{out_path}: inputs are {[i.name for i in inputs]}; the contract has one input 'image'")
    image = inputs[0]
    if image.type.tensor_type.elem_type != float_type or _dims(image) != [1, 3, size, size]:
        raise ContractError(f"{out_path}: input 'image' is {_dims(image)} (elem type {image.type.tensor_type.elem_type}); expected float32 [1, 3, {size}, {size}]")
    names = [o.name for o in model.graph.output]
    if names != list(outputs):
        raise ContractError(f'{out_path}: outputs are {names}; expected {list(outputs)}')
    for o in model.graph.output:
        dims = _dims(o)
        n = outputs[o.name] if isinstance(outputs, dict) else None
        if o.type.tensor_type.elem_type != float_type or len(dims) != 2 or dims[0] != 1 or (n is not None and dims[1] != n):
            want = f'[1, {n}]' if n is not None else '[1, N]'
            raise ContractError(f"{out_path}: output '{o.name}' is {dims} (elem type {o.type.tensor_type.elem_type}); expected float32 {want}")
    return model


def export_regressor(module, out_path, size, outputs=('shape', 'exp', 'jaw'), opset=17):
    """Export `module` (image [1, 3, size, size] -> tuple of [1, N] tensors, e.g. a RegressorModule)
    with torch.onnx.export: input 'image', fixed batch 1, outputs named `outputs` in order.
    `outputs` is a sequence of names, or a dict {name: N} to also check each output's length.
    The written file is checked with onnx.checker and against the contract; ContractError otherwise."""
    names = list(outputs)
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    example = torch.full((1, 3, size, size), 0.5, dtype=torch.float32)
    with torch.no_grad():
        result = module(example)
    if isinstance(result, torch.Tensor):
        result = (result,)
    if len(result) != len(names):
        raise ContractError(f'the module returns {len(result)} tensors; expected {len(names)} ({", ".join(names)})')
    for name, value in zip(names, result):
        n = outputs[name] if isinstance(outputs, dict) else None
        if value.dim() != 2 or value.shape[0] != 1 or (n is not None and value.shape[1] != n):
            want = f'[1, {n}]' if n is not None else '[1, N]'
            raise ContractError(f"output '{name}' has shape {list(value.shape)}; the contract wants {want}")
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, example, out_path, input_names=['image'], output_names=names,
                          opset_version=opset, do_constant_folding=True)
    check_onnx_file(out_path, size, outputs)
    return out_path


def check_against(module, out_path, size, atol=1e-4, seed=0):
    """Run the ONNX file with python onnxruntime (when importable) on a random image and compare
    with the torch module. Returns the largest absolute difference, or None without onnxruntime."""
    try:
        import onnxruntime
    except ImportError:
        return None
    generator = torch.Generator().manual_seed(seed)
    image = torch.rand((1, 3, size, size), generator=generator, dtype=torch.float32)
    with torch.no_grad():
        expected = module(image)
    if isinstance(expected, torch.Tensor):
        expected = (expected,)
    session = onnxruntime.InferenceSession(out_path, providers=['CPUExecutionProvider'])
    got = session.run(None, {'image': image.numpy()})
    worst = 0.0
    for name, e, g in zip([o.name for o in session.get_outputs()], expected, got):
        diff = float(abs(e.numpy() - g).max()) if g.size else 0.0
        if diff > atol:
            raise ContractError(f"{out_path}: output '{name}' differs from the torch model by {diff:g} (> {atol:g})")
        worst = max(worst, diff)
    return worst


def add_common_args(parser, default_out):
    parser.add_argument('--repo', required=True, help='folder of the official code checkout (added to sys.path)')
    parser.add_argument('--out', default=default_out, help=f'ONNX file to write (default {default_out})')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset (default 17)')


def export_main(args, load_official, wrap, size, outputs, method):
    """The scripts' main: load the official model, wrap it, export, check; prints a one-line
    summary on stderr and, on stdout, the facebench command that runs the export as `method`
    (which does the crop and normalisation)."""
    out = os.path.abspath(args.out)
    model = load_official(args)
    module = wrap(model)
    try:
        export_regressor(module, out, size=size, outputs=outputs, opset=args.opset)
        diff = check_against(module, out, size)
    except ContractError as error:
        fail(str(error))
    note = 'onnxruntime not installed: skipped the comparison with torch' if diff is None else f'onnxruntime matches torch (max |diff| {diff:.2g})'
    print(f'wrote {out} ({note})', file=sys.stderr)
    # the named method reads the file from the models folder (beside FLAME2020/generic_model.pkl) or from option onnx
    opts = json.dumps({'onnx': out})
    print(f"npx facebench predict --bench BENCH_DIR --method {method} --opts '{opts}' --out PRED_DIR"
          f"   # or copy it to MODELS_DIR/{method}.onnx and run: npx facebench run --bench BENCH_DIR --methods {method} --models MODELS_DIR")
