import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DockerfileParser, JSONInstruction, ModifiableInstruction } from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';

/**
 * The Dockerfile's rules, checked on its syntax tree (there is no Docker daemon here to build it;
 * deploy/build-image.sh builds and runs it where buildah is installed).
 */

const root = new URL('../', import.meta.url);
const dockerfile = DockerfileParser.parse(readFileSync(new URL('Dockerfile', root), 'utf8'));

/** The instructions of each stage, in order, with the stage's FROM first. */
function stages(): Instruction[][] {
  const found: Instruction[][] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') found.push([instruction]);
    else found.at(-1)?.push(instruction);
  }
  return found;
}

const finalStage = stages().at(-1) ?? [];
const inFinal = (keyword: string) => finalStage.filter((instruction) => instruction.getKeyword() === keyword);
/** Arguments with build arguments replaced by their defaults, flags (--from=…) left out. */
const argumentsOf = (instruction: Instruction) => instruction.getExpandedArguments().map((a) => a.getValue());
/** The strings of an exec-form (JSON) instruction; none for the shell form. */
const jsonArgumentsOf = (instruction: Instruction) =>
  instruction instanceof JSONInstruction ? instruction.getJSONStrings().map((s) => s.getJSONValue()) : [];
const flagOf = (instruction: Instruction, name: string) =>
  instruction instanceof ModifiableInstruction
    ? instruction
        .getFlags()
        .find((flag) => flag.getName() === name)
        ?.getValue()
    : undefined;

describe('the Dockerfile', () => {
  it('builds FROM images pinned by digest, or from its own earlier stages', () => {
    const stageNames: string[] = [];
    for (const stage of stages()) {
      const [image, as, name] = argumentsOf(stage[0] as Instruction);
      assert.ok(image, 'FROM names an image');
      assert.ok(
        stageNames.includes(image) || /^[^@\s]+@sha256:[0-9a-f]{64}$/.test(image),
        `FROM ${image} is pinned by digest`,
      );
      if (as?.toUpperCase() === 'AS' && name) stageNames.push(name);
    }
    const baseImage = dockerfile.getInitialARGs().find((arg) => arg.getProperty()?.getName() === 'BASE_IMAGE');
    assert.match(baseImage?.getProperty()?.getValue() ?? '', /^node:26-[a-z]+-slim@sha256:/, 'Node 26 slim by default');
  });

  it('runs the final stage as a non-root user, numeric so that runtimes can check it', () => {
    const user = inFinal('USER').at(-1);
    assert.ok(user, 'the final stage sets USER');
    const [name, group] = (argumentsOf(user)[0] ?? '').split(':');
    assert.match(name ?? '', /^\d+$/);
    assert.notEqual(Number(name), 0, 'not root');
    assert.notEqual(Number(group ?? name), 0, 'not the root group');
    const entrypoint = inFinal('ENTRYPOINT')[0];
    assert.ok(entrypoint && user.getRange().start.line < entrypoint.getRange().start.line, 'USER precedes the command');
  });

  it('downloads nothing with ADD', () => {
    for (const add of dockerfile.getInstructions().filter((i) => i.getKeyword() === 'ADD')) {
      const sources = argumentsOf(add).slice(0, -1);
      for (const source of sources) assert.doesNotMatch(source, /^([a-z][a-z0-9+.-]*:\/\/|git@)/i, `ADD ${source}`);
    }
  });

  it('starts the CLI under an init process, serving by default', () => {
    const entrypoints = inFinal('ENTRYPOINT');
    assert.equal(entrypoints.length, 1);
    const entrypoint = jsonArgumentsOf(entrypoints[0] as Instruction);
    assert.match(entrypoint[0] ?? '', /(^|\/)(tini|dumb-init)$/, 'an init is PID 1 (exec form)');
    assert.deepEqual(entrypoint.slice(-2), ['node', 'bin/securebase.js']);
    const install = inFinal('RUN').map((run) => run.getArgumentsContent() ?? '');
    assert.ok(
      install.some((run) => /apt-get install[^&]*\b(tini|dumb-init)\b/.test(run)),
      'the final stage installs it',
    );
    assert.deepEqual(jsonArgumentsOf(inFinal('CMD')[0] as Instruction), ['serve']);
  });

  it('probes /livez in a HEALTHCHECK without curl', () => {
    const healthcheck = inFinal('HEALTHCHECK').at(-1);
    assert.ok(healthcheck, 'the final stage has a HEALTHCHECK');
    const [subcommand, ...rest] = (healthcheck.getArgumentsContent() ?? '').split(' ');
    assert.equal(subcommand, 'CMD');
    const command = JSON.parse(rest.join(' ')) as string[];
    assert.equal(command[0], 'node', 'exec form, run by node');
    assert.match(command.join(' '), /fetch\(.*\/livez/);
  });

  it('keeps data in one volume and writes nowhere else', () => {
    assert.deepEqual(inFinal('VOLUME').flatMap(jsonArgumentsOf), ['/data']);
    assert.deepEqual(inFinal('EXPOSE').flatMap(argumentsOf), ['8080']);
    const environment = inFinal('ENV').flatMap(argumentsOf).join(' ');
    assert.match(environment, /SECUREBASE_DATA_DIR=\/data\b/);
    assert.match(environment, /NODE_ENV=production\b/);
  });

  it('ships compiled JavaScript and production dependencies only', () => {
    const copies = inFinal('COPY');
    const fromContext = copies.filter((copy) => flagOf(copy, 'from') === undefined).flatMap((c) => argumentsOf(c));
    for (const source of fromContext)
      assert.doesNotMatch(source, /^(src|portal|scripts|tsconfig)|\.tsx?$/, `COPY ${source} brings no sources`);
    const stageRuns = (name: string) =>
      stages()
        .find((stage) => argumentsOf(stage[0] as Instruction)[2] === name)
        ?.filter((instruction) => instruction.getKeyword() === 'RUN')
        .map((run) => run.getArgumentsContent() ?? '') ?? [];
    const modules = copies.find((copy) => argumentsOf(copy)[0]?.endsWith('node_modules'));
    assert.ok(modules, 'node_modules come from a build stage');
    assert.ok(
      stageRuns(flagOf(modules, 'from') ?? '').some((run) => run.includes('npm ci --omit=dev')),
      'that stage installs with npm ci --omit=dev',
    );
    const built = copies.filter((copy) => /(^|\/)dist$/.test(argumentsOf(copy)[0] ?? ''));
    assert.deepEqual(
      built.map((copy) => argumentsOf(copy)[1]),
      ['dist', 'portal/dist'],
      'the compiled server and the built portal',
    );
  });

  it('has a .dockerignore keeping dependencies, history, secrets and tests out of the context', () => {
    const ignore = new URL('.dockerignore', root);
    assert.ok(existsSync(ignore), '.dockerignore exists');
    const patterns = readFileSync(ignore, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const pattern of ['**/node_modules', '**/dist', '.git', 'secrets', '**/*.test.ts', '**/testing', '.env*'])
      assert.ok(patterns.includes(pattern), `.dockerignore has ${pattern}`);
  });
});
