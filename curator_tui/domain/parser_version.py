"""The deadline parser's version, kept apart from the parser itself.

Every open of a replica compares it with the version its schedules were derived by; reading
it must not cost importing the parser and python-dateutil (about a tenth of a cold start).
"""

# Bump whenever a phrase would parse differently: replicas then re-derive every stored
# schedule on open, so replaying the log still rebuilds their state exactly.
PARSER_VERSION = "2"
