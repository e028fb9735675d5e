import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { HOST } from '../config.ts';
import type { UnsolicitedName, UnsolicitedPayload } from '@onevisit/protocol';
import type { AgentServices } from '../services.ts';
import { CitizenSessionOwner } from './citizen-session.ts';
import { Connection, type ConnectionLimits } from './connection.ts';
import type { HandlerTable } from './handler.ts';
import { createStaticHandler, securityHeaders } from './static.ts';

/** The WebSocket path (XFS4IoT service endpoint style). */
export const WS_PATH = '/xfs4iot/v1.0';

export type ServerOptions = {
  port: number;
  token: string;
  /** The per-boot launch secret (launch-secret.ts); undefined: the page token is enough (demo, tests). */
  launchSecret?: string | undefined;
  distDir: string;
  services: AgentServices;
  handlers: HandlerTable;
  log: Logger;
  /** Largest incoming frame; bigger ones close the connection (1009). Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Default 16. */
  maxInFlight?: number;
  /** Authenticated connections; default 16: a kiosk has one UI (plus a staff screen, the dev dock and tools). */
  maxConnections?: number;
  /**
   * Connections still waiting to authenticate; default 4. A new one beyond this closes the oldest
   * waiting one instead of being refused, so unauthenticated clients can never keep the kiosk page out.
   */
  maxUnauthenticated?: number;
  /** How long a connection may stay unauthenticated; default 5 s. */
  authDeadlineMs?: number;
  /** Ping interval; a peer that missed the previous pong is dropped. Default 15 s. */
  heartbeatMs?: number;
  /** Default 5 s. */
  abortGraceMs?: number;
};

export interface AgentServer {
  /** Listens on 127.0.0.1; resolves with the real port (for port 0). */
  listen(): Promise<number>;
  port(): number;
  /** Pushes an unsolicited message to every authenticated connection. */
  broadcast<N extends UnsolicitedName>(name: N, payload: UnsolicitedPayload<N>): void;
  /**
   * Graceful stop: tells every UI (Common.ShutdownEvent), aborts commands in flight and
   * waits up to `graceMs` for their completions, closes sockets with 1001, stops listening.
   */
  shutdown(graceMs: number): Promise<void>;
  connectionCount(): number;
}

function rejectUpgrade(socket: Duplex, status: number, text: string, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

export function createAgentServer(options: ServerOptions): AgentServer {
  const log = options.log.child({ component: 'server' });
  let port = options.port;
  let shuttingDown = false;
  const connections = new Set<Connection>();
  const citizenSession = new CitizenSessionOwner();
  const limits: ConnectionLimits = {
    maxInFlight: options.maxInFlight ?? 16,
    abortGraceMs: options.abortGraceMs ?? 5000,
    maxAuthFailures: 5,
    authDeadlineMs: options.authDeadlineMs ?? 5000,
    maxUnauthenticatedMessageBytes: 4096,
  };

  const ownOrigins = (): ReadonlySet<string> => new Set([`http://${HOST}:${port}`, `http://localhost:${port}`]);
  const ownHosts = (): ReadonlySet<string> => new Set([`${HOST}:${port}`, `localhost:${port}`]);

  const serveStatic = createStaticHandler({ distDir: options.distDir, token: options.token, port: () => port });
  const http: Server = createServer((req, res) => {
    // DNS rebinding: a page of another site resolved to 127.0.0.1 still sends its own Host.
    if (!ownHosts().has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(421, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('This agent answers only to 127.0.0.1 and localhost.\n');
      return;
    }
    serveStatic(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'serving a file failed');
      if (!res.headersSent) res.writeHead(500, securityHeaders(port));
      res.end();
    });
  });
  http.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 1024 * 1024, perMessageDeflate: false });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== WS_PATH) {
      rejectUpgrade(socket, 404, 'Not Found', `The WebSocket endpoint is ${WS_PATH}.`);
      return;
    }
    // A browser always sends Origin on a WebSocket upgrade, so a page from anywhere else is refused here.
    // A client without Origin is not a browser page (a local tool or test): it could claim any Origin
    // anyway, so it gets no further than every client does without the per-boot token.
    const origin = req.headers.origin;
    if ((origin !== undefined && !ownOrigins().has(origin.toLowerCase())) || !ownHosts().has((req.headers.host ?? '').toLowerCase())) {
      log.warn({ origin: origin === undefined ? 'none' : origin.slice(0, 100) }, 'refused a connection from a foreign origin');
      rejectUpgrade(socket, 403, 'Forbidden', 'Connections are accepted only from the page this agent serves.');
      return;
    }
    if (shuttingDown) {
      rejectUpgrade(socket, 503, 'Service Unavailable', 'The agent is shutting down.');
      return;
    }
    const waiting = [...connections].filter((c) => !c.authenticated);
    if (connections.size - waiting.length >= (options.maxConnections ?? 16)) {
      rejectUpgrade(socket, 503, 'Service Unavailable', 'Too many connections.');
      return;
    }
    // Oldest first (insertion order): make room by closing the ones that waited longest.
    for (const stale of waiting.slice(0, Math.max(0, waiting.length - (options.maxUnauthenticated ?? 4) + 1))) {
      log.info({ connection: stale.id }, 'closing an unauthenticated connection to make room');
      connections.delete(stale);
      stale.terminate();
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const connection = new Connection(ws, {
        services: options.services,
        handlers: options.handlers,
        token: options.token,
        launchSecret: options.launchSecret,
        log,
        limits,
        shuttingDown: () => shuttingDown,
        citizenSession,
      });
      connections.add(connection);
      ws.on('close', () => connections.delete(connection));
      log.info({ connection: connection.id }, 'connection opened');
    });
  });

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        log.info({ connection: connection.id }, 'peer missed a heartbeat; dropping it');
        connection.terminate();
        continue;
      }
      connection.ping();
    }
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    listen() {
      return new Promise<number>((resolve, reject) => {
        const onError = (error: Error): void => {
          http.off('listening', onListening);
          reject(error);
        };
        const onListening = (): void => {
          http.off('error', onError);
          const address = http.address();
          if (address !== null && typeof address === 'object') port = address.port;
          resolve(port);
        };
        http.once('error', onError);
        http.once('listening', onListening);
        http.listen(options.port, HOST);
      });
    },
    port: () => port,
    broadcast(name, payload) {
      for (const connection of connections) connection.push(name, payload);
    },
    connectionCount: () => connections.size,
    async shutdown(graceMs) {
      if (shuttingDown) return;
      shuttingDown = true;
      clearInterval(heartbeat);
      for (const connection of connections) connection.push('Common.ShutdownEvent', { reason: 'shutdown', graceMs });
      for (const connection of connections) connection.abortAll('shutdown');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...connections].map((c) => c.drained())),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      for (const connection of connections) connection.forceFinishAll();
      const closed = [...connections].map(
        (c) =>
          new Promise<void>((resolve) => {
            const done = setTimeout(() => {
              c.terminate();
              resolve();
            }, 1000);
            c.onClosed(() => {
              clearTimeout(done);
              resolve();
            });
          }),
      );
      for (const connection of connections) connection.close(1001, 'Agent shutting down');
      await Promise.all(closed);
      wss.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
