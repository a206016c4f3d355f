import { quoteArg, quoteArgv, splitCommand } from '../../src/util/shell-words.js';

describe('splitCommand', () => {
  it.each([
    ['docker compose', ['docker', 'compose']],
    ['docker-compose', ['docker-compose']],
    ['  podman   compose  ', ['podman', 'compose']],
    ['docker\t--context\nremote compose', ['docker', '--context', 'remote', 'compose']],
    ['docker --context "my box" compose', ['docker', '--context', 'my box', 'compose']],
    ["docker --context 'my box' compose", ['docker', '--context', 'my box', 'compose']],
    ['a"b c"d', ['ab cd']],
    ['say "a \\"quoted\\" word"', ['say', 'a "quoted" word']],
    ['say "back\\\\slash"', ['say', 'back\\slash']],
    ['say "keep \\n as is"', ['say', 'keep \\n as is']],
    ["say 'no \\escapes here'", ['say', 'no \\escapes here']],
    ['my\\ box', ['my box']],
    ['x ""', ['x', '']],
    ["x ''", ['x', '']],
    ['$HOME ~/bin *', ['$HOME', '~/bin', '*']],
    ['', []],
    ['   ', []],
  ])('%j → %j', (command, argv) => {
    expect(splitCommand(command)).toStrictEqual(argv);
  });

  it.each([
    ['docker "compose', 'an unterminated " quote'],
    ["docker 'compose", "an unterminated ' quote"],
    ['docker\\', 'a trailing \\ that escapes nothing'],
  ])('%j throws a SyntaxError', (command, message) => {
    expect(() => splitCommand(command)).toThrow(SyntaxError);
    expect(() => splitCommand(command)).toThrow(new SyntaxError(message));
  });

});

describe('quoteArg', () => {
  it.each([
    ['docker', 'docker'],
    ['.stagecraft/dev/compose.yaml', '.stagecraft/dev/compose.yaml'],
    ['traefik=0', 'traefik=0'],
    ['--wait-timeout', '--wait-timeout'],
    ['user@host:2375', 'user@host:2375'],
    ['my box', "'my box'"],
    ['', "''"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
    ['a;b', "'a;b'"],
    ['*', "'*'"],
  ])('%j → %s', (arg, quoted) => {
    expect(quoteArg(arg)).toBe(quoted);
  });
});

describe('quoteArgv', () => {
  it('joins quoted arguments with spaces', () => {
    expect(quoteArgv(['docker', '--context', 'my box', 'compose', "it's"])).toBe(
      "docker --context 'my box' compose 'it'\\''s'",
    );
  });

  it.each([
    [['docker', '--context', 'my box', 'compose']],
    [['a b', '', "it's", '"double"', 'back\\slash', 'tab\there']],
  ])('round-trips through splitCommand: %j', (argv) => {
    expect(splitCommand(quoteArgv(argv))).toStrictEqual(argv);
  });
});
