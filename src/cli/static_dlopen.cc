// The static fen binary's dlopen (CMakeLists.txt, `fen` target): the link wraps every dlopen
// reference (-Wl,--wrap=dlopen) to this function. Only SQLite's extension loader refers to
// dlopen, and fen never enables extension loading; a static glibc's real dlopen would need the
// shared libraries of the exact glibc the binary was linked with. Returning null makes SQLite
// report "cannot load" (it asks dlerror, which then has nothing to say) instead of loading.
extern "C" void* __wrap_dlopen(const char* /*file*/, int /*mode*/) { return nullptr; }
