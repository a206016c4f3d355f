import { composeEnv } from '../../src/commands/cli-runner.js';

describe('composeEnv', () => {
  it('is the given environment without COMPOSE_FILE, which stays in the given one', () => {
    const env = { PATH: '/usr/bin', COMPOSE_FILE: 'prod.yaml', COMPOSE_PROJECT_NAME: 'x', DOCKER_HOST: 'unix:///d.sock' };
    expect(composeEnv(env)).toStrictEqual({ PATH: '/usr/bin', COMPOSE_PROJECT_NAME: 'x', DOCKER_HOST: 'unix:///d.sock' });
    expect(env.COMPOSE_FILE).toBe('prod.yaml');
  });

  it('leaves an environment without COMPOSE_FILE as it was', () => {
    expect(composeEnv({ HOME: '/home/me' })).toStrictEqual({ HOME: '/home/me' });
  });
});
