// The Dockerfile rules we hold our image to (hadolint's that matter here, plus the container
// contract of docs/deployment.md), checked on the parsed file: each broken rule is one message.
import { DockerfileParser, type Instruction, ModifiableInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** The final stage's promises, for tests that run what it says. */
export interface ImageContract {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly healthcheck: readonly string[];
  readonly stopSignal: string | null;
  readonly exposed: readonly number[];
  readonly env: Readonly<Record<string, string>>;
  /** What the stage's COPY instructions copy in (their sources: `site`, `/app/dist`...). */
  readonly copied: readonly string[];
}

interface Stage {
  readonly name: string | null;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

function stagesOf(text: string): Stage[] {
  const stages: { name: string | null; image: string; instructions: Instruction[] }[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const words = instruction.getArgumentsContent()?.split(/\s+/) ?? [];
      const as = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        image: words[0] ?? '',
        name: as === -1 ? null : (words[as + 1] ?? null),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The argv of an exec-form (JSON array) instruction, or null for the shell form. */
function execForm(content: string | null): string[] | null {
  try {
    const parsed: unknown = JSON.parse(content ?? '');
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')
      ? parsed
      : null;
  } catch {
    return null;
  }
}

function where(instruction: Instruction): string {
  return `line ${instruction.getRange().start.line + 1} ${instruction.getKeyword()}`;
}

function last(instructions: readonly Instruction[], keyword: string): Instruction | undefined {
  return instructions.filter((instruction) => instruction.getKeyword() === keyword).at(-1);
}

/** The ENV settings of a stage (`ENV A=b C=d`). */
function envOf(instructions: readonly Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of instructions) {
    if (instruction.getKeyword() !== 'ENV') continue;
    for (const pair of instruction.getArgumentsContent()?.split(/\s+/) ?? []) {
      const [key, ...value] = pair.split('=');
      if (key !== undefined && key !== '') env[key] = value.join('=');
    }
  }
  return env;
}

function contractOf(stage: Stage): ImageContract {
  const { instructions } = stage;
  const health = last(instructions, 'HEALTHCHECK')?.getArgumentsContent() ?? '';
  return {
    entrypoint: execForm(last(instructions, 'ENTRYPOINT')?.getArgumentsContent() ?? null) ?? [],
    cmd: execForm(last(instructions, 'CMD')?.getArgumentsContent() ?? null) ?? [],
    healthcheck: execForm(health.replace(/^CMD\s+/, '')) ?? [],
    stopSignal: last(instructions, 'STOPSIGNAL')?.getArgumentsContent() ?? null,
    exposed: instructions
      .filter((instruction) => instruction.getKeyword() === 'EXPOSE')
      .flatMap((instruction) => instruction.getArgumentsContent()?.split(/\s+/) ?? [])
      .map((port) => Number.parseInt(port, 10)),
    env: envOf(instructions),
    copied: instructions
      .filter((instruction) => instruction.getKeyword() === 'COPY')
      .flatMap((instruction) =>
        instruction
          .getArguments()
          .map((argument) => argument.getValue())
          .slice(0, -1),
      ),
  };
}

/** What the final stage promises (throws when there is no stage at all). */
export function imageContract(text: string): ImageContract {
  const final = stagesOf(text).at(-1);
  if (final === undefined) throw new Error('no FROM in the Dockerfile');
  return contractOf(final);
}

/** Rules for every instruction of every stage. */
function instructionProblems(stages: readonly Stage[]): string[] {
  const problems: string[] = [];
  const named = new Set<string>();
  for (const stage of stages) {
    // DL3006, DL3007: a base image with a tag that says which one, never `latest`.
    const tag = /^[^@]+:([^:/@]+)$/.exec(stage.image)?.[1];
    if (tag === undefined || tag === 'latest') {
      problems.push(`FROM ${stage.image}: pin the base image with a version tag`);
    }
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      const content = instruction.getArgumentsContent() ?? '';
      // DL3020: COPY, not ADD (no surprise downloads or unpacking).
      if (keyword === 'ADD') problems.push(`${where(instruction)}: use COPY, not ADD`);
      // DL3000: WORKDIR is absolute.
      if (keyword === 'WORKDIR' && !content.startsWith('/')) {
        problems.push(`${where(instruction)}: WORKDIR must be an absolute path`);
      }
      if (keyword === 'RUN') {
        // DL3003: WORKDIR, not cd; DL3004: no sudo.
        if (/(^|[;&|]\s*)cd\s/.test(content))
          problems.push(`${where(instruction)}: use WORKDIR, not cd`);
        if (/\bsudo\b/.test(content)) problems.push(`${where(instruction)}: no sudo`);
        // Reproducible installs: the lock file, never a fresh resolution.
        if (/\bnpm (install|i)\b/.test(content)) {
          problems.push(`${where(instruction)}: use npm ci (the lock file), not npm install`);
        }
        // DL3014, DL3015: apt-get install -y --no-install-recommends.
        if (/apt-get install/.test(content) && !/--no-install-recommends/.test(content)) {
          problems.push(`${where(instruction)}: apt-get install needs --no-install-recommends`);
        }
      }
      if (keyword === 'COPY' && instruction instanceof ModifiableInstruction) {
        // DL3022: COPY --from names an earlier stage.
        const from = instruction.getFlags().find((flag) => flag.getName() === 'from');
        const source = from?.getValue();
        if (source !== undefined && source !== null && !named.has(source)) {
          problems.push(`${where(instruction)}: COPY --from=${source} names no earlier stage`);
        }
      }
    }
    if (stage.name !== null) named.add(stage.name);
  }
  return problems;
}

/** Rules for the stage that becomes the image. */
function finalStageProblems(stages: readonly Stage[]): string[] {
  const problems: string[] = [];
  const final = stages.at(-1);
  if (final === undefined) return ['no FROM in the Dockerfile'];
  if (stages.length < 2) problems.push('multi-stage: build in one stage, run from another');
  const contract = contractOf(final);
  // DL3002: the image does not run as root.
  const user = last(final.instructions, 'USER')?.getArgumentsContent()?.split(':')[0];
  if (user === undefined || user === 'root' || user === '0') {
    problems.push('the final stage must switch to a non-root USER');
  }
  // DL3025: exec form, so the signal goes to node itself and node is PID 1.
  if (contract.entrypoint[0] !== 'node') {
    problems.push('ENTRYPOINT must be the exec form starting with node (no shell, no npm)');
  }
  if (contract.cmd.length === 0) problems.push('CMD must be the exec form (a JSON array)');
  if (contract.stopSignal !== 'SIGTERM') problems.push('STOPSIGNAL must be SIGTERM (the drain)');
  if (contract.healthcheck.length === 0) {
    problems.push('HEALTHCHECK must be the exec form (CMD [...]), no shell needed');
  } else if (!contract.healthcheck.join(' ').includes('/healthz')) {
    problems.push('HEALTHCHECK must ask /healthz on the admin listener');
  }
  const port = contract.cmd[contract.cmd.indexOf('--port') + 1];
  if (port === undefined || !contract.exposed.includes(Number(port))) {
    problems.push(`EXPOSE must list the port CMD listens on (${port ?? 'none'})`);
  }
  // Only production dependencies: node_modules comes from a stage that installed with --omit=dev.
  for (const instruction of final.instructions) {
    const content = instruction.getArgumentsContent() ?? '';
    if (instruction.getKeyword() === 'RUN' && /\bnpm (ci|install|i)\b/.test(content)) {
      problems.push(
        `${where(instruction)}: install dependencies in a build stage, not the final one`,
      );
    }
    if (instruction.getKeyword() !== 'COPY' || !/\bnode_modules\b/.test(content)) continue;
    const from =
      instruction instanceof ModifiableInstruction
        ? instruction
            .getFlags()
            .find((flag) => flag.getName() === 'from')
            ?.getValue()
        : undefined;
    const source = stages.find((stage) => stage.name === from);
    const omitsDev = source?.instructions.some(
      (i) =>
        i.getKeyword() === 'RUN' && /npm ci\b[^&;]*--omit=dev/.test(i.getArgumentsContent() ?? ''),
    );
    if (omitsDev !== true) {
      problems.push(
        `${where(instruction)}: node_modules must come from an \`npm ci --omit=dev\` stage`,
      );
    }
  }
  return problems;
}

/** Every broken rule, as messages; [] for a Dockerfile that keeps them all. */
export function lintDockerfile(text: string): string[] {
  const syntax = validate(text).map(
    (diagnostic) =>
      `line ${diagnostic.range.start.line + 1}: ${typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value}`,
  );
  const stages = stagesOf(text);
  return [...syntax, ...instructionProblems(stages), ...finalStageProblems(stages)];
}
