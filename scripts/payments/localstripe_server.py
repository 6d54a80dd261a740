"""Runs localstripe (the Stripe-compatible server the payments service talks to) on loopback,
with its data kept under the given directory so that it survives kill -9 and restarts.

    python localstripe_server.py --data-dir DIR [--pid-file FILE] [--host 127.0.0.1] [--port 8420]

Started by scripts/lib/payments.sh (./shop up) with the Python tools' interpreter
(tests/python/requirements.lock pins localstripe 1.15.10). Nothing of localstripe is copied or
changed on disk: this file imports it and adjusts three things before serving its aiohttp `app`.

What localstripe 1.15.10 does by itself (localstripe/resources.py, server.py, webhooks.py):
- `Store.dump_to_disk()` pickles the whole store to the literal path /tmp/localstripe.pickle,
  and `try_load_from_disk()` reads it from there; no option changes the path. Its CLI
  (`server.start()`) also binds ('::', port), every interface.
- It dumps often, not only at exit: on every `store[key] = ...` / `del store[key]` and, through
  its `save_store_middleware`, after every POST/PUT/DELETE (objects are also changed in place,
  e.g. a capture sets `status`, which no `__setitem__` sees). Its handlers do not yield between
  changing the store and answering, and that dump runs before the answer is written, so once
  an answer is sent its change is on disk: kill -9 after an answer loses nothing. (Not covered,
  upstream or here: SEPA debits, whose status changes 0.5 s after the answer; the shop's cards
  are settled within the request.)
- But the dump is `open(path, 'wb')` + `pickle.dump`: kill -9 between the truncation and the
  end of the write leaves a truncated pickle, and the next start dies on it (only
  FileNotFoundError is caught). And loading re-dumps while it reads: unpickling a dict
  subclass calls `Store.__setitem__` once per item, so every loaded item rewrites the very
  file being read.
- Webhook endpoints (`POST /_config/webhooks/{id}`) live only in memory (webhooks._webhooks):
  a restart forgets them.

So, before serving:
1. `Store.dump_to_disk` / `Store.try_load_from_disk` are replaced on the class (the module's
   `store` instance is created at import, so patching the class is what reaches it) by versions
   that use <data-dir>/store.pickle, write atomically (a temporary file, then rename: a kill
   leaves the old or the new store, never half of one), read the file whole before unpickling,
   and do not dump while loading. No fsync: kill -9 does not lose what the kernel already has;
   only a machine crash would, and that is out of scope for a local test double.
2. Within a request, dumps are deferred and done once when the request ends (before its answer
   is sent): a confirmed PaymentIntent stores several objects (charge, balance transaction,
   event), and each would otherwise pickle the whole store again. Dumps from outside a request
   still write at once.
3. Registered webhooks are written to <data-dir>/webhooks.json (mode 600: it holds the signing
   secrets) and registered again at start.

The process writes its own pid file once it owns its port, so a copy started again with the
same command line (what the end-to-end tests do after a kill -9, tests/e2e/src/process.rs) is
the one ./shop stop and ./shop status see, and a copy that cannot bind its port (one is already
running) exits without touching the file.
"""

import argparse
import contextvars
import functools
import json
import logging
import os
import pickle
import socket
import sys
import tempfile

from aiohttp import web

from localstripe import resources, server, webhooks

log = logging.getLogger("localstripe_server")


class Persistence:
    def __init__(self, data_dir):
        self.store_path = os.path.join(data_dir, "store.pickle")
        self.webhooks_path = os.path.join(data_dir, "webhooks.json")
        self.data_dir = data_dir
        self.loading = False
        # The request being handled, if any (an object with `open` and `dirty`). Tasks spawned by
        # a request inherit it; once the request has ended (`open` false) they write at once.
        self.request = contextvars.ContextVar("localstripe_request", default=None)

    def _write_atomically(self, path, data, mode=0o600):
        prefix = "." + os.path.basename(path) + "."
        fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=prefix)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    # --- the store
    def dump(self, store):
        if self.loading:
            return
        scope = self.request.get()
        if scope is not None and scope["open"]:
            scope["dirty"] = True
            return
        data = pickle.dumps(store, protocol=pickle.HIGHEST_PROTOCOL)
        self._write_atomically(self.store_path, data)

    def load(self, store):
        try:
            with open(self.store_path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return
        self.loading = True
        try:
            old = pickle.loads(data)
        finally:
            self.loading = False
        # dict methods, not Store's: nothing to dump, the file is what was just read.
        dict.clear(store)
        dict.update(store, old)

    @web.middleware
    async def middleware(self, request, handler):
        scope = {"open": True, "dirty": False}
        token = self.request.set(scope)
        try:
            return await handler(request)
        finally:
            scope["open"] = False
            self.request.reset(token)
            if scope["dirty"]:
                self.dump(resources.store)

    # --- webhook endpoints
    def register_webhook(self, id, url, secret, events):
        webhooks.register_webhook(id, url, secret, events)
        saved = {
            key: {"url": hook.url, "secret": hook.secret, "events": hook.events}
            for key, hook in webhooks._webhooks.items()
        }
        self._write_atomically(self.webhooks_path, json.dumps(saved, indent=2).encode())

    def load_webhooks(self):
        try:
            with open(self.webhooks_path) as f:
                saved = json.load(f)
        except FileNotFoundError:
            return
        for key, hook in saved.items():
            webhooks.register_webhook(key, hook["url"], hook["secret"], hook["events"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="where the store and webhooks are kept")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--pid-file",
                        help="written with this process's id once it owns the port and has its data")
    args = parser.parse_args()

    data_dir = os.path.abspath(args.data_dir)
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    persistence = Persistence(data_dir)
    resources.Store.dump_to_disk = lambda store: persistence.dump(store)
    resources.Store.try_load_from_disk = lambda store: persistence.load(store)
    # server.config_webhook calls the name it imported into its own module.
    server.register_webhook = persistence.register_webhook
    # Outermost, so it also covers localstripe's own middlewares (its error answers, its
    # save_store_middleware, whose dump it turns into the one dump at the end).
    server.app.middlewares.insert(0, persistence.middleware)

    # Logs like localstripe's own CLI: one access line per request, and the webhook deliveries
    # (webhooks.py logs them to aiohttp.access too).
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    access = logging.getLogger("aiohttp.access")
    access.setLevel(logging.DEBUG)

    # Bound here rather than by run_app(host=, port=), so that a second copy (one is running
    # already) stops before it reads the store or writes the pid file. SO_REUSEADDR as asyncio
    # would set it: a restart right after a kill -9 must not wait out the old connections'
    # TIME_WAIT.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        sys.exit(f"localstripe: cannot listen on {args.host}:{args.port}: {e}")

    resources.store.try_load_from_disk()
    persistence.load_webhooks()
    log.info("localstripe: %d objects and %d webhook endpoints loaded from %s",
             len(resources.store), len(webhooks._webhooks), data_dir)
    if args.pid_file:
        tmp = args.pid_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, args.pid_file)
    web.run_app(server.app, sock=sock, access_log=access,
                print=functools.partial(print, flush=True))


if __name__ == "__main__":
    main()
