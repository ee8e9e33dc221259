/**
 * The exporter's HTTP server (express 5): landing page, probes, `/metrics` and the report API. It only reads the
 * report store and asks the scheduler for checks; it never connects to a monitored database itself, and an
 * unknown target name is rejected before anything else happens.
 */
import { STATUS_CODES } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ClaimedElsewhereError, SchedulerStoppedError } from '../agent/scheduler.ts';
import { ReportNotStoredError } from '../store/save-failure.ts';
import { requireCredentials } from './auth.ts';
import type { AppDeps, AppLogger } from './deps.ts';
import { connectionDetailsScrubber, openToTheNetwork } from './exposure.ts';
import { renderRunbookPage } from './runbook.ts';
import { renderLandingPage } from './landing.ts';
import { HttpError } from './params.ts';
import { apiRouter } from './routes.ts';
import { configuredHeaders, rateLimit } from './web-policy.ts';

/** Security headers on every response; `X-Powered-By` is disabled on the app. */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  next();
};

/**
 * Rewrites every JSON answer of the API with the targets' hosts and users removed (error messages quote them). On the
 * serialised text, so no field is missed; only when the server is open to the network without a token.
 */
function hideConnectionDetails(scrub: (text: string) => string): RequestHandler {
  return (_req, res, next) => {
    res.json = (body: unknown) => res.type('application/json').send(scrub(JSON.stringify(body)));
    next();
  };
}

/** Builds the express app. It does not listen: the caller does (`app.listen(port, host)`). */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  const web = deps.config.web;
  // Headers first, so every answer carries them, the rate limit's 429 included.
  app.use(securityHeaders);
  if (web && Object.keys(web.headers).length > 0) app.use(configuredHeaders(web.headers));

  // The probes before the rate limit: a load balancer must get its answer however busy the API is.
  app.get('/healthz', (_req, res) => {
    res.type('text').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const state = deps.ready();
    res.status(state.ready ? 200 : 503).type('text').send(state.ready ? 'ok\n' : `not ready: ${state.reason ?? 'unknown'}\n`);
  });
  if (web?.rateLimit) app.use(rateLimit(web.rateLimit));

  const auth = requireCredentials({ bearerToken: deps.config.bearerToken, basicAuthUsers: web?.basicAuthUsers });
  app.get('/', async (_req, res) => {
    const page = await renderLandingPage(deps);
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(page);
  });
  const runbook = renderRunbookPage();
  app.get('/runbook', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(runbook);
  });
  app.get('/metrics', auth, deps.metricsHandler);
  if (openToTheNetwork(deps.config)) app.use('/api/v1', hideConnectionDetails(connectionDetailsScrubber(deps.config)));
  app.use('/api/v1', auth, apiRouter(deps));

  app.use((req, _res, next) => next(new HttpError(404, `not found: ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return app;
}

/**
 * Status and client-facing message of an error: ours keep theirs, a stopping scheduler is 503, express's own 4xx keep
 * their status (with their message only when marked `expose`), everything else is a 500 without details.
 */
function statusOf(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  // The agent is shutting down: the check was cancelled and produced no report; a retry later may succeed.
  if (err instanceof SchedulerStoppedError) return { status: 503, message: err.message };
  // The check ran but the store refused its report (full disk, read-only file): no report id to give.
  if (err instanceof ReportNotStoredError) return { status: 503, message: err.message };
  // Replicas share the store and another one's check of the target outlasted the wait: its report will be the latest.
  if (err instanceof ClaimedElsewhereError) return { status: 503, message: err.message };
  const e = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    // The router marks an undecodable path parameter 400 without `expose`; say what is wrong in our own words.
    if (err instanceof URIError) return { status: 400, message: 'malformed percent-encoding in the URL path' };
    const exposed = e.expose === true && typeof e.message === 'string';
    return { status: e.status, message: exposed ? (e.message as string) : (STATUS_CODES[e.status] ?? 'bad request') };
  }
  return { status: 500, message: 'internal server error' };
}

/** JSON errors everywhere, never a stack trace; an unexpected error (500) goes to the log, its details nowhere else. */
function errorHandler(log: AppLogger | undefined): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const { status, message } = statusOf(err);
    if (status === 500) log?.error({ err, method: req.method, path: req.path }, 'http: request failed');
    res.status(status).json({ error: message });
  };
}
