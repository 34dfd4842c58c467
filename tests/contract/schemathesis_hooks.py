"""schemathesis hooks (SCHEMATHESIS_HOOKS=schemathesis_hooks, see .ci/run).

A list's cursor belongs to the search it came from: sent with any other filters or sort it
is rightly a 400. schemathesis varies every other parameter of a request, so no fixed
cursor can be valid for what it generates. schemathesis.toml therefore gives each list a
placeholder cursor, and this hook takes it out of the request before it is sent: every
other parameter is still checked for positive data acceptance, while cursors themselves
(issued, reused with another search, forged) are covered by tests/api/paging.rs. A
cursor schemathesis makes up to violate the schema (negative data) is sent as it is.
"""
import schemathesis

PLACEHOLDER = "bound-to-its-search"


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.query and case.query.get("cursor") == PLACEHOLDER:
        del case.query["cursor"]
