import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_NAMES, findConfig, loadConfig, parseProblem, readDataFile } from '../src/config.js';
import { thrown, tmpDir } from './fixtures.js';

/*
 * config.ts: parse errors on one line with where they are, JSON or YAML by
 * the file's ending, non-finite numbers refused by path, the nearest config
 * file up the folders (json before yaml before yml), and the config schema,
 * field by field.
 */

function write(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

describe('parseProblem: a parser message on one line', () => {
  it("YAML: the message's first line, without the trailing colon and the quoted source", () => {
    const e = Object.assign(new Error('Nested mappings are not allowed at line 1, column 4:\n\na: b: c\n   ^\n'), {
      linePos: [{ line: 1, col: 4 }],
    });
    expect(parseProblem(e, 'a: b: c\n')).toBe('Nested mappings are not allowed at line 1, column 4');
    // a first line with no colon at its end is kept whole
    const plain = Object.assign(new Error('bad indent\nmore'), { linePos: [{ line: 2, col: 1 }] });
    expect(parseProblem(plain, '')).toBe('bad indent');
    // only a colon (and the space after it) that ends the line goes; one inside stays
    const inside = Object.assign(new Error('Bad key: x at line 2, column 1:  \n\nx\n'), { linePos: [{ line: 2, col: 1 }] });
    expect(parseProblem(inside, '')).toBe('Bad key: x at line 2, column 1');
  });

  it('JSON "at position N": line and column counted from the text (both from 1)', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    const e = new Error("Expected ',' or '}' after property value in JSON at position 13");
    expect(parseProblem(e, text)).toBe("Expected ',' or '}' after property value in JSON at position 13 (line 3, column 3)");
    expect(parseProblem(new Error('Unexpected token at position 0'), 'x')).toBe('Unexpected token at position 0 (line 1, column 1)');
    expect(parseProblem(new Error('bad at position 5'), 'abcdefgh')).toBe('bad at position 5 (line 1, column 6)');
  });

  it("a newer V8's own (line L column C) is replaced by the one counted here", () => {
    expect(parseProblem(new Error('Bad at position 4 (line 9 column 9)'), 'ab\ncd')).toBe('Bad at position 4 (line 2, column 2)');
    expect(parseProblem(new Error('Bad at position 4  (line 12 column 345)'), 'ab\ncd')).toBe('Bad at position 4 (line 2, column 2)');
  });

  it('any other message: newlines and the space around them become one space', () => {
    expect(parseProblem(new Error('Unexpected token \'}\', "{"a": 1,\n "b": }" is not valid JSON'), '')).toBe(
      'Unexpected token \'}\', "{"a": 1, "b": }" is not valid JSON',
    );
    expect(parseProblem(new Error('a  \n\n  b\nc'), '')).toBe('a b c');
    expect(parseProblem('not an error object', '')).toBe('not an error object');
  });
});

describe('readDataFile: JSON or YAML by the ending', () => {
  it('.yaml, .yml and their upper case are YAML; anything else is JSON', () => {
    const dir = tmpDir();
    for (const name of ['a.yaml', 'b.yml', 'c.YAML', 'd.Yml'])
      expect(readDataFile(write(dir, name, 'x: 1\ny: [2]\n'), 'f')).toEqual({ x: 1, y: [2] });
    expect(readDataFile(write(dir, 'e.json', '{"x": 1}'), 'f')).toEqual({ x: 1 });
    // YAML text in a file that does not end in .yaml is read as JSON
    expect(thrown(() => readDataFile(write(dir, 'f.yaml.txt', 'x: 1\n'), 'f')).message).toMatch(/is not valid JSON: /);
    expect(thrown(() => readDataFile(write(dir, 'g.yamlx', 'x: 1\n'), 'f')).message).toMatch(/is not valid JSON: /);
    expect(thrown(() => readDataFile(write(dir, 'myaml', 'x: 1\n'), 'f')).message).toMatch(/is not valid JSON: /);
  });

  it('a parse error: E_PARSE, the kind of file, the problem on one line, the parser error as cause', () => {
    const dir = tmpDir();
    const j = write(dir, 'bad.json', '{"a": 1,\n "b": }');
    const e = thrown(() => readDataFile(j, 'model config'));
    expect(e.code).toBe('E_PARSE');
    expect(e.message).toBe(`model config '${j}' is not valid JSON: Unexpected token '}', "{"a": 1, "b": }" is not valid JSON`);
    expect(e.cause).toBeInstanceOf(SyntaxError);
    const y = write(dir, 'bad.yaml', 'a: b: c\n');
    const ye = thrown(() => readDataFile(y, 'system file'));
    expect(ye.code).toBe('E_PARSE');
    expect(ye.message).toBe(
      `system file '${y}' is not valid YAML: Nested mappings are not allowed in compact mappings at line 1, column 4`,
    );
  });

  it('a number that is not finite: E_NOT_FINITE with its path as option', () => {
    const dir = tmpDir();
    const f = write(dir, 's.yaml', 'devices:\n  - count: 2\n  - count: -.inf\n');
    const e = thrown(() => readDataFile(f, 'system file'));
    expect([e.code, e.option, e.message]).toEqual([
      'E_NOT_FINITE',
      'devices[1].count',
      `system file '${f}': devices[1].count is not a finite number (too large to hold, or not a number at all)`,
    ]);
    expect(thrown(() => readDataFile(write(dir, 'n.yaml', '.nan\n'), 'x')).option).toBe('(the value)');
  });

  it('reads through readRegularFile: a folder is refused, not parsed', () => {
    const dir = tmpDir();
    expect(thrown(() => readDataFile(dir, 'config')).code).toBe('E_NOT_A_FILE');
  });
});

describe('findConfig: the nearest config file up the folders', () => {
  it('the names, in the order a folder is searched', () => {
    expect(CONFIG_NAMES).toEqual(['lightcode.config.json', 'lightcode.config.yaml', 'lightcode.config.yml']);
  });

  it('in a folder holding several, .json wins over .yaml over .yml', () => {
    const dir = tmpDir();
    write(dir, 'lightcode.config.yml', '');
    expect(findConfig(dir)).toBe(path.join(dir, 'lightcode.config.yml'));
    write(dir, 'lightcode.config.yaml', '');
    expect(findConfig(dir)).toBe(path.join(dir, 'lightcode.config.yaml'));
    write(dir, 'lightcode.config.json', '{}');
    expect(findConfig(dir)).toBe(path.join(dir, 'lightcode.config.json'));
  });

  it('the nearest folder wins; a relative start is resolved; none found up to the root is undefined', () => {
    const root = tmpDir();
    write(root, 'lightcode.config.json', '{}');
    write(root, 'a/lightcode.config.yml', '');
    fs.mkdirSync(path.join(root, 'a/b/c'), { recursive: true });
    expect(findConfig(path.join(root, 'a/b/c'))).toBe(path.join(root, 'a/lightcode.config.yml'));
    expect(findConfig(path.relative(process.cwd(), path.join(root, 'a/b')))).toBe(path.join(root, 'a/lightcode.config.yml'));
    const bare = tmpDir();
    expect(findConfig(bare)).toBeUndefined();
    expect(findConfig('/')).toBeUndefined();
  });
});

describe('loadConfig: read, then checked against CONFIG_SCHEMA', () => {
  const load = (text: string, name = 'lightcode.config.json') => loadConfig(write(tmpDir(), name, text));
  const problem = (text: string) => thrown(() => load(text)).message.replace(/^config file '[^']*': /, '');

  it('a relative path is resolved, and the absolute path returned with the config', () => {
    const dir = tmpDir();
    const f = write(dir, 'lightcode.config.json', '{"plugins": ["a", ["b", {"k": 1}]], "builtins": ["x"]}');
    const r = loadConfig(path.relative(process.cwd(), f));
    expect(r).toEqual({ path: f, config: { plugins: ['a', ['b', { k: 1 }]], builtins: ['x'] } });
  });

  it('a config that does not parse is named as the config file', () => {
    const f = write(tmpDir(), 'lightcode.config.json', '{ nope');
    expect(thrown(() => loadConfig(f)).message).toMatch(new RegExp(`^config file '${f}' is not valid JSON: `));
  });

  it('an empty YAML file is an empty config', () => {
    expect(load('', 'lightcode.config.yaml').config).toEqual({});
    expect(load('{}').config).toEqual({});
  });

  it('builtins: true, false or a list of distinct non-empty names', () => {
    expect(load('{"builtins": true}').config.builtins).toBe(true);
    expect(load('{"builtins": false}').config.builtins).toBe(false);
    expect(load('{"builtins": []}').config.builtins).toEqual([]);
    for (const bad of ['"all"', '["a", "a"]', '[""]', '[1]', '{}']) {
      expect(() => load(`{"builtins": ${bad}}`), bad).toThrow(/^config file '.*': builtins/);
    }
  });

  it('plugins: names and [name, options] pairs only', () => {
    for (const bad of ['5', '[""]', '[3]', '[["a"]]', '[["a", {}, {}]]', '[["", {}]]', '[["a", 1]]', '[[1, {}]]', '[["a", []]]']) {
      expect(() => load(`{"plugins": ${bad}}`), bad).toThrow(/^config file '.*': plugins/);
    }
  });

  it('refusals name the field and what is wrong', () => {
    expect(problem('{"plugins": 5}')).toMatch(/^plugins: must be an array/);
    expect(problem('{"plugin": []}')).toBe('plugin: unknown field (known: plugins, builtins)');
    expect(problem('[1]')).toMatch(/must be an object/);
  });
});
