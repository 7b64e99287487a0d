// trim, ltrim and rtrim for tandem's own SQLite connections, with exactly
// SQLite's results and a faster way to get them.
//
// SQLite's built-in trim compares every leading (or trailing) byte with
// every character of the set in turn (a memcmp each), so a set of letters
// and digits, as migrations use to split names, costs about 60 calls per
// character stripped: most of the time an `up` expression takes, in the
// backfill and again in verify. When every character of the set is one byte
// long (SQLite's own reading of the set, UTF-8 as it skips it), one lookup
// in a 256-entry table answers the same question; other sets are trimmed as
// SQLite does. The table is built once per statement (sqlite3_set_auxdata
// on the constant set). Triggers that the application's own connections
// run keep using SQLite's built-in: the results are the same byte for byte
// (trim_functions_test.cc compares them).
#pragma once

struct sqlite3;

namespace tandem::backend::sqlite {

// Overrides trim/ltrim/rtrim (one and two arguments) on `db`; returns an
// SQLite result code.
int RegisterTrimFunctions(sqlite3* db);

}  // namespace tandem::backend::sqlite
