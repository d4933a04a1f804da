import fs from 'node:fs';
import path from 'node:path';
import { type BuildRequest, defineFrontend, type FrontendPlugin, type OpGraphData, tensor, UserError } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_DTYPES, buildGraph, checkLengths, DEFAULT_SEQ_LEN, listModels, resolveModel, STORAGE_DTYPES } from '../src/model.js';
import { PluginRegistry } from '../src/plugins.js';
import { thrown, tmpDir } from './fixtures.js';

/*
 * model.ts: each field of a model request checked with its message, the
 * frontend chosen for a built-in id, a Hugging Face config or a model file,
 * the graph cache (eight requests), a misbehaving frontend named, and the
 * lengths of a study checked at both ends.
 */

/** One linear layer [batch, seqLen, 8] x [8, 8]. */
function oneLayer(req: BuildRequest, id = 'one'): OpGraphData {
  const x = tensor([req.batch, req.seqLen, 8], req.dtype);
  return {
    meta: { id, family: 'test', phase: req.phase, seqLen: req.seqLen, batch: req.batch, dtype: req.dtype, layers: 1 },
    ops: [{ id: '0', name: 'fc', kind: 'linear', layer: 0, inputs: [x], outputs: [x], weights: [tensor([8, 8], req.dtype)], attrs: {} }],
    edges: [],
  };
}

interface Seen {
  builds: BuildRequest[];
}

/** A frontend with built-in models `a` and `b`, HF model_type `tiny`, and files `.tiny` whose first bytes are "TINY". */
function frontend(seen: Seen, o: { id?: string; build?: (req: BuildRequest) => OpGraphData; files?: boolean } = {}): FrontendPlugin {
  return defineFrontend({
    id: o.id ?? 'fe',
    name: 'fe',
    description: 'test frontend',
    models: [
      { id: 'a', description: 'model a', parameters: 64 },
      { id: 'b', description: 'model b', parameters: 128 },
    ],
    modelTypes: ['tiny', 'tinier'],
    ...(o.files === false
      ? {}
      : {
          files: [
            { name: 'Tiny', extensions: ['.tiny'], sniff: (head: Uint8Array) => Buffer.from(head.subarray(0, 4)).toString() === 'TINY' },
            { name: 'Any tiny', extensions: ['.tny', '.tn'] },
          ],
        }),
    build: (req) => {
      seen.builds.push(req);
      return (o.build ?? oneLayer)(req);
    },
  });
}

function registry(...frontends: FrontendPlugin[]): PluginRegistry {
  const reg = new PluginRegistry();
  for (const f of frontends) {
    reg.add({
      manifest: { apiVersion: 1, kind: 'frontend', id: f.id },
      plugin: f,
      packageName: f.id,
      version: '1',
      path: `/${f.id}`,
      origin: 'flag',
    });
  }
  return reg;
}

describe('listModels', () => {
  it('every built-in model with its frontend', () => {
    const reg = registry(frontend({ builds: [] }), frontend({ builds: [] }, { id: 'fe2' }));
    expect(listModels(reg).map((m) => [m.id, m.frontend, m.parameters])).toEqual([
      ['a', 'fe', 64],
      ['b', 'fe', 128],
      ['a', 'fe2', 64],
      ['b', 'fe2', 128],
    ]);
  });
});

describe('resolveModel: the request normalized and checked', () => {
  const seen = { builds: [] };
  const reg = registry(frontend(seen));
  const cwd = tmpDir();
  const resolve = (over: object) => resolveModel(reg, { model: 'a', ...over }, cwd);

  it('defaults: prefill, fp16, 1024 tokens, batch 1, last logits, heads not split, no KV length', () => {
    expect(DEFAULT_SEQ_LEN).toBe(1024);
    expect(resolve({}).build).toEqual({
      phase: 'prefill',
      dtype: 'fp16',
      logits: 'last',
      seqLen: 1024,
      batch: 1,
      splitHeads: false,
      modelId: 'a',
    });
    expect(resolve({}).frontend.id).toBe('fe');
  });

  it('given fields are kept', () => {
    expect(resolve({ phase: 'decode', dtype: 'bf16', logits: 'all', seqLen: 7, batch: 3, splitHeads: true, kvLen: 0 }).build).toEqual({
      phase: 'decode',
      dtype: 'bf16',
      logits: 'all',
      seqLen: 7,
      batch: 3,
      splitHeads: true,
      kvLen: 0,
      modelId: 'a',
    });
  });

  it('the formats: activations, and storage for weights and the KV cache', () => {
    expect(ACTIVATION_DTYPES).toEqual(['fp32', 'fp16', 'bf16', 'fp8', 'int8']);
    expect(STORAGE_DTYPES).toEqual(['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4']);
    for (const dtype of ACTIVATION_DTYPES) expect(resolve({ dtype }).build.dtype).toBe(dtype);
    for (const d of STORAGE_DTYPES) expect(() => resolve({ weights: d, kvDtype: d })).not.toThrow();
  });

  it.each([
    [{ phase: 'train' }, "--phase must be prefill or decode (got 'train')"],
    [{ dtype: 'int4' }, "--dtype must be one of fp32, fp16, bf16, fp8, int8 (got 'int4')"],
    [{ weights: 'int2' }, "--weights must be one of fp32, fp16, bf16, fp8, int8, int4 (got 'int2')"],
    [{ kvDtype: 'fp64' }, "--kv-dtype must be one of fp32, fp16, bf16, fp8, int8, int4 (got 'fp64')"],
    [{ logits: 'first' }, "--logits must be last or all (got 'first')"],
    [{ seqLen: 0 }, '--seq-len must be a positive integer (got 0)'],
    [{ seqLen: 2.5 }, '--seq-len must be a positive integer (got 2.5)'],
    [{ seqLen: '8' }, '--seq-len must be a positive integer (got "8")'],
    [{ batch: -1 }, '--batch must be a positive integer (got -1)'],
    [{ batch: Number.NaN }, '--batch must be a positive integer (got NaN)'],
    [{ kvLen: -1 }, '--kv-len must be a non-negative integer (got -1)'],
    [{ kvLen: 1.5 }, '--kv-len must be a non-negative integer (got 1.5)'],
    [{ kvLen: '3' }, '--kv-len must be a non-negative integer (got "3")'],
    [{ kvLen: Number.NaN }, '--kv-len must be a non-negative integer (got NaN)'],
    [{ inputShapes: { x: [1, 3] } }, '--input-shape applies to model files (ONNX, TVM graph JSON), not to built-in models'],
  ])('refuses %o', (over, message) => {
    const e = thrown(() => resolve(over));
    expect([e.message, e.exitCode]).toEqual([message, 2]);
  });

  it('seqLen 1 and batch 1 are positive; empty input shapes are none', () => {
    expect(resolve({ seqLen: 1, batch: 1, inputShapes: {} }).build).toMatchObject({ seqLen: 1, batch: 1 });
  });

  it('an unknown id lists the known ones', () => {
    expect(thrown(() => resolve({ model: 'zzz' })).message).toBe(
      "unknown model 'zzz' (known: a, b; or give a Hugging Face config.json path)",
    );
  });

  it('an ending reads as a path only at the end of the name', () => {
    expect(thrown(() => resolve({ model: 'x.json.bak' })).message).toMatch(/^unknown model 'x\.json\.bak'/);
  });

  it('a name that reads as a path but does not exist', () => {
    for (const m of ['nope/config.json', 'x.json', 'y.ONNX', 'dir\\f']) {
      expect(thrown(() => resolve({ model: m })).message).toBe(`model config '${m}' does not exist`);
    }
  });
});

describe('resolveModel: Hugging Face configs and model files', () => {
  const seen = { builds: [] };
  const reg = registry(frontend(seen));

  it('a config.json (or its folder) goes to the frontend of its model_type, named by its folder', () => {
    const cwd = tmpDir();
    fs.mkdirSync(path.join(cwd, 'my-model'));
    fs.writeFileSync(path.join(cwd, 'my-model', 'config.json'), JSON.stringify({ model_type: 'tinier', hidden_size: 8 }));
    const file = path.join(cwd, 'my-model', 'config.json');
    for (const spec of ['my-model', 'my-model/config.json', file]) {
      const r = resolveModel(reg, { model: spec }, cwd);
      expect(r.frontend.id).toBe('fe');
      expect(r.build).toMatchObject({
        config: { _name_or_path: 'my-model', model_type: 'tinier', hidden_size: 8 },
        source: `model config '${file}'`,
      });
    }
    // a name given in the config wins
    fs.writeFileSync(file, JSON.stringify({ model_type: 'tiny', _name_or_path: 'org/real' }));
    expect(resolveModel(reg, { model: 'my-model' }, cwd).build.config).toEqual({ _name_or_path: 'org/real', model_type: 'tiny' });
  });

  it('an unknown model_type lists what the frontends read; with no model_type, the file formats too', () => {
    const cwd = tmpDir();
    const f = path.join(cwd, 'c.json');
    fs.writeFileSync(f, JSON.stringify({ model_type: 'bert' }));
    expect(thrown(() => resolveModel(reg, { model: 'c.json' }, cwd)).message).toBe(
      `model config '${f}': unknown model_type "bert" (frontends read: tiny, tinier)`,
    );
    fs.writeFileSync(f, JSON.stringify({ layers: 2 }));
    expect(thrown(() => resolveModel(reg, { model: 'c.json' }, cwd)).message).toBe(
      `model config '${f}': unknown model_type undefined (frontends read: tiny, tinier); nor is it a model file LightCode reads: Tiny (.tiny), Any tiny (.tny, .tn)`,
    );
    const plain = registry(frontend(seen, { files: false }));
    expect(thrown(() => resolveModel(plain, { model: 'c.json' }, cwd)).message).toBe(
      `model config '${f}': unknown model_type undefined (frontends read: tiny, tinier)`,
    );
  });

  it('a config that is not an object, or whose sizes are over the caps', () => {
    const cwd = tmpDir();
    const f = path.join(cwd, 'c.json');
    for (const text of ['[1]', '3', 'null']) {
      fs.writeFileSync(f, text);
      expect(thrown(() => resolveModel(reg, { model: 'c.json' }, cwd)).message).toBe(`model config '${f}' must be a JSON object`);
    }
    fs.writeFileSync(f, JSON.stringify({ model_type: 'tiny', n_layer: 5000 }));
    expect(thrown(() => resolveModel(reg, { model: 'c.json' }, cwd)).code).toBe('E_MODEL_TOO_LARGE');
  });

  it('input shapes apply to model files only', () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'c.json'), JSON.stringify({ model_type: 'tiny' }));
    expect(thrown(() => resolveModel(reg, { model: 'c.json', inputShapes: { x: [1] } }, cwd)).message).toBe(
      '--input-shape applies to model files (ONNX, TVM graph JSON), not to Hugging Face configs',
    );
  });

  it('a model file: by its ending (any case), then by its first bytes; shapes passed on', () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'm.TINY'), 'TINY and more');
    const r = resolveModel(reg, { model: 'm.TINY', inputShapes: { x: [1, 2] } }, cwd);
    expect(r.build).toMatchObject({ file: path.join(cwd, 'm.TINY'), inputShapes: { x: [1, 2] } });
    expect('inputShapes' in resolveModel(reg, { model: 'm.TINY' }, cwd).build).toBe(false);
    // a format without sniff takes any file with its ending
    fs.writeFileSync(path.join(cwd, 'n.tny'), 'x');
    expect(resolveModel(reg, { model: 'n.tny' }, cwd).build).toMatchObject({ file: path.join(cwd, 'n.tny') });
    // any one of its endings
    fs.writeFileSync(path.join(cwd, 'n.tn'), 'x');
    expect(resolveModel(reg, { model: 'n.tn' }, cwd).build).toMatchObject({ file: path.join(cwd, 'n.tn') });
    // the ending matches but the bytes do not: read as a config, which it is not
    fs.writeFileSync(path.join(cwd, 'bad.tiny'), 'NOPE');
    expect(thrown(() => resolveModel(reg, { model: 'bad.tiny' }, cwd)).code).toBe('E_PARSE');
  });

  it('a model file over the cap or a folder with a file ending is not sniffed as a model file', () => {
    const cwd = tmpDir();
    fs.mkdirSync(path.join(cwd, 'd.tiny'));
    expect(thrown(() => resolveModel(reg, { model: 'd.tiny' }, cwd)).message).toMatch(
      /^cannot read model config '.*config\.json': ENOENT$/,
    );
  });
});

describe('buildGraph: built once per request, eight kept', () => {
  it('the same request returns the same graph; a different one builds anew', () => {
    const seen: Seen = { builds: [] };
    const reg = registry(frontend(seen));
    const g = buildGraph(reg, { model: 'a', seqLen: 4 });
    expect(buildGraph(reg, { model: 'a', seqLen: 4 })).toBe(g);
    expect(seen.builds).toHaveLength(1);
    expect(buildGraph(reg, { model: 'a', seqLen: 5 })).not.toBe(g);
    expect(buildGraph(reg, { model: 'a', seqLen: 4, weights: 'int4' })).not.toBe(g);
    expect(buildGraph(reg, { model: 'a', seqLen: 4, kvDtype: 'fp8' })).not.toBe(g);
    expect(seen.builds).toHaveLength(4);
    // another registry has its own cache
    expect(buildGraph(registry(frontend(seen)), { model: 'a', seqLen: 4 })).not.toBe(g);
  });

  it('the oldest of eight is dropped when a ninth comes', () => {
    const reg = registry(frontend({ builds: [] }));
    const first = buildGraph(reg, { model: 'a', seqLen: 1 });
    for (let s = 2; s <= 8; s++) buildGraph(reg, { model: 'a', seqLen: s });
    expect(buildGraph(reg, { model: 'a', seqLen: 1 })).toBe(first);
    buildGraph(reg, { model: 'a', seqLen: 9 });
    expect(buildGraph(reg, { model: 'a', seqLen: 1 })).not.toBe(first);
  });

  it('weight and KV formats are applied to the graph', () => {
    const reg = registry(frontend({ builds: [] }));
    const g = buildGraph(reg, { model: 'a', seqLen: 4, weights: 'int4' });
    expect(g.ops()[0]?.weights[0]?.dtype).toBe('int4');
  });

  it('a frontend that throws is named (exit 1); its own LightCode errors pass through', () => {
    const boom = registry(
      frontend(
        { builds: [] },
        {
          build: () => {
            throw new Error('kaput');
          },
        },
      ),
    );
    const e = thrown(() => buildGraph(boom, { model: 'a' }));
    expect([e.message, e.exitCode]).toEqual(["plugin 'fe': build() threw: kaput", 1]);
    const raw = registry(
      frontend(
        { builds: [] },
        {
          build: () => {
            throw 'raw';
          },
        },
      ),
    );
    expect(thrown(() => buildGraph(raw, { model: 'a' })).message).toBe("plugin 'fe': build() threw: raw");
    const undef = registry(
      frontend(
        { builds: [] },
        {
          build: () => {
            throw undefined;
          },
        },
      ),
    );
    expect(thrown(() => buildGraph(undef, { model: 'a' })).message).toBe("plugin 'fe': build() threw: undefined");
    const mine = registry(
      frontend(
        { builds: [] },
        {
          build: () => {
            throw new UserError('too long for this model');
          },
        },
      ),
    );
    expect(thrown(() => buildGraph(mine, { model: 'a' }))).toMatchObject({ message: 'too long for this model', exitCode: 2 });
  });

  it("a frontend whose build() never returns is stopped at the registry's plugin timeout", () => {
    const hang = registry(
      frontend(
        { builds: [] },
        {
          build: () => {
            for (;;) {
              // never returns
            }
          },
        },
      ),
    );
    hang.pluginTimeoutS = 0.1;
    const e = thrown(() => buildGraph(hang, { model: 'a' }));
    expect([e.code, e.exitCode, e.message]).toEqual([
      'E_PLUGIN_TIMEOUT',
      2,
      "plugin 'fe': build() did not return within 0.1 s (the plugin watchdog, --plugin-timeout); fix the plugin or raise the limit",
    ]);
  });

  it('a graph that is not valid is the frontend at fault (exit 1)', () => {
    const bad = registry(
      frontend({ builds: [] }, { build: (req) => ({ ...oneLayer(req), edges: [{ from: '0', to: 'x', tensors: [] }] }) }),
    );
    const e = thrown(() => buildGraph(bad, { model: 'a' }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/^plugin 'fe': graph from frontend 'fe': /);
  });

  it('closes the model file it sniffs', () => {
    const reg = registry(frontend({ builds: [] }));
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'm.tiny'), 'TINY');
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) resolveModel(reg, { model: 'm.tiny' }, cwd);
    expect(open()).toBe(before);
  });

  it('arithmetic that overflows is blamed on the model input: the built-in id, or the file', () => {
    const huge = (req: BuildRequest): OpGraphData => {
      const x = tensor([1e200, 1e200, 8], req.dtype);
      const d = oneLayer(req, 'huge');
      return { ...d, ops: [{ ...(d.ops[0] as OpGraphData['ops'][number]), inputs: [x], outputs: [x] }] };
    };
    const reg = registry(frontend({ builds: [] }, { build: huge }));
    expect(thrown(() => buildGraph(reg, { model: 'a' })).message).toMatch(/^model 'huge': op 'fc' has macs Infinity;/);
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'm.tny'), 'x');
    expect(thrown(() => buildGraph(reg, { model: 'm.tny' }, cwd)).message).toMatch(
      new RegExp(`^model '${path.join(cwd, 'm.tny')}': op 'fc' has macs Infinity;`),
    );
    fs.writeFileSync(path.join(cwd, 'c.json'), JSON.stringify({ model_type: 'tiny' }));
    expect(thrown(() => buildGraph(reg, { model: 'c.json' }, cwd)).message).toMatch(
      new RegExp(`^model config '${path.join(cwd, 'c.json')}': op 'fc' has macs Infinity;`),
    );
  });
});

describe('checkLengths: the longest and the shortest length against the model', () => {
  /** A frontend that refuses more than 100 positions (exit 2), and fails (exit 1) at 13. */
  const limited = (seen: Seen) =>
    frontend(seen, {
      build: (req) => {
        if (req.seqLen > 100) throw new UserError(`at most 100 positions (got ${req.seqLen})`);
        if (req.seqLen === 13) throw new Error('unlucky');
        return oneLayer(req);
      },
    });

  it('builds the longest and the shortest only; one length once; none for no lengths', () => {
    const seen: Seen = { builds: [] };
    const reg = registry(limited(seen));
    checkLengths(reg, { model: 'a' }, [8, 64, 16, 32]);
    expect(seen.builds.map((b) => b.seqLen)).toEqual([64, 8]);
    checkLengths(reg, { model: 'b' }, [5, 5]);
    expect(seen.builds.map((b) => b.seqLen)).toEqual([64, 8, 5]);
    checkLengths(reg, { model: 'b' }, []);
    expect(seen.builds).toHaveLength(3);
  });

  it('a length the model refuses: E_LENGTH_REFUSED, the length as option, the model error as cause', () => {
    const reg = registry(limited({ builds: [] }));
    const e = thrown(() => checkLengths(reg, { model: 'a' }, [50, 101, 7]));
    expect([e.code, e.option, e.message, e.exitCode]).toEqual(['E_LENGTH_REFUSED', '101', 'at most 100 positions (got 101)', 2]);
    expect((e.cause as Error).message).toBe('at most 100 positions (got 101)');
  });

  it('a failure that is not the input (exit 1) passes through unchanged', () => {
    const reg = registry(limited({ builds: [] }));
    const e = thrown(() => checkLengths(reg, { model: 'a' }, [13, 20]));
    expect([e.code, e.message, e.exitCode]).toEqual([undefined, "plugin 'fe': build() threw: unlucky", 1]);
  });
});
