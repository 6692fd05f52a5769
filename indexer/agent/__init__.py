"""Answers for coding agents: task localization (`locate`), the ranked
codebase map (`codemap`), lookups that forgive an agent's guesses
(`lookup`) and edit previews that are applied only on request (`edits`).

Front doors (MCP, CLI) convert to and from these plain dataclasses; all the
ranking and the decisions live here.
"""
