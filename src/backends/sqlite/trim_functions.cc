#include "backends/sqlite/trim_functions.h"

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tandem::backend::sqlite {
namespace {

constexpr int kLeft = 1;
constexpr int kRight = 2;

// The characters of a set as SQLite reads them: up to the first NUL byte,
// one character per lead byte and the continuation bytes (0x80-0xBF) after
// a lead byte of 0xC0 or more.
struct CharSet {
  std::vector<std::string> chars;
  bool single_bytes = true;  // every character one byte long
  std::array<bool, 256> byte_in_set{};
};

CharSet* ParseSet(const unsigned char* z) {
  auto* set = new CharSet;
  while (*z) {
    const unsigned char* start = z;
    if (*z++ >= 0xc0) {
      while ((*z & 0xc0) == 0x80) ++z;
    }
    set->chars.emplace_back(reinterpret_cast<const char*>(start), z - start);
    if (z - start == 1) {
      set->byte_in_set[*start] = true;
    } else {
      set->single_bytes = false;
    }
  }
  return set;
}

void FreeSet(void* set) { delete static_cast<CharSet*>(set); }

// The length of the set's first character (in set order, as SQLite tries
// them) that `at` starts with (kLeft) or `end` ends with (kRight), 0 if none.
size_t MatchAt(const CharSet& set, const unsigned char* in, size_t n, int side) {
  for (const auto& c : set.chars) {
    size_t len = c.size();
    if (len > n) continue;
    const unsigned char* at = side == kLeft ? in : in + n - len;
    if (std::memcmp(at, c.data(), len) == 0) return len;
  }
  return 0;
}

void Trim(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  const unsigned char* in = sqlite3_value_text(argv[0]);
  if (in == nullptr) return;
  size_t n = static_cast<size_t>(sqlite3_value_bytes(argv[0]));
  const int sides = static_cast<int>(reinterpret_cast<intptr_t>(sqlite3_user_data(context)));
  const CharSet* set = nullptr;
  CharSet local;  // the one-argument set, or a set SQLite would not keep
  if (argc == 1) {
    local.chars = {" "};
    local.byte_in_set[' '] = true;
    set = &local;
  } else {
    set = static_cast<CharSet*>(sqlite3_get_auxdata(context, 1));
    if (set == nullptr) {
      const unsigned char* z = sqlite3_value_text(argv[1]);
      if (z == nullptr) return;  // a NULL set: NULL, as SQLite
      CharSet* parsed = ParseSet(z);
      // SQLite keeps it while argument 1 stays the same constant, or frees
      // it at once (then `set` is no longer valid): read it back.
      sqlite3_set_auxdata(context, 1, parsed, FreeSet);
      set = static_cast<CharSet*>(sqlite3_get_auxdata(context, 1));
      if (set == nullptr) {
        CharSet* once = ParseSet(z);
        local = std::move(*once);
        delete once;
        set = &local;
      }
    }
  }
  if (!set->chars.empty()) {
    if (set->single_bytes) {
      if (sides & kLeft) {
        while (n > 0 && set->byte_in_set[*in]) ++in, --n;
      }
      if (sides & kRight) {
        while (n > 0 && set->byte_in_set[in[n - 1]]) --n;
      }
    } else {
      if (sides & kLeft) {
        for (size_t len; n > 0 && (len = MatchAt(*set, in, n, kLeft)) > 0;) in += len, n -= len;
      }
      if (sides & kRight) {
        for (size_t len; n > 0 && (len = MatchAt(*set, in, n, kRight)) > 0;) n -= len;
      }
    }
  }
  sqlite3_result_text64(context, reinterpret_cast<const char*>(in), n, SQLITE_TRANSIENT,
                        SQLITE_UTF8);
}

}  // namespace

int RegisterTrimFunctions(sqlite3* db) {
  struct Function {
    const char* name;
    int sides;
  };
  const Function functions[] = {{"trim", kLeft | kRight}, {"ltrim", kLeft}, {"rtrim", kRight}};
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  for (const auto& f : functions) {
    for (int args = 1; args <= 2; ++args) {
      int rc = sqlite3_create_function_v2(db, f.name, args, flags,
                                          reinterpret_cast<void*>(static_cast<intptr_t>(f.sides)),
                                          Trim, nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

}  // namespace tandem::backend::sqlite
