import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeCanonicalMesh, decodeMesh3d } from '../../data/mediapipe-mesh.js';
import { fixed32ToFloat, messageField, readFields, readVarint, repeatedFloat, repeatedVarint } from '../../data/protobuf-wire.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('protobuf wire reader on hand-built messages', () => {
  it('decodes varints (protobuf encoding guide examples)', () => {
    expect(readVarint(bytes(0x01), 0)).toEqual({ value: 1, next: 1 });
    expect(readVarint(bytes(0x96, 0x01), 0)).toEqual({ value: 150, next: 2 });
    expect(readVarint(bytes(0xac, 0x02), 0)).toEqual({ value: 300, next: 2 });
    expect(readVarint(bytes(0xff, 0xff, 0xff, 0xff, 0x0f), 0).value).toBe(0xffffffff);
    expect(() => readVarint(bytes(0x96), 0)).toThrow(/truncated/);
  });

  it('splits a message into fields of every wire type', () => {
    // field 1 varint 150; field 2 string "testing"; field 3 fixed32 1.5f; field 4 fixed64.
    const msg = bytes(0x08, 0x96, 0x01, 0x12, 0x07, ...Buffer.from('testing'), 0x1d, 0x00, 0x00, 0xc0, 0x3f, 0x21, 1, 2, 3, 4, 5, 6, 7, 8);
    const f = readFields(msg);
    expect(f.map((x) => [x.field, x.wireType])).toEqual([[1, 0], [2, 2], [3, 5], [4, 1]]);
    expect(f[0].value).toBe(150);
    expect(Buffer.from(f[1].bytes!).toString()).toBe('testing');
    expect(fixed32ToFloat(f[2].value)).toBe(1.5);
    expect(Array.from(f[3].bytes!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reads repeated scalars packed and unpacked, in order', () => {
    // field 3 float: unpacked 2.0, then packed [0.5, -1]; field 4 uint32: unpacked 7, packed [300, 1].
    const msg = bytes(0x1d, 0, 0, 0, 0x40, 0x1a, 8, 0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 0x20, 7, 0x22, 3, 0xac, 0x02, 0x01);
    const f = readFields(msg);
    expect(Array.from(repeatedFloat(f, 3))).toEqual([2, 0.5, -1]);
    expect(repeatedVarint(f, 4)).toEqual([7, 300, 1]);
  });

  it('merges repeated occurrences of an embedded message', () => {
    const msg = bytes(0x0a, 2, 0x08, 5, 0x0a, 2, 0x10, 6);
    expect(Array.from(messageField(readFields(msg), 1)!)).toEqual([0x08, 5, 0x10, 6]);
    expect(messageField(readFields(msg), 2)).toBeUndefined();
  });

  it('rejects truncated and malformed input', () => {
    expect(() => readFields(bytes(0x0a, 5, 1))).toThrow(/runs past the end/);
    expect(() => readFields(bytes(0x1d, 0, 0))).toThrow(/truncated fixed32/);
    expect(() => readFields(bytes(0x0b))).toThrow(/wire type 3/);
  });

  it('decodes a Mesh3d / GeometryPipelineMetadata encoded by protobufjs (packed and unpacked)', () => {
    for (const packed of [true, false]) {
      const root = protobuf.Root.fromJSON({
        nested: {
          Mesh3d: {
            fields: {
              vertexType: { type: 'uint32', id: 1 },
              primitiveType: { type: 'uint32', id: 2 },
              vertexBuffer: { rule: 'repeated', type: 'float', id: 3, options: { packed } },
              indexBuffer: { rule: 'repeated', type: 'uint32', id: 4, options: { packed } },
            },
          },
          Metadata: {
            fields: {
              canonicalMesh: { type: 'Mesh3d', id: 1 },
              basis: { rule: 'repeated', type: 'uint32', id: 2 },
              inputSource: { type: 'uint32', id: 3 },
            },
          },
        },
      });
      const vertexBuffer = [1, 2, 3, 0.25, 0.75, -4, 5.5, 6, 0, 1, 7, 8, -9, 0.5, 0.5];
      const indexBuffer = [0, 1, 2, 2, 1, 0];
      const Meta = root.lookupType('Metadata');
      const encoded = Meta.encode(Meta.create({ canonicalMesh: { vertexType: 0, primitiveType: 0, vertexBuffer, indexBuffer }, basis: [4, 5], inputSource: 1 })).finish();
      const mesh = decodeCanonicalMesh(encoded);
      expect(Array.from(mesh.vertexBuffer)).toEqual(vertexBuffer);
      expect(mesh.indexBuffer).toEqual(indexBuffer);
      expect(mesh.vertexType).toBe(0);
      const M = root.lookupType('Mesh3d');
      expect(decodeMesh3d(M.encode(M.create({ vertexType: 3, vertexBuffer: [1] })).finish()).vertexType).toBe(3);
    }
  });
});
