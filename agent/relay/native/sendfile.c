// depot-relay's zero-copy path: sendfile(2) from a cached file to a client's socket.
//
// Why native: Node has no sendfile. Serving through JavaScript reads every byte into a buffer and
// writes it back into the kernel (two copies and a promise per chunk); sendfile hands the page
// cache's pages to the socket. Measured on 2 cores, 40 curl clients of a cached 1 GiB file: the
// relay's own CPU fell from 0.80 to 0.31 s per GiB and the aggregate rose from 1.1 to 2.0 GiB/s.
//
// How: four threads, each with its own epoll set, pump the transfers (given out in turn; more than
// one so that a read from disk, which blocks sendfile however the socket is set, stalls only the
// clients of that thread). The JavaScript side has already
// written the response's headers and has nothing queued on the socket; it hands over the socket
// and file descriptors, which are duplicated here, so the connection stays valid for this thread
// even if Node closes its own descriptor meanwhile. The thread calls sendfile until the socket is
// full (EAGAIN), waits for EPOLLOUT (one-shot, re-armed each time), and when the range is sent or
// an error ends it, reports back to the JavaScript thread through a thread-safe function.
//
// Ownership: the transfer (and the duplicated socket) is freed on the JavaScript thread, in the
// completion call. cancel() runs on that thread too, so it can never touch a freed transfer or a
// descriptor number that has been reused. One exception: when the JavaScript environment goes
// away with transfers running (a worker thread ends, the process exits), its cleanup hook marks
// them orphaned and shuts their sockets; the pumping thread then frees them itself and never
// touches the environment's thread-safe function again. build.mjs links with -z nodelete, so
// the pumping threads' code is never unloaded under them.
#define _GNU_SOURCE
// 64-bit offsets on 32-bit Linux too (a relay on an ARM board serving files over 2 GiB).
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

// The completion's code when the file ends before the range does (a truncated cache file).
#define SHORT_FILE (-1)

typedef struct transfer {
  int sock;      // our duplicate of the client's socket; closed on the JavaScript thread
  int file;      // our duplicate of the file; closed by the pumping thread when done
  off_t offset;  // next byte of the file to send
  uint64_t left; // bytes of the range still to send
  uint64_t sent;
  int error;     // 0, an errno, or SHORT_FILE
  int epoll_fd;  // the epoll set of the thread that pumps it
  enum { RUNNING, QUEUED, ORPHANED } state; // guarded by `lock`
  napi_env env;
  napi_threadsafe_function done;
} transfer;

#define PUMPS 4
static int epoll_fds[PUMPS];
static unsigned next_pump = 0;
static int start_error = 0;
static pthread_once_t started = PTHREAD_ONCE_INIT;
// Between a pumping thread handing a transfer back and an environment's cleanup orphaning it.
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void env_gone(void *arg);

static void complete(transfer *t) {
  epoll_ctl(t->epoll_fd, EPOLL_CTL_DEL, t->sock, NULL);
  close(t->file);
  pthread_mutex_lock(&lock);
  if (t->state == RUNNING) {
    t->state = QUEUED;
    // Read before the call: the JavaScript thread may free t as soon as it is queued.
    napi_threadsafe_function done = t->done;
    if (napi_call_threadsafe_function(done, t, napi_tsfn_nonblocking) == napi_ok) {
      napi_release_threadsafe_function(done, napi_tsfn_release);
      pthread_mutex_unlock(&lock);
      return;
    }
    // Refused only while the environment closes, after env_gone has run: nobody waits for t.
  }
  pthread_mutex_unlock(&lock);
  close(t->sock);
  free(t);
}

// Sends until the range is done, the socket is full or an error ends the transfer.
static void pump(transfer *t) {
  while (t->left > 0) {
    // sendfile moves at most 0x7ffff000 bytes a call.
    size_t want = t->left > (1u << 30) ? (1u << 30) : (size_t)t->left;
    ssize_t n = sendfile(t->sock, t->file, &t->offset, want);
    if (n > 0) {
      t->left -= (uint64_t)n;
      t->sent += (uint64_t)n;
      continue;
    }
    if (n == 0) {
      t->error = SHORT_FILE;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT, .data.ptr = t};
      if (epoll_ctl(t->epoll_fd, EPOLL_CTL_MOD, t->sock, &ev) == 0) return;
    }
    t->error = errno;
    break;
  }
  complete(t);
}

static void *pump_loop(void *arg) {
  int epoll_fd = *(int *)arg;
  // No signal is handled here: a SIGPIPE from a client that left stays pending on this thread
  // (sendfile reports EPIPE) even if the process's disposition is no longer Node's SIG_IGN.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(epoll_fd, events, 64, -1);
    for (int i = 0; i < n; i++) pump((transfer *)events[i].data.ptr);
  }
  return NULL;
}

static void start_pumps(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // A thread only waits and calls sendfile: a small stack is plenty.
  pthread_attr_setstacksize(&attr, 256 * 1024);
  for (int i = 0; i < PUMPS && start_error == 0; i++) {
    epoll_fds[i] = epoll_create1(EPOLL_CLOEXEC);
    pthread_t thread;
    if (epoll_fds[i] < 0) start_error = errno;
    else start_error = pthread_create(&thread, &attr, pump_loop, &epoll_fds[i]);
  }
  pthread_attr_destroy(&attr);
}

// On the JavaScript thread: done(code, sent), then the transfer is gone.
static void call_done(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  transfer *t = data;
  close(t->sock);
  // env is NULL when the environment is going away with this completion still queued.
  if (env != NULL) napi_remove_env_cleanup_hook(env, env_gone, t);
  if (env != NULL && callback != NULL) {
    napi_value args[2], undefined;
    napi_get_undefined(env, &undefined);
    napi_create_int32(env, t->error, &args[0]);
    napi_create_double(env, (double)t->sent, &args[1]);
    napi_call_function(env, undefined, callback, 2, args, NULL);
  }
  free(t);
}

// The environment's cleanup: runs on its JavaScript thread before its thread-safe functions are
// deleted. A running transfer is orphaned and its socket shut, which wakes its pumping thread.
static void env_gone(void *arg) {
  transfer *t = arg;
  pthread_mutex_lock(&lock);
  if (t->state == RUNNING) {
    t->state = ORPHANED;
    shutdown(t->sock, SHUT_RDWR);
  }
  pthread_mutex_unlock(&lock);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

// start(socketFd, fileFd, offset, length, done(code, sent)) → a handle for cancel()
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) return fail(env, "start(socketFd, fileFd, offset, length, done) takes five arguments");
  int32_t sock, file;
  double offset, length;
  if (napi_get_value_int32(env, argv[0], &sock) != napi_ok || napi_get_value_int32(env, argv[1], &file) != napi_ok) return fail(env, "socketFd and fileFd must be numbers");
  if (napi_get_value_double(env, argv[2], &offset) != napi_ok || napi_get_value_double(env, argv[3], &length) != napi_ok || !isfinite(offset) || !isfinite(length) ||
      offset != floor(offset) || length != floor(length) || offset < 0 || length <= 0 || offset + length > 9007199254740991.0)
    return fail(env, "offset must be a whole number ≥ 0 and length a whole number > 0");

  pthread_once(&started, start_pumps);
  if (start_error != 0) return fail(env, "the sendfile threads could not start");

  transfer *t = calloc(1, sizeof *t);
  if (t == NULL) return fail(env, "out of memory");
  t->sock = fcntl(sock, F_DUPFD_CLOEXEC, 0);
  t->file = fcntl(file, F_DUPFD_CLOEXEC, 0);
  t->offset = (off_t)offset;
  t->left = (uint64_t)length;
  t->env = env;
  t->state = RUNNING;
  t->epoll_fd = epoll_fds[__atomic_fetch_add(&next_pump, 1, __ATOMIC_RELAXED) % PUMPS];
  napi_value name;
  napi_create_string_utf8(env, "depot-relay sendfile", NAPI_AUTO_LENGTH, &name);
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT, .data.ptr = t};
  if (t->sock < 0 || t->file < 0 || napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, NULL, NULL, NULL, call_done, &t->done) != napi_ok) {
    if (t->sock >= 0) close(t->sock);
    if (t->file >= 0) close(t->file);
    free(t);
    return fail(env, "could not set up the transfer");
  }
  napi_add_env_cleanup_hook(env, env_gone, t);
  // Armed last: from here the pumping thread owns t until it reports back.
  if (epoll_ctl(t->epoll_fd, EPOLL_CTL_ADD, t->sock, &ev) != 0) {
    napi_remove_env_cleanup_hook(env, env_gone, t);
    close(t->sock);
    close(t->file);
    napi_release_threadsafe_function(t->done, napi_tsfn_release);
    free(t);
    return fail(env, "could not watch the socket");
  }
  napi_value handle;
  napi_create_external(env, t, NULL, NULL, &handle);
  return handle;
}

// cancel(handle): only before done() has been called (the caller keeps track). Shutting the
// socket down wakes the pumping thread (a shut socket polls writable) and its next sendfile fails
// with EPIPE, so the transfer ends even when the client has stopped reading.
static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *t = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_external(env, argv[0], &t) != napi_ok) return fail(env, "cancel(handle) takes the handle start() returned");
  shutdown(((transfer *)t)->sock, SHUT_RDWR);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &fn);
  napi_set_named_property(env, exports, "start", fn);
  napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, cancel, NULL, &fn);
  napi_set_named_property(env, exports, "cancel", fn);
  return exports;
}
