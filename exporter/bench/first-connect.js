// Preloaded into a measured CLI process (`node --import ./bench/first-connect.js bin/schema-drift.js ...`): prints
// to stderr, as `first-connect-ms <n>`, when the process first opened a TCP connection (the database session, which
// the first query follows), in milliseconds of the process's own clock (`performance.now()` counts from its start).
// Plain JavaScript, not TypeScript, so preloading it does not make Node load its type stripper.
import net from 'node:net';

const connect = net.Socket.prototype.connect;
let reported = false;
net.Socket.prototype.connect = function connectAndReport(...args) {
  if (!reported) {
    reported = true;
    process.stderr.write(`first-connect-ms ${performance.now().toFixed(1)}\n`);
  }
  return connect.apply(this, args);
};
