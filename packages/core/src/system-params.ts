import {
  checkParam,
  type LinkSpec,
  type ParamSpec,
  type ParamValue,
  parseQuantity,
  SYSTEM_LIMITS,
  type SystemSpec,
  type TargetPlugin,
  UserError,
} from '@lightcode/cost-model';
import { shown } from './limits.js';

/**
 * Parameter paths of a system a study can vary: `DEVICE.PARAM` for any
 * parameter of a device's target, `DEVICE.count` and `DEVICE.preset`, and
 * `LINK.bandwidthBps|latencyS|energyPerByteJ` for a link.
 */
const LINK_FIELDS: Readonly<Record<string, string>> = { bandwidthBps: 'B/s', latencyS: 's', energyPerByteJ: 'J/B' };

/** One swept parameter and the values it takes. */
export interface ParamAxis {
  readonly path: string;
  readonly values: readonly ParamValue[];
}

/** Every parameter path of a system, in device then link order. */
export function paramPaths(spec: SystemSpec, targets: ReadonlyMap<string, TargetPlugin>): string[] {
  const out: string[] = [];
  for (const d of spec.devices) {
    out.push(`${d.id}.count`, `${d.id}.preset`);
    for (const name of Object.keys(targets.get(d.target)?.params ?? {})) out.push(`${d.id}.${name}`);
  }
  for (const l of spec.links ?? []) for (const f of Object.keys(LINK_FIELDS)) out.push(`${l.id}.${f}`);
  return out;
}

/** What a path names: a target parameter, a device field, or a link field. */
type Slot =
  | { readonly kind: 'param'; readonly device: string; readonly name: string; readonly spec: ParamSpec }
  | { readonly kind: 'count' | 'preset'; readonly device: string; readonly presets: readonly string[] }
  | { readonly kind: 'link'; readonly link: string; readonly field: keyof LinkSpec; readonly unit: string };

function slotOf(path: string, spec: SystemSpec, targets: ReadonlyMap<string, TargetPlugin>): Slot {
  const dot = path.indexOf('.');
  const owner = path.slice(0, dot);
  const name = path.slice(dot + 1);
  const device = spec.devices.find((d) => d.id === owner);
  const target = device ? targets.get(device.target) : undefined;
  if (device && target) {
    if (name === 'count' || name === 'preset') return { kind: name, device: owner, presets: Object.keys(target.presets) };
    const p = target.params[name];
    if (p) return { kind: 'param', device: owner, name, spec: p };
  }
  const link = (spec.links ?? []).find((l) => l.id === owner);
  const unit = LINK_FIELDS[name];
  if (link && unit) return { kind: 'link', link: owner, field: name as keyof LinkSpec, unit };
  throw new UserError(`--param: system '${spec.id}' has no parameter '${path}'; valid paths: ${paramPaths(spec, targets).join(', ')}`);
}

function parseValue(slot: Slot, text: string, path: string): ParamValue {
  const bad = (why: string) => new UserError(`--param ${path}: ${why}`);
  switch (slot.kind) {
    case 'preset':
      if (!slot.presets.includes(text)) throw bad(`no preset '${text}' (presets: ${slot.presets.join(', ')})`);
      return text;
    case 'count': {
      if (!/^\d+$/.test(text) || Number(text) < 1) throw bad(`an instance count is a positive integer (got '${shown(text)}')`);
      if (Number(text) > SYSTEM_LIMITS.deviceCount) {
        throw bad(`an instance count is at most ${SYSTEM_LIMITS.deviceCount} (got '${shown(text)}')`);
      }
      return Number(text);
    }
    case 'link': {
      const v = parseQuantity(text, slot.unit, `--param ${path} value`);
      if (!Number.isFinite(v)) throw bad(`'${shown(text)}' is not a finite number`);
      if (!(v >= 0) || (slot.field === 'bandwidthBps' && v === 0)) throw bad(`'${shown(text)}' is out of range`);
      return v;
    }
    case 'param': {
      const v: ParamValue = slot.spec.choices
        ? text
        : slot.spec.unit === '1'
          ? Number(text)
          : parseQuantity(text, slot.spec.unit, `--param ${path} value`);
      if (typeof v === 'number' && !Number.isFinite(v)) throw bad(`'${shown(text)}' is not a finite number`);
      const problem = checkParam(slot.name, slot.spec, v);
      if (problem) throw bad(problem);
      return v;
    }
  }
}

/** Parses `PATH=V1,V2,...` against a system: the path must exist, every value must be valid. */
export function parseParamAxis(text: string, spec: SystemSpec, targets: ReadonlyMap<string, TargetPlugin>): ParamAxis {
  const eq = text.indexOf('=');
  const path = text.slice(0, eq);
  if (eq <= 0 || !path.includes('.') || eq === text.length - 1) {
    throw new UserError(`--param takes PATH=V1,V2,..., e.g. ptu.wavelengths=1,2,4,8 (got '${text}')`);
  }
  const slot = slotOf(path, spec, targets);
  const raw = text.slice(eq + 1).split(',');
  if (raw.some((r) => r.trim() === '')) throw new UserError(`--param ${path}: empty value in '${text}'`);
  return { path, values: raw.map((r) => parseValue(slot, r.trim(), path)) };
}

/** The system with the parameter values set (a new spec; the input is not changed). */
export function withParams(
  spec: SystemSpec,
  values: Readonly<Record<string, ParamValue>>,
  targets: ReadonlyMap<string, TargetPlugin>,
): SystemSpec {
  let devices = spec.devices;
  let links = spec.links;
  for (const [path, value] of Object.entries(values)) {
    const slot = slotOf(path, spec, targets);
    if (slot.kind === 'link') {
      links = (links ?? []).map((l) => (l.id === slot.link ? { ...l, [slot.field]: value } : l));
      continue;
    }
    devices = devices.map((d) => {
      if (d.id !== slot.device) return d;
      if (slot.kind === 'param') return { ...d, params: { ...d.params, [slot.name]: value } };
      return slot.kind === 'count' ? { ...d, count: value as number } : { ...d, preset: value as string };
    });
  }
  return { ...spec, devices, ...(links ? { links } : {}) };
}

/** Every combination of the axes' values, the first axis varying slowest. */
export function paramGrid(axes: readonly ParamAxis[]): Record<string, ParamValue>[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const a of axes) out = out.flatMap((g) => a.values.map((v) => ({ ...g, [a.path]: v })));
  return out;
}
