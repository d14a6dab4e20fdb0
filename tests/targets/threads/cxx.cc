// A C++ target for the threads tests: threads blocked in namespaced,
// templated and member functions, started through std::thread.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <pthread.h>
#include <sys/prctl.h>
#include <unistd.h>

// usage: cxx
//
// Thread "c-member" blocks in outer::inner::Worker<int>::wait_here() (a
// read on a pipe), thread "c-template" in outer::inner::level<0>(), called
// from level<1>() and level<2>() (a nanosleep).  Prints "ready PID", then
// answers "ping" with "pong" and exits at end of input.

static int pipefd[2];
static std::atomic<int> arrived{ 0 };
static volatile unsigned long sink;

namespace outer {
namespace inner {

template <typename T> struct Worker {
	T value;
	void wait_here();
};

template <typename T> __attribute__((noinline)) void Worker<T>::wait_here()
{
	char c;

	arrived++;
	while (read(pipefd[0], &c, 1) != 0)
		sink = sink + static_cast<unsigned long>(value);
}

template <int N> __attribute__((noinline)) void level()
{
	if constexpr (N == 0) {
		arrived++;
		for (;;)
			std::this_thread::sleep_for(std::chrono::hours(1));
	} else {
		level<N - 1>();
		sink = sink + 1;
	}
}

} // namespace inner
} // namespace outer

int main()
{
	std::string line;

	/* Let goscope attach under Yama ptrace_scope=1 (not our parent). */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	if (pipe(pipefd) < 0)
		return 1;
	std::thread member([] {
		outer::inner::Worker<int> w{ 3 };
		w.wait_here();
		sink = sink + 1;
	});
	pthread_setname_np(member.native_handle(), "c-member");
	std::thread tmpl([] {
		outer::inner::level<2>();
		sink = sink + 1;
	});
	pthread_setname_np(tmpl.native_handle(), "c-template");
	while (arrived.load() < 2)
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	std::printf("ready %d\n", static_cast<int>(getpid()));
	std::fflush(stdout);
	while (std::getline(std::cin, line)) {
		std::printf("%s\n", line == "ping" ? "pong" : "unknown command");
		std::fflush(stdout);
	}
	std::_Exit(0);
}
