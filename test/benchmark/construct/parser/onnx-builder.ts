/**
 * A minimal ONNX writer for tests: the subset of onnx.proto (github.com/onnx/onnx,
 * onnx/onnx.proto, IR version 8) needed for small float32 graphs, encoded with protobufjs.
 */
import protobuf from 'protobufjs';

const ONNX_SUBSET = `
syntax = "proto2";
package onnx;
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
}
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  repeated int64 ints = 8;
  optional int32 type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
}
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

/** TensorProto.DataType values. */
export const FLOAT = 1;
export const INT64 = 7;
/** AttributeProto.AttributeType values. */
const ATTR_INT = 2;
const ATTR_INTS = 7;

const ModelProto = protobuf.parse(ONNX_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');

export type Dim = number | string;
export interface Initializer { name: string; dims: number[]; floats?: number[]; int64s?: number[] }
export interface Node { op: string; inputs: string[]; outputs: string[]; ints?: Record<string, number[]>; int?: Record<string, number> }
export interface ValueInfo { name: string; shape?: Dim[]; elemType?: number }

function valueInfo(v: ValueInfo): object {
  const tensor: Record<string, unknown> = { elem_type: v.elemType ?? FLOAT };
  if (v.shape) tensor.shape = { dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) };
  return { name: v.name, type: { tensor_type: tensor } };
}

/** Serialize a single-graph model (default opset 13). */
export function encodeModel(graph: {
  nodes: Node[]; initializers: Initializer[]; inputs: ValueInfo[]; outputs: ValueInfo[]; opset?: number;
}): Uint8Array {
  const message = {
    ir_version: 8,
    producer_name: 'facebench-test',
    opset_import: [{ domain: '', version: graph.opset ?? 13 }],
    graph: {
      name: 'g',
      node: graph.nodes.map((n, k) => ({
        name: `n${k}`, op_type: n.op, input: n.inputs, output: n.outputs,
        attribute: [
          ...Object.entries(n.ints ?? {}).map(([name, ints]) => ({ name, ints, type: ATTR_INTS })),
          ...Object.entries(n.int ?? {}).map(([name, i]) => ({ name, i, type: ATTR_INT })),
        ],
      })),
      initializer: graph.initializers.map((t) => (t.int64s
        ? { name: t.name, dims: t.dims, data_type: INT64, int64_data: t.int64s }
        : { name: t.name, dims: t.dims, data_type: FLOAT, float_data: t.floats })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
  const problem = ModelProto.verify(message);
  if (problem) throw new Error(`encodeModel: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}
