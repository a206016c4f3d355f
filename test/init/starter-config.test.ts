import { parseConfig } from '../../src/config/read-config.js';
import { generateDevFiles } from '../../src/generate/generate-dev-files.js';
import { projectNameFor } from '../../src/init/project-name.js';
import { starterConfig, starterImage } from '../../src/init/starter-config.js';

describe('starterConfig', () => {
  test('validates, and generates a backend and a frontend on busybox, without Traefik', () => {
    const config = parseConfig(starterConfig('demo'), 'stagecraft.yml');
    expect(config.project.name).toBe('demo');
    expect(starterImage).toBe('busybox:latest');
    expect(config.apps.backend).toMatchObject({ image: starterImage, port: 8080 });
    expect(config.apps.frontend).toMatchObject({ image: starterImage, port: 3000, compose: { depends_on: { backend: { condition: 'service_healthy' } } } });
    expect(config.services).toStrictEqual({});
    expect(config.dev.traefik.enabled).toBe(false);
    expect(generateDevFiles(config, '../../stagecraft.yml').map((f) => f.path)).toEqual(['compose.yaml']);
  });

  test.each([
    ['shop', 'shop'],
    ['My Shop', 'myshop'],
    ['-_x.y', 'xy'],
    ['日本', 'app'],
  ])('a directory named %j is project %j', (dir, name) => {
    expect(projectNameFor(dir)).toBe(name);
    expect(parseConfig(starterConfig(projectNameFor(dir)), 'stagecraft.yml').project.name).toBe(name);
  });
});
