#include "fen/models/cancellation.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace fen::models {
namespace {

int g_pipe[2] = {-1, -1};
volatile sig_atomic_t g_count = 0;
volatile sig_atomic_t g_sigint_count = 0;
struct sigaction g_old[3];
const int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

void OnSignal(int sig) {
  int saved = errno;
  if (sig == SIGINT) {
    g_sigint_count = g_sigint_count + 1;
    if (g_sigint_count >= 2) _exit(130);
  }
  g_count = g_count + 1;
  if (g_pipe[1] >= 0) {
    char c = 1;
    ssize_t r = write(g_pipe[1], &c, 1);
    (void)r;
  }
  errno = saved;
}

}  // namespace

std::unique_ptr<CancellationSignals> CancellationSignals::Install() {
  if (g_pipe[0] < 0) {
    if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return nullptr;
  }
  g_count = 0;
  g_sigint_count = 0;
  for (int i = 0; i < 3; ++i) {
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(kSignals[i], &sa, &g_old[i]);
  }
  return std::unique_ptr<CancellationSignals>(new CancellationSignals());
}

CancellationSignals::~CancellationSignals() {
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_old[i], nullptr);
  close(g_pipe[0]);
  close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

int CancellationSignals::fd() const { return g_pipe[0]; }
bool CancellationSignals::requested() const { return g_count > 0; }

bool CancellationRequested() { return g_pipe[0] >= 0 && g_count > 0; }
int CancellationFd() { return g_pipe[0]; }

}  // namespace fen::models
