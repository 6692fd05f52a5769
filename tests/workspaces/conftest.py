# The folders here are workspaces the e2e tests open in a real server, not
# tests of this repo: pytest must not collect them.
collect_ignore_glob = ["*"]
