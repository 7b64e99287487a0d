#!/usr/bin/env python3
"""A service's profile repository while tandem migrates profiles, its reads
moved to the new shape user by user as a tandem flag ramps up.

While 03_profiles_display_name.yaml is in progress a profile has two shapes:
the old one (table profiles, column name) and the new one (the version
schema's profiles, column display_name). The repository

  * writes to both shapes: a write goes through one version, and tandem's
    dual-write trigger fills the other shape in the same statement;
  * reads from the new shape for the users the flag selects, and from the
    old shape for everyone else. It asks tandem.flag(flag, user, schema),
    a stable hash of the user against the flag's share, so one user stays on
    one side while `tandem flag set read_new 10%` ... `100%` moves the rest.

Usage (DSN: a libpq connection string or URL, e.g. $DATABASE_URL):
  profiles_app.py DSN NEW_SCHEMA read USER...      one JSON line per user
  profiles_app.py DSN NEW_SCHEMA write USER NAME
"""
import json
import sys
from dataclasses import asdict, dataclass

import psycopg2
from psycopg2 import sql


@dataclass
class Profile:
    user_id: str
    name: str
    shape: str  # "old" or "new": where the repository read it


class ProfileRepository:
    """Profiles through the old or the new version, per user, as the flag says."""

    def __init__(self, dsn, new_schema, flag="read_new", schema="public", state_schema="tandem"):
        # One session per version: the dual-write trigger tells the versions
        # apart by the session's search_path. Autocommit, so that no idle
        # transaction holds a lock tandem's next step waits for.
        self.old = psycopg2.connect(dsn)
        self.new = psycopg2.connect(dsn, options=f"-c search_path={new_schema}")
        for conn in (self.old, self.new):
            conn.autocommit = True
        self.flag, self.schema = flag, schema
        self.ask = sql.SQL("SELECT {}.flag(%s, %s, %s)").format(sql.Identifier(state_schema))

    def on_new_shape(self, user_id):
        with self.old.cursor() as cur:
            cur.execute(self.ask, (self.flag, user_id, self.schema))
            return cur.fetchone()[0]

    def _version(self, user_id):
        """The session and the name column of the version this user is on."""
        if self.on_new_shape(user_id):
            return self.new, "display_name", "new"
        return self.old, "name", "old"

    def find(self, user_id):
        conn, column, shape = self._version(user_id)
        with conn.cursor() as cur:
            query = sql.SQL("SELECT {} FROM profiles WHERE user_id = %s").format(
                sql.Identifier(column))
            cur.execute(query, (user_id,))
            row = cur.fetchone()
        return Profile(user_id, row[0], shape) if row else None

    def save(self, user_id, name):
        conn, column, shape = self._version(user_id)
        with conn.cursor() as cur:
            cur.execute(sql.SQL("UPDATE profiles SET {} = %s WHERE user_id = %s").format(
                sql.Identifier(column)), (name, user_id))
            if cur.rowcount == 0:
                cur.execute(sql.SQL("INSERT INTO profiles (user_id, {}) VALUES (%s, %s)").format(
                    sql.Identifier(column)), (user_id, name))
        return Profile(user_id, name, shape)


def main(argv):
    if len(argv) < 4 or argv[3] not in ("read", "write") or (argv[3] == "write" and len(argv) != 6):
        print(__doc__, file=sys.stderr)
        return 2
    dsn, new_schema, action, users = argv[1], argv[2], argv[3], argv[4:]
    repository = ProfileRepository(dsn, new_schema)
    if action == "write":
        profiles = [repository.save(users[0], users[1])]
    else:
        profiles = [repository.find(user) or Profile(user, None, None) for user in users]
    for profile in profiles:
        print(json.dumps(asdict(profile)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
