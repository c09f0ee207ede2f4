/** Reading a solution folder: files, parsed documents, source positions and the problems found. */
import fs from 'node:fs';
import path from 'node:path';
import { problem, type SolutionSourceError, type SolutionSourceErrorKind } from './errors';
import type { SolutionModel } from './model';
import { type XmlDocument, parseXml } from './source-xml';

/** Lines of model elements, for messages that point at one element. */
export class SourcePositions {
  private readonly lines = new WeakMap<object, number>();
  private readonly refs = new WeakMap<object, Map<string, number>>();

  set(target: object, line: number): void {
    this.lines.set(target, line);
  }

  of(target: object): number | undefined {
    return this.lines.get(target);
  }

  /** Line of the first place `owner` names `key` (a form's field, a view's column…). */
  setRef(owner: object, key: string, line: number): void {
    let map = this.refs.get(owner);
    if (!map) this.refs.set(owner, (map = new Map<string, number>()));
    if (!map.has(key)) map.set(key, line);
  }

  ref(owner: object, key: string): number | undefined {
    return this.refs.get(owner)?.get(key);
  }
}

export interface SolutionSource {
  /** `undefined` when the folder holds no readable `Other/Solution.xml`. */
  model: SolutionModel | undefined;
  /** Problems found while reading (malformed XML, columns without a type…). */
  problems: SolutionSourceError[];
  /** Every XML file read, parsed. */
  documents: XmlDocument[];
  positions: SourcePositions;
  /** Where each model element came from. */
  files: { solutionXml: string; srcDir: string };
}

function isProblem(value: XmlDocument | SolutionSourceError): value is SolutionSourceError {
  return 'kind' in value;
}

export function listFiles(dir: string, predicate: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (predicate(full)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** The folder holding `Other/Solution.xml`: `<dir>/src` in the pac layout, or `dir` itself. */
export function solutionSrcDir(dir: string): string {
  const src = path.join(dir, 'src');
  return fs.existsSync(path.join(src, 'Other')) ? src : dir;
}

export class Reader {
  readonly problems: SolutionSourceError[] = [];
  readonly documents: XmlDocument[] = [];
  readonly positions = new SourcePositions();

  read(file: string): XmlDocument | undefined {
    const parsed = parseXml(fs.readFileSync(file, 'utf8'), file);
    if (isProblem(parsed)) {
      this.problems.push(parsed);
      return undefined;
    }
    this.documents.push(parsed);
    return parsed;
  }

  report(
    kind: SolutionSourceErrorKind,
    file: string,
    line: number | undefined,
    message: string,
    fix: string,
  ): void {
    this.problems.push(problem(kind, file, line, message, fix));
  }
}
