// The stagecraft.yml init writes where there is no compose file: a backend and a
// frontend that run anywhere (busybox only), each line saying what to change.

/** The image of both starter services: tiny, with a shell, wget and httpd. */
export const starterImage = 'busybox:latest';

/** The starter stagecraft.yml for project `name` (a valid compose project name). */
export function starterConfig(name: string): string {
  return `# stagecraft.yml: a starter written by \`stagecraft init\` (no compose file was found here).
# A backend and a frontend on ${starterImage}, so it runs anywhere; replace each with your
# own image or build. Then:
#
#   stagecraft dev            # generates .stagecraft/dev/, starts the stack, streams its logs;
#                             # Ctrl+C stops it and removes its containers
#   stagecraft dev generate   # only writes the dev files
#
# Paths are relative to this file. \`$$\` is a literal \`$\` (compose interpolates \`$\`).
project:
  name: ${name}  # the compose project name: this directory's, as compose would take it

# The backend: Traefik routes http://api.localdev.test to it; the other services reach it
# as \`backend\` on the project network.
backend:
  provider: generic              # runs an image or a build as written
  image: ${starterImage}          # or build: { context: ./api, dockerfile: Dockerfile }
  command:                       # a list (exec form) or one string (shell form)
    - sh
    - -c
    - >-
      mkdir -p /srv/api && echo "hello from the backend" > /srv/api/hello.txt &&
      echo "backend: serving /api/hello.txt on :8080" &&
      exec httpd -f -p 8080 -h /srv
  port: 8080                     # the port it listens on in its container
  healthcheck:                   # \`stagecraft dev --wait\` waits until it is healthy
    test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/api/hello.txt"]
    interval: 1s
    timeout: 2s
    retries: 10
  # env: { LOG_LEVEL: debug }      # environment variables
  # volumes: ["./api:/app"]        # bind mounts (relative to this file) and named volumes

# The frontend: Traefik routes http://app.localdev.test to it.
frontend:
  provider: generic
  image: ${starterImage}
  command:
    - sh
    - -c
    - >-
      mkdir -p /www && echo "<h1>hello from the frontend</h1>" > /www/index.html &&
      httpd -p 3000 -h /www && echo "frontend: serving on :3000" &&
      while true; do
      echo "frontend: backend says $$(wget -q -O - http://backend:8080/api/hello.txt 2>&1)";
      sleep 5;
      done
  port: 3000
  compose:                       # any other compose key for this service, as compose.yaml has it
    depends_on:
      backend: { condition: service_healthy }

# Other compose services (a database, a cache), as compose.yaml would have them:
# services:
#   db: { image: postgres:16, environment: { POSTGRES_PASSWORD: dev }, volumes: ["pgdata:/var/lib/postgresql/data"] }

dev:
  # Traefik (traefik:v3) routes app.localdev.test and api.localdev.test to the two services.
  # It is off so that the starter runs without pulling an image. With registry access, set
  # \`traefik: true\` and open http://app.localdev.test (add it to /etc/hosts as 127.0.0.1,
  # or: curl -H 'Host: app.localdev.test' http://127.0.0.1/).
  traefik: false
`;
}
