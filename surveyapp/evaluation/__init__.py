"""Scoring a circle against the two official tables (业态“有没有” and 服务“好不好”).

Pure: rules come from versioned YAML files, facts and survey counts come in as plain
values, and results go out as JSON-able dicts. No Flask, no database.
"""
