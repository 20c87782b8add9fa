#include "conformance/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

extern char** environ;

namespace halo::conformance {

std::string ProcessResult::Describe(double timeout_s) const {
  if (!started) return error;
  if (timed_out) return "timed out after " + std::to_string(static_cast<int>(timeout_s)) + " s";
  if (signal != 0) {
    const char* abbrev = sigabbrev_np(signal);
    return std::string("killed by SIG") + (abbrev ? abbrev : std::to_string(signal).c_str());
  }
  return "exit code " + std::to_string(exit_code);
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& log_path,
                         double timeout_s) {
  ProcessResult r;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid;
  int err = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    r.error = "cannot run " + argv[0] + ": " + strerror(err);
    return r;
  }
  r.started = true;

  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  auto pause = std::chrono::microseconds(500);
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      r.started = false;
      r.error = std::string("waitpid: ") + strerror(errno);
      return r;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.timed_out = true;
      return r;
    }
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(10)) pause *= 2;
  }
  if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    kill(-pid, SIGKILL);  // leftovers of the group, if any
  } else {
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

}  // namespace halo::conformance
