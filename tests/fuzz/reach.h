#pragma once
// Proof that a fuzz target gets deep, not just that it does not crash: each target counts the
// outcomes that only a well-formed input reaches (a field decrypted with AES-SIV, a KEK reply
// parsed, ...). Run with KW_FUZZ_REACH=1 (the *_reach tests do, over the seed corpus with
// -runs=0), the target prints the counts at exit and exits with 1 when one of them is zero.

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace kw::fuzz {

class Reach
{
public:
    // `names`: the counters, in the order count() takes their index.
    template<std::size_t N>
    explicit Reach(const char *const (&names)[N])
        : m_names(names)
        , m_size(N)
    {
        if (std::getenv("KW_FUZZ_REACH") && !s_instance) {
            s_instance = this;
            std::atexit(&Reach::report);
        }
    }
    Reach(const Reach &) = delete;
    Reach &operator=(const Reach &) = delete;

    void count(std::size_t index)
    {
        if (index < m_size && index < kMax)
            ++m_counts[index];
    }

private:
    static constexpr std::size_t kMax = 16;

    static void report()
    {
        const Reach *r = s_instance;
        bool all = true;
        std::fprintf(stderr, "reach:");
        for (std::size_t i = 0; i < r->m_size && i < kMax; ++i) {
            std::fprintf(stderr, " %s=%llu", r->m_names[i],
                         static_cast<unsigned long long>(r->m_counts[i]));
            all = all && r->m_counts[i] > 0;
        }
        std::fprintf(stderr, "\nreach: %s\n", all ? "every counter reached" : "NOT REACHED");
        std::fflush(stderr);
        if (!all)
            _exit(1); // from an exit handler: exit() again would not be allowed
    }

    const char *const *m_names;
    std::size_t m_size;
    unsigned long long m_counts[kMax] = {};
    static inline Reach *s_instance = nullptr;
};

} // namespace kw::fuzz
